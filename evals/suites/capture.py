"""The capture suite: which inputs the extractor finds in stakeholder messages, per kind, against labels.

Baselines: the majority kind (one input of the most frequent labelled kind in every message) and keyword-only
(the same extractor with embeddings that carry no meaning, so only the lexicon's cues and rules decide).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from bot.capture import OfflineExtractor
from bot.domain import InputKind
from bot.ports import INTERVIEW_TOPICS, Extractor
from evals.metrics import confusion_matrix, empty_false_input_rate, macro_f1, multiset_prf
from evals.suites.common import NullEmbeddings, SuiteResult, read_rows, rounded

KINDS = [kind.value for kind in InputKind]
MAX_FAILURES = 40


def _check(row: dict[str, Any]) -> str | None:
    if not isinstance(row["text"], str):
        return "text must be a string"
    if not isinstance(row["kinds"], list):
        return "kinds must be a list"
    unknown = sorted(set(row["kinds"]) - set(KINDS))
    if unknown:
        return f"unknown kind {', '.join(unknown)} (kinds are {', '.join(KINDS)})"
    if row.get("question") not in (None, *INTERVIEW_TOPICS):
        return f"unknown question {row['question']!r}"
    return None


def load(path: Path) -> list[dict[str, Any]]:
    return read_rows(path, required=("id", "text", "kinds"), check=_check)


def figures(pred: list[list[str]], gold: list[list[str]]) -> dict[str, float]:
    """Per-kind precision/recall/F1, macro-F1 and the false-input rate of one set of predictions."""
    prf = multiset_prf(pred, gold, KINDS)
    out: dict[str, float] = {
        "macro_f1": macro_f1(prf),
        "false_input_rate": empty_false_input_rate(pred, gold),
    }
    for kind, row in prf.items():
        out[f"{kind}_precision"] = row["precision"]
        out[f"{kind}_recall"] = row["recall"]
        out[f"{kind}_f1"] = row["f1"]
    return rounded(out)


def _predict(extractor: Extractor, rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[item.kind.value for item in extractor.extract(row["text"], row.get("question"))] for row in rows]


def run_capture(extractor: Extractor, path: Path, keyword_extractor: Extractor | None = None) -> SuiteResult:
    """Scores `extractor` on a capture dataset (contract format)."""
    rows = load(path)
    gold = [list(row["kinds"]) for row in rows]
    pred = _predict(extractor, rows)
    counts = Counter(kind for kinds in gold for kind in kinds)
    majority = counts.most_common(1)[0][0] if counts else KINDS[0]
    keyword = keyword_extractor or OfflineExtractor(NullEmbeddings())
    baselines = {
        "majority": figures([[majority] for _ in rows], gold),
        "keyword_only": figures(_predict(keyword, rows), gold),
    }
    failures = [
        {"id": row["id"], "text": row["text"], "expected": sorted(g), "got": sorted(p)}
        for row, g, p in zip(rows, gold, pred, strict=True)
        if Counter(g) != Counter(p)
    ]
    return SuiteResult(
        suite="capture",
        dataset=str(path),
        cases=len(rows),
        metrics=figures(pred, gold),
        baselines=baselines,
        details={
            "inputs": sum(map(len, gold)),
            "messages_without_input": sum(1 for g in gold if not g),
            "majority_kind": majority,
            "confusion_matrix": confusion_matrix(pred, gold, KINDS),
            "failures": failures[:MAX_FAILURES],
            "failure_count": len(failures),
        },
    )
