"""Grounded answers: the best passages of the knowledge base quoted with citations, or a plain "not covered".

Offline and deterministic. A passage is quoted only when it is relevant both by meaning (cosine similarity
of the packaged embeddings) and by wording (shared content words), so an unrelated passage is never quoted
as if it answered the question.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.domain import Answer, Citation
from bot.errors import PlanbotError
from bot.knowledge.service import GUIDANCE_FILE, KnowledgeBase, RetrievedChunk
from bot.knowledge.terms import Expansions, content_words, default_expansions, repair, words
from bot.messages import catalogue

__all__ = ["OfflineAnswerer", "ScoredPassage", "content_words", "quote_of", "render_citation", "validate_question"]

_BULLET_PREFIX = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class ScoredPassage:
    """A candidate passage and why it ranks where it does."""

    chunk: RetrievedChunk
    dense: float  # cosine similarity with the question as asked
    lexical: float  # idf-weighted share of the question's words (and of its expansion's) the passage holds
    score: float  # what ranks the passages and decides whether one is quoted
    expanded: float = 0.0  # cosine similarity with the question read in the guidance's terms


@dataclass(frozen=True)
class ReadQuestion:
    """A question as retrieval reads it: typos repaired, and the guidance terms its everyday words call."""

    asked: str
    repaired: str
    terms: tuple[str, ...]

    @property
    def text(self) -> str:
        """What the meaning score embeds: the repaired question, then the guidance's terms for it."""
        return ". ".join((self.repaired, *self.terms)) if self.terms else self.repaired

    @property
    def changed(self) -> bool:
        return bool(self.terms) or self.repaired != " ".join(words(self.asked))


class OfflineAnswerer:
    """Implements `bot.ports.Answerer` without a language model: an extractive, cited answer.

    Ranking is a hybrid: `dense_weight` x the cosine similarity with the question as asked, plus
    `expanded_weight` x the cosine similarity with the question read in the guidance's terms (typos repaired,
    everyday words expanded by knowledge/answer-expansions.yaml), plus `lexical_weight` x the idf-weighted
    share of the question's content words the passage holds, the words an expansion added counting
    `expansion_weight` each. A question that needs no reading scores as before the expansions: 0.7 x cosine
    + 0.3 x word share. The weights were tuned on the dev splits of the answers evals.
    """

    def __init__(
        self,
        knowledge: KnowledgeBase,
        *,
        min_score: float = 0.30,
        max_question_chars: int = 1000,
        candidates: int = 24,
        max_citations: int = 2,
        dense_weight: float = 0.175,
        expanded_weight: float = 0.525,
        lexical_weight: float = 0.30,
        expansion_weight: float = 3.0,
        expansions: Expansions | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.min_score = min_score
        self.max_question_chars = max_question_chars
        self.candidates = candidates
        self.max_citations = max_citations
        self.dense_weight = dense_weight
        self.expanded_weight = expanded_weight
        self.lexical_weight = lexical_weight
        self.expansion_weight = expansion_weight
        self.expansions = expansions if expansions is not None else default_expansions()

    def validate(self, question: str) -> str:
        return validate_question(question, self.max_question_chars)

    def read(self, question: str, passages: list[RetrievedChunk]) -> ReadQuestion:
        """The question with typos repaired against the passages' and the expansions' words, and its terms."""
        vocabulary = set(self.expansions.vocabulary)
        for passage in passages:
            vocabulary.update(words(passage.text))
        repaired = repair(question, vocabulary)
        return ReadQuestion(asked=question, repaired=repaired, terms=tuple(self.expansions.terms_for(repaired)))

    def rank(self, question: str, plan_id: int | None = None) -> list[ScoredPassage]:
        """Candidates by combined score, best first (exposed for the evals)."""
        hits = self.knowledge.retrieve(question, plan_id, k=self.candidates)
        if not hits:
            return []
        read = self.read(question, hits)
        dense = {hit.chunk_id: hit.score for hit in hits}
        expanded = dense
        passages = {hit.chunk_id: hit for hit in hits}
        if read.changed:
            found = self.knowledge.retrieve(read.text, plan_id, k=self.candidates)
            expanded = {hit.chunk_id: hit.score for hit in found}
            for hit in found:
                passages.setdefault(hit.chunk_id, hit)
        asked = set(content_words(read.repaired))
        added = {term for text in read.terms for term in content_words(text)} - asked
        texts = {chunk_id: set(content_words(passage.text)) for chunk_id, passage in passages.items()}
        df: dict[str, int] = {}
        for terms in texts.values():
            for term in terms:
                df[term] = df.get(term, 0) + 1
        n = len(passages)

        def idf(term: str) -> float:
            return math.log(1 + n / (1 + df.get(term, 0))) + 0.2

        weights = {term: idf(term) for term in asked} | {term: self.expansion_weight * idf(term) for term in added}
        total = sum(weights.values())
        scored = []
        for chunk_id, passage in passages.items():
            lexical = sum(w for term, w in weights.items() if term in texts[chunk_id]) / total if total else 0.0
            cosine, reread = dense.get(chunk_id, 0.0), expanded.get(chunk_id, 0.0)
            score = self.dense_weight * cosine + self.expanded_weight * reread + self.lexical_weight * lexical
            scored.append(ScoredPassage(passage, cosine, lexical, score, reread))
        # a passage that shares no word with the question (nor with its expansion) is never quoted: it ranks last
        return sorted(scored, key=lambda passage: (passage.lexical > 0, passage.score), reverse=True)

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        question = self.validate(question)
        if plan_id is not None:
            self.knowledge.require_plan(plan_id)
        ranked = self.rank(question, plan_id)
        relevant = [p for p in ranked if p.score >= self.min_score and p.lexical > 0]
        messages = catalogue()
        if not relevant:
            return Answer(answer=messages.text("answer.not_covered"), covered=False, citations=[])
        best = relevant[0].score
        chosen = [p for p in relevant if p.score >= best - 0.08][: self.max_citations]
        citations = [
            Citation(
                document=p.chunk.document,
                section=p.chunk.section,
                chunk_id=p.chunk.chunk_id,
                quote=quote_of(p.chunk.text, question),
                score=round(max(0.0, min(1.0, p.score)), 4),
            )
            for p in chosen
        ]
        guidance = {GUIDANCE_FILE.stem}
        from_guidance = [citation.document in guidance for citation in citations]
        intro = "intro" if all(from_guidance) else "intro_documents" if not any(from_guidance) else "intro_mixed"
        lines = [messages.text(f"answer.{intro}")]
        for n, citation in enumerate(citations, start=1):
            lines.append(f"“{citation.quote}” [{n}]")
        return Answer(answer="\n".join(lines), covered=True, citations=citations)


def validate_question(question: str, max_chars: int) -> str:
    """The question with its white space folded, or a PlanbotError saying what is wrong with it."""
    messages = catalogue()
    cleaned = " ".join(question.split())
    if not cleaned:
        raise PlanbotError(messages.text("errors.empty_question"))
    if len(cleaned) > max_chars:
        raise PlanbotError(messages.text("errors.question_too_long", length=len(cleaned), limit=max_chars))
    return cleaned


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
QUOTE_CHARS = 450


def quote_of(text: str, question: str | None = None, limit: int = QUOTE_CHARS) -> str:
    """The passage as written, without its bullet marker (the words of the document, nothing added).

    A passage longer than `limit` is cut to the run of whole sentences that shares most words with the
    question, so a reply on a small phone quotes what answers rather than a page."""
    whole = " ".join(_BULLET_PREFIX.sub("", line).strip() for line in text.splitlines() if line.strip())
    if len(whole) <= limit or not question:
        return whole
    sentences = [part for part in _SENTENCE_END.split(whole) if part]
    wanted = set(content_words(question))
    best, best_score = sentences[0], -1.0
    for start in range(len(sentences)):
        window = ""
        for end in range(start, len(sentences)):
            candidate = f"{window} {sentences[end]}".strip()
            if window and len(candidate) > limit:
                break
            window = candidate
            score = len(wanted & set(content_words(window))) - len(window) / 10_000  # ties: the shorter
            if score > best_score:
                best, best_score = window, score
    return best


def render_citation(n: int, citation: Citation) -> str:
    messages = catalogue()
    if citation.section:
        return messages.text(
            "answer.citation",
            n=n,
            document=citation.document,
            section=citation.section,
            chunk_id=citation.chunk_id,
        )
    return messages.text("answer.citation_no_section", n=n, document=citation.document, chunk_id=citation.chunk_id)
