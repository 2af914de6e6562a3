"""The answers suite: retrieval of the expected passage, citation validity, abstention out of scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answers import OfflineAnswerer, content_words
from evals.suites.common import read_rows


@dataclass
class AnswersReport:
    metrics: dict[str, float]
    failures: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, float] = field(default_factory=dict)


def _rank_of(expect: str, texts: list[str]) -> int | None:
    for rank, text in enumerate(texts, start=1):
        if expect.lower() in text.lower():
            return rank
    return None


def run_answers(answerer: OfflineAnswerer, path: Path) -> AnswersReport:
    rows = read_rows(path, required=("id", "question", "expect"))
    in_scope = [row for row in rows if row["expect"] is not None]
    out_of_scope = [row for row in rows if row["expect"] is None]
    hits1 = hits3 = 0
    reciprocal = 0.0
    keyword_hits1 = dense_hits1 = 0
    keyword_reciprocal = dense_reciprocal = 0.0
    valid_citations = total_citations = 0
    abstained_correctly = abstained_wrongly = 0
    failures: list[dict[str, Any]] = []
    for row in rows:
        ranked = answerer.rank(row["question"])
        answer = answerer.ask(row["question"])
        retrieved = {p.chunk.chunk_id: p.chunk.text for p in ranked}
        for citation in answer.citations:
            total_citations += 1
            valid_citations += (
                citation.chunk_id in retrieved and citation.quote.split()[0] in retrieved[citation.chunk_id]
            )
        if row["expect"] is None:
            if not answer.covered:
                abstained_correctly += 1
            else:
                failures.append({"id": row["id"], "why": "answered a question the guidance does not cover"})
            continue
        if not answer.covered:
            abstained_wrongly += 1
        texts = [p.chunk.text for p in ranked]
        rank = _rank_of(row["expect"], texts)
        hits1 += rank == 1 and answer.covered
        hits3 += rank is not None and rank <= 3
        reciprocal += 1 / rank if rank else 0.0
        if rank != 1 or not answer.covered:
            why = f"expected passage at rank {rank}" + ("" if answer.covered else ", and the answer abstained")
            failures.append({"id": row["id"], "why": why, "question": row["question"]})
        # baselines on the same passages, neither reading the question (no typo repair, no expansions):
        # keyword-only ranks by the content words shared with the question (ties by cosine), dense-only by cosine
        by_dense = [p.chunk.text for p in sorted(ranked, key=lambda passage: -passage.dense)]
        terms = set(content_words(row["question"]))
        by_overlap = sorted(by_dense, key=lambda text: -len(terms & set(content_words(text))))
        keyword_rank, dense_rank = _rank_of(row["expect"], by_overlap), _rank_of(row["expect"], by_dense)
        keyword_hits1 += keyword_rank == 1
        dense_hits1 += dense_rank == 1
        keyword_reciprocal += 1 / keyword_rank if keyword_rank else 0.0
        dense_reciprocal += 1 / dense_rank if dense_rank else 0.0
    abstentions = abstained_correctly + abstained_wrongly
    n_in = max(1, len(in_scope))
    metrics = {
        "recall_at_1": hits1 / n_in,
        "recall_at_3": hits3 / n_in,
        "mrr": reciprocal / n_in,
        "citation_validity": valid_citations / total_citations if total_citations else 1.0,
        "abstention_precision": abstained_correctly / abstentions if abstentions else 1.0,
        "abstention_recall": abstained_correctly / len(out_of_scope) if out_of_scope else 1.0,
    }
    baseline = {
        "keyword_only_recall_at_1": keyword_hits1 / n_in,
        "keyword_only_mrr": keyword_reciprocal / n_in,
        "dense_only_recall_at_1": dense_hits1 / n_in,
        "dense_only_mrr": dense_reciprocal / n_in,
    }
    return AnswersReport(metrics=metrics, failures=failures, baseline=baseline)
