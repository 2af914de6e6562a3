"""Capture by the model: structured output (pydantic), kinds from the contract, words copied from the message.

An input whose words are not in the message is an invention (or an obeyed injection): the whole reply is
rejected and the offline extractor answers, so the person's message is never misquoted.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.capture import OfflineExtractor, summarise
from bot.capture.splitter import SUMMARY_LIMIT
from bot.domain import CapturedInput, InputKind
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.parsing import appears_in, parse_reply
from bot.llm.prompts import escape, load_prompt
from bot.ports import INTERVIEW_TOPICS

USE = "capture"


class _ReplyInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: InputKind
    text: str = Field(min_length=1, max_length=2000)
    summary: str | None = None
    confidence: float = Field(0.7, ge=0, le=1)


class _Reply(BaseModel):
    inputs: list[_ReplyInput] = Field(max_length=12)


class LLMExtractor:
    """Implements `bot.ports.Extractor`; the offline extractor is the fallback and decides `is_question`."""

    def __init__(self, client: LLMClient, offline: OfflineExtractor, *, stats: FallbackStats | None = None) -> None:
        self.client = client
        self.offline = offline
        self.stats = stats or client.stats
        self.prompt = load_prompt("capture")

    def extract(self, text: str, question: str | None = None) -> list[CapturedInput]:
        if question is not None and question not in INTERVIEW_TOPICS:
            return self.offline.extract(text, question)  # raises the catalogue's one-line error
        if not text or not text.strip():
            return []
        try:
            reply = self.client.complete(self.prompt.render(question=question or "none", text=escape(text)))
            inputs = self.grounded(reply, text)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            return self.offline.extract(text, question)
        self.stats.record(USE, "ok")
        return inputs

    def is_question(self, text: str) -> bool:
        """Deterministic and cheap: whether a message is a question decides routing, so no model here."""
        return self.offline.is_question(text)

    def grounded(self, reply: str, message: str) -> list[CapturedInput]:
        parsed = parse_reply(reply, _Reply)
        captured: list[CapturedInput] = []
        for item in parsed.inputs:
            if not appears_in(item.text, message):
                raise LLMUnavailable("ungrounded", f"{item.kind.value} text is not in the message")
            words = " ".join(item.text.split())
            summary = " ".join((item.summary or "").split())
            if not summary or len(summary) > SUMMARY_LIMIT or "<" in summary or "http" in summary.lower():
                summary = summarise(words)
            captured.append(
                CapturedInput(kind=item.kind, text=words, summary=summary, confidence=round(item.confidence, 3))
            )
        return captured
