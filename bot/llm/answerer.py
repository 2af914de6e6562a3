"""Free-form answers written by the model from the retrieved passages only, each sentence tied to a passage.

The offline answerer retrieves and ranks; the model only rewrites what the chosen passages say. A sentence
without a valid `[c:<chunk_id>]` marker is dropped; if none survive, the person gets the offline answer.
"""

from __future__ import annotations

import re

from bot.answers import OfflineAnswerer, ScoredPassage, quote_of
from bot.domain import Answer, Citation
from bot.llm.client import FallbackStats, LLMClient, LLMUnavailable
from bot.llm.prompts import escape, load_prompt

USE = "answer"
_MARKER = re.compile(r"\[c:\s*([A-Za-z0-9_-]+)\s*\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=\])\s+(?=[A-Z])|\n+")
_TRAILING_MARKERS = re.compile(r"([.!?]+)((?:\s*\[c:[^\]]*\])+)")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
NOT_COVERED = "NOT_COVERED"


class LLMAnswerer:
    """Implements `bot.ports.Answerer`; holds the offline answerer for retrieval and as the fallback."""

    def __init__(
        self,
        client: LLMClient,
        offline: OfflineAnswerer,
        *,
        passages: int = 4,
        max_sentences: int = 5,
        max_sentence_chars: int = 400,
        stats: FallbackStats | None = None,
    ) -> None:
        self.client = client
        self.offline = offline
        self.passages = passages
        self.max_sentences = max_sentences
        self.max_sentence_chars = max_sentence_chars
        self.stats = stats or client.stats
        self.prompt = load_prompt("answer")

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        question = self.offline.validate(question)
        if plan_id is not None:
            self.offline.knowledge.require_plan(plan_id)
        ranked = self.offline.rank(question, plan_id)
        relevant = [p for p in ranked if p.score >= self.offline.min_score and p.lexical > 0][: self.passages]
        if not relevant:  # the guidance does not cover it: no model can make it so
            return self.offline.ask(question, plan_id)
        try:
            reply = self.client.complete(self.messages(question, relevant))
            answer = self.grounded(reply, relevant)
        except LLMUnavailable as exc:
            self.stats.fallback(USE, exc.reason, exc.detail)
            return self.offline.ask(question, plan_id)
        self.stats.record(USE, "ok")
        return answer

    def messages(self, question: str, passages: list[ScoredPassage]):
        lines = [f"[c:{p.chunk.chunk_id}] {escape(quote_of(p.chunk.text))}" for p in passages]
        return self.prompt.render(passages="\n".join(lines), question=escape(question))

    def grounded(self, reply: str, passages: list[ScoredPassage]) -> Answer:
        """The reply's sentences that cite a given passage, markers renumbered [1], [2] as the citations."""
        if reply.strip().strip(".").upper() == NOT_COVERED:
            raise LLMUnavailable("not_covered", "the model found no answer in the passages")
        by_id = {p.chunk.chunk_id: p for p in passages}
        order: list[str] = []
        kept: list[str] = []
        dropped = 0
        reply = _TRAILING_MARKERS.sub(r"\2\1", reply)  # "... manageable. [c:x]" -> "... manageable [c:x]."
        for sentence in (s.strip() for s in _SENTENCE.split(reply)):
            if not sentence:
                continue
            ids = _MARKER.findall(sentence)
            body = _MARKER.sub("", sentence).strip()
            body = re.sub(r"\s+([.,;:!?])", r"\1", body)
            valid = [i for i in ids if i in by_id]
            if (
                not valid
                or len(valid) != len(ids)
                or not re.search(r"\w", body)
                or len(body) > self.max_sentence_chars
                or _URL.search(body)
            ):
                dropped += 1
                continue
            numbers = []
            for chunk_id in dict.fromkeys(valid):
                if chunk_id not in order:
                    order.append(chunk_id)
                numbers.append(order.index(chunk_id) + 1)
            core = body.rstrip(".!? ")
            end = body[len(core) :].strip() or "."
            kept.append(core + " " + "".join(f"[{n}]" for n in numbers) + end)
            if len(kept) >= self.max_sentences:
                break
        if not kept:
            raise LLMUnavailable("uncited", f"none of the reply's sentences cites a given passage ({dropped})")
        if dropped:
            self.stats.record(USE, "sentence_dropped")
        citations = [
            Citation(
                document=by_id[i].chunk.document,
                section=by_id[i].chunk.section,
                chunk_id=i,
                quote=quote_of(by_id[i].chunk.text),
                score=round(max(0.0, min(1.0, by_id[i].score)), 4),
            )
            for i in order
        ]
        return Answer(answer="\n".join(kept), covered=True, citations=citations)
