"""Grounded answers: the best passages of the knowledge base quoted with citations, or a plain "not covered".

Offline and deterministic. A passage is quoted only when it is relevant both by meaning (cosine similarity
of the packaged embeddings) and by wording (shared content words), so an unrelated passage is never quoted
as if it answered the question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from bot.domain import Answer, Citation
from bot.errors import PlanbotError
from bot.knowledge.service import GUIDANCE_FILE, KnowledgeBase, RetrievedChunk
from bot.messages import catalogue

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_BULLET_PREFIX = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")

# Words that say nothing about the topic of a question; kept short and generic on purpose.
_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from into about as is are was were be been being
    do does did doing have has had having can could should would will shall may might must it its this
    that these those there here what which who whom whose when where why how i me my we our us you your
    he she they them their his her not no yes so than then too very just also any some all each more
    most much many such own same other only get got make made give tell say said please thanks thank ok
    okay hi hello like want need know one two""".split()  # noqa: SIM905 - a word list reads best as words
)


def content_words(text: str) -> list[str]:
    """Lower-case word stems of the words that carry meaning."""
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS and len(word) > 2]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "ed", "es", "er", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word[:7]


@dataclass(frozen=True)
class ScoredPassage:
    chunk: RetrievedChunk
    dense: float
    lexical: float

    @property
    def score(self) -> float:
        return 0.7 * self.dense + 0.3 * self.lexical


class OfflineAnswerer:
    """Implements `bot.ports.Answerer` without a language model: an extractive, cited answer."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        *,
        min_score: float = 0.30,
        max_question_chars: int = 1000,
        candidates: int = 8,
        max_citations: int = 2,
    ) -> None:
        self.knowledge = knowledge
        self.min_score = min_score
        self.max_question_chars = max_question_chars
        self.candidates = candidates
        self.max_citations = max_citations

    def validate(self, question: str) -> str:
        return validate_question(question, self.max_question_chars)

    def rank(self, question: str, plan_id: int | None = None) -> list[ScoredPassage]:
        """Candidates by combined score, best first (exposed for the evals)."""
        hits = self.knowledge.retrieve(question, plan_id, k=self.candidates)
        if not hits:
            return []
        query_terms = Counter(content_words(question))
        document_frequency = Counter(term for hit in hits for term in set(content_words(hit.text)))
        scored = [
            ScoredPassage(hit, hit.score, self._lexical(query_terms, hit.text, document_frequency, len(hits)))
            for hit in hits
        ]
        return sorted(scored, key=lambda passage: passage.score, reverse=True)

    @staticmethod
    def _lexical(query_terms: Counter[str], text: str, df: Counter[str], n: int) -> float:
        """Share of the question's (idf-weighted) content words that the passage contains."""
        if not query_terms:
            return 0.0
        passage_terms = set(content_words(text))
        weights = {term: math.log(1 + n / (1 + df[term])) + 0.2 for term in query_terms}
        total = sum(weights.values())
        return sum(weight for term, weight in weights.items() if term in passage_terms) / total

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
