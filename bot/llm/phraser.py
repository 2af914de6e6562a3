"""Phrasing the next interview question for one person; the catalogue question keeps the intent.

The engine asks catalogue questions (prompts/messages/<lang>.yaml, `interview.topics`). A phraser may
reword one for the person it is talking to. The model's wording is checked (a single question, short, no
link, nothing another person wrote, still about the topic); otherwise the catalogue's question is asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answers import content_words
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.prompts import escape, load_prompt
from bot.ports import QuestionPhraser

USE = "phrase"
MAX_CHARS = 400
_QUESTION_MARKS = ("?", "？", "؟")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|io)\b|t\.me/", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_SHARED_WORDS = 5  # this many consecutive words of another person's message count as their text


class OfflinePhraser:
    """The catalogue question as written."""

    def phrase(
        self,
        topic: str,
        question: str,
        *,
        said: Sequence[str] = (),
        language: str = "en",
        others: Sequence[str] = (),
    ) -> str:
        return question


def _windows(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


class LLMQuestionPhraser:
    """Implements QuestionPhraser with the model; the offline phraser on any failed check."""

    def __init__(
        self,
        client: LLMClient,
        fallback: QuestionPhraser | None = None,
        *,
        history: int = 3,
        stats: FallbackStats | None = None,
    ) -> None:
        self.client = client
        self.fallback = fallback or OfflinePhraser()
        self.history = history
        self.stats = stats or client.stats
        self.prompt = load_prompt("phrase")

    def phrase(
        self,
        topic: str,
        question: str,
        *,
        said: Sequence[str] = (),
        language: str = "en",
        others: Sequence[str] = (),
    ) -> str:
        recent = [s for s in said if s and s.strip()][-self.history :]
        try:
            reply = self.client.complete(
                self.prompt.render(
                    language=escape(language),
                    question=escape(question),
                    said=escape("\n".join(recent)) or "-",
                )
            )
            phrased = self.validated(reply, question, language, others)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            return self.fallback.phrase(topic, question, said=said, language=language, others=others)
        self.stats.record(USE, "ok")
        return phrased

    @staticmethod
    def validated(reply: str, question: str, language: str, others: Sequence[str]) -> str:
        text = " ".join(reply.strip().strip('"“”').split())
        if not text:
            raise LLMUnavailable("empty", "no question in the reply")
        if len(text) > MAX_CHARS:
            raise LLMUnavailable("too_long", f"{len(text)} characters")
        if not text.endswith(_QUESTION_MARKS) or sum(text.count(m) for m in _QUESTION_MARKS) > 2:
            raise LLMUnavailable("not_a_question", text[:80])
        if _URL.search(text) or "<" in text or ">" in text:
            raise LLMUnavailable("link_or_markup", text[:80])
        phrased = _windows(text, _SHARED_WORDS)
        if any(phrased & _windows(other, _SHARED_WORDS) for other in others):
            raise LLMUnavailable("other_person_text", "the reply repeats another person's words")
        if language.lower().startswith("en") and not set(content_words(text)) & set(content_words(question)):
            raise LLMUnavailable("off_intent", text[:80])
        return text
