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


def _contract_row(row: dict[str, Any]) -> str | None:
    """A row labelled segment by segment (the corpus format) becomes a contract row in place."""
    if "segments" in row and "text" not in row:
        from pydantic import ValidationError

        from bot.learning.corpus import CaptureExample

        try:
            row.update(CaptureExample.model_validate(row).to_contract())
        except ValidationError as exc:
            first = exc.errors()[0]
            return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    missing = [key for key in ("text", "kinds") if key not in row]
    return f"missing {', '.join(missing)}" if missing else _check(row)


def load(path: Path) -> list[dict[str, Any]]:
    return read_rows(path, required=("id",), check=_contract_row)


def kind_given_question(rows: list[dict[str, Any]], pred: list[list[str]], gold: list[list[str]]) -> float | None:
    """Of the answers to an interview question that hold exactly one input, the share captured as exactly that one
    input of that kind: does capture respect the question being answered? None when there are no such answers."""
    picked = [(p, g) for row, p, g in zip(rows, pred, gold, strict=True) if row.get("question") and len(g) == 1]
    return sum(p == g for p, g in picked) / len(picked) if picked else None


def _all_figures(rows: list[dict[str, Any]], pred: list[list[str]], gold: list[list[str]]) -> dict[str, float]:
    out = figures(pred, gold)
    by_question = kind_given_question(rows, pred, gold)
    if by_question is not None:
        out["kind_given_question"] = round(by_question, 4)
    return out


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


def _breakdown(rows: list[dict[str, Any]], pred: list[list[str]], gold: list[list[str]], field: str) -> dict:
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row.get(field):
            groups.setdefault(str(row[field]), []).append(index)
    out = {}
    for name, indices in sorted(groups.items()):
        picked = figures([pred[i] for i in indices], [gold[i] for i in indices])
        out[name] = {"cases": len(indices), "macro_f1": picked["macro_f1"]}
    return out


def run_capture(
    extractor: Extractor,
    path: Path,
    keyword_extractor: Extractor | None = None,
    cue_extractor: Extractor | None = None,
    also: dict[str, Extractor] | None = None,
) -> SuiteResult:
    """Scores `extractor` on a capture dataset (contract format).

    Baselines: the majority kind; keyword-only (the lexicon's cues and rules, no embeddings); and, when given,
    `cue_extractor`, the cue-and-prototype extractor with the real embeddings but no trained head (planbot 0.1).
    """
    rows = load(path)
    gold = [list(row["kinds"]) for row in rows]
    pred = _predict(extractor, rows)
    counts = Counter(kind for kinds in gold for kind in kinds)
    majority = counts.most_common(1)[0][0] if counts else KINDS[0]
    keyword = keyword_extractor or OfflineExtractor(NullEmbeddings(), heads=None)
    predictions = {"majority": [[majority] for _ in rows], "keyword_only": _predict(keyword, rows)}
    if cue_extractor is not None:
        predictions["cues_v0_1"] = _predict(cue_extractor, rows)
    for name, other in (also or {}).items():  # e.g. with --llm: the offline extractor alone
        predictions[name] = _predict(other, rows)
    baselines = {name: _all_figures(rows, predicted, gold) for name, predicted in predictions.items()}
    failures = [
        {"id": row["id"], "text": row["text"], "expected": sorted(g), "got": sorted(p)}
        for row, g, p in zip(rows, gold, pred, strict=True)
        if Counter(g) != Counter(p)
    ]
    metrics = _all_figures(rows, pred, gold)
    return SuiteResult(
        suite="capture",
        dataset=str(path),
        cases=len(rows),
        metrics=metrics,
        baselines=baselines,
        details={
            "inputs": sum(map(len, gold)),
            "messages_without_input": sum(1 for g in gold if not g),
            "majority_kind": majority,
            "confusion_matrix": confusion_matrix(pred, gold, KINDS),
            "by_value_chain": _breakdown(rows, pred, gold, "value_chain"),
            "by_style": _breakdown(rows, pred, gold, "style"),
            "by_question": _breakdown(rows, pred, gold, "question"),
            "failures": failures[:MAX_FAILURES],
            "failure_count": len(failures),
        },
    )
