"""The LLM grader of the evals: is each answer sentence supported by the passages it cites, and does a
passage answer a question. Used to measure, never to answer a person.

Both reply in JSON checked by a schema; on any failure the grader says "no grade" (None) and counts the
reason, so a broken model leaves the deterministic figures standing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from bot.domain import Answer
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.parsing import parse_reply
from bot.llm.prompts import escape, load_prompt

FAITHFULNESS = "faithfulness"
RELEVANCE = "relevance"
_NUMBER = re.compile(r"\[(\d+)\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)|\n+")


class CitedSentence(BaseModel):
    """One sentence of an answer and the chunk ids of the citations it points to."""

    text: str
    chunk_ids: list[str]


def cited_sentences(answer: Answer) -> list[CitedSentence]:
    """The answer's sentences that carry [n] markers, each with the chunk ids those markers name; a marker
    past the citation list names nothing (so the sentence cites nothing it can be graded against)."""
    out: list[CitedSentence] = []
    for sentence in (s.strip() for s in _SENTENCE.split(answer.answer)):
        numbers = [int(n) for n in _NUMBER.findall(sentence)]
        if not sentence or not numbers:
            continue
        ids = [answer.citations[n - 1].chunk_id for n in numbers if 0 < n <= len(answer.citations)]
        body = " ".join(_NUMBER.sub("", sentence).split())
        out.append(CitedSentence(text=body, chunk_ids=list(dict.fromkeys(ids))))
    return out


class _Graded(BaseModel):
    n: int
    supported: bool


class _Faithfulness(BaseModel):
    sentences: list[_Graded]


class _Relevance(BaseModel):
    answers: bool


class AnswerGrader:
    """Grades answers with the model (prompts/llm/faithfulness.yaml, relevance.yaml)."""

    def __init__(self, client: LLMClient, *, stats: FallbackStats | None = None) -> None:
        self.client = client
        self.stats = stats or client.stats
        self.faithfulness_prompt = load_prompt(FAITHFULNESS)
        self.relevance_prompt = load_prompt(RELEVANCE)

    @property
    def versions(self) -> dict[str, str]:
        return {FAITHFULNESS: self.faithfulness_prompt.version, RELEVANCE: self.relevance_prompt.version}

    def supported(self, sentences: Sequence[CitedSentence], passages: Mapping[str, str]) -> list[bool] | None:
        """Per sentence: supported by its cited passages; a sentence citing no known passage is unsupported
        without asking. None when the model gave no usable grade."""
        askable = [s for s in sentences if any(i in passages for i in s.chunk_ids)]
        if not askable:
            return [False] * len(sentences)
        cited = list(dict.fromkeys(i for s in askable for i in s.chunk_ids if i in passages))
        lines = [f"[c:{i}] {escape(passages[i])}" for i in cited]
        numbered = [
            f"{n}. {escape(s.text)} (cites {', '.join('c:' + i for i in s.chunk_ids if i in passages)})"
            for n, s in enumerate(askable, start=1)
        ]
        try:
            reply = self.client.complete(
                self.faithfulness_prompt.render(passages="\n".join(lines), sentences="\n".join(numbered))
            )
            graded = parse_reply(reply, _Faithfulness)
            by_n = {g.n: g.supported for g in graded.sentences}
            if sorted(by_n) != list(range(1, len(askable) + 1)) or len(graded.sentences) != len(askable):
                raise LLMUnavailable("schema", f"{len(graded.sentences)} grades for {len(askable)} sentences")
        except LLMUnavailable as exc:
            self.stats.fallback(FAITHFULNESS, exc.reason, exc.detail)
            return None
        self.stats.record(FAITHFULNESS, "ok")
        grades = iter(by_n[n] for n in range(1, len(askable) + 1))
        return [next(grades) if s in askable else False for s in sentences]

    def answers(self, question: str, passage: str) -> bool | None:
        """Whether the passage answers the question; None when the model gave no usable grade."""
        try:
            reply = self.client.complete(
                self.relevance_prompt.render(question=escape(question), passage=escape(passage))
            )
            verdict = parse_reply(reply, _Relevance).answers
        except LLMUnavailable as exc:
            self.stats.fallback(RELEVANCE, exc.reason, exc.detail)
            return None
        self.stats.record(RELEVANCE, "ok")
        return verdict
