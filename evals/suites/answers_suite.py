"""The answers suite in the runner's shape: wraps `evals.suites.answers.run_answers` (its API unchanged).

A split's dataset `answers.<split>.jsonl` has an everyday-phrasing companion, `answers.paraphrase.<split>.jsonl`
(the questions as facilitators and small traders ask them); the suite reports it beside the main figures, as
`paraphrase_*` metrics and baselines, so one gate holds both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.answers import OfflineAnswerer
from evals.suites.answers import run_answers
from evals.suites.common import SuiteResult, read_rows, rounded

PARAPHRASE = "paraphrase"
_BASELINE_METRICS = ("recall_at_1", "mrr")


def _check(row: dict[str, Any]) -> str | None:
    if not isinstance(row["question"], str) or not row["question"].strip():
        return "question must be a non-empty string"
    if row["expect"] is not None and not isinstance(row["expect"], str):
        return "expect must be a string or null"
    return None


def paraphrase_path(path: Path) -> Path | None:
    """The everyday-phrasing companion of a split's dataset (answers.test.jsonl -> answers.paraphrase.test.jsonl),
    when there is one; None for any other file (a `--dataset` of one's own is measured alone)."""
    parts = path.name.split(".")
    if len(parts) != 3 or parts[0] != "answers" or parts[2] != "jsonl":
        return None
    companion = path.with_name(f"answers.{PARAPHRASE}.{parts[1]}.jsonl")
    return companion if companion.is_file() else None


def load(path: Path) -> list[dict[str, Any]]:
    """The dataset's rows; its paraphrase companion is validated too (before any model loads)."""
    companion = paraphrase_path(path)
    if companion is not None:
        read_rows(companion, required=("id", "question", "expect"), check=_check)
    return read_rows(path, required=("id", "question", "expect"), check=_check)


def run_answers_suite(answerer: OfflineAnswerer, path: Path) -> SuiteResult:
    rows = read_rows(path, required=("id", "question", "expect"), check=_check)
    report = run_answers(answerer, path)
    baselines: dict[str, dict[str, float]] = {}
    for key, value in report.baseline.items():  # "keyword_only_recall_at_1" -> keyword_only: recall_at_1
        metric = next(m for m in _BASELINE_METRICS if key.endswith("_" + m))
        baselines.setdefault(key[: -len(metric) - 1], {})[metric] = value
    return SuiteResult(
        suite="answers",
        dataset=str(path),
        cases=len(rows),
        metrics=rounded(report.metrics),
        baselines={name: rounded(values) for name, values in baselines.items()},
        details={
            "out_of_scope": sum(1 for row in rows if row["expect"] is None),
            "failures": report.failures,
            "failure_count": len(report.failures),
        },
    )


def with_paraphrases(result: SuiteResult, answerer: OfflineAnswerer, path: Path) -> SuiteResult:
    """The result with the offline figures of the dataset's paraphrase companion beside its own, if it has one:
    metrics and baselines `paraphrase_<metric>`, the evidence under details["paraphrase"]."""
    companion = paraphrase_path(path)
    if companion is None:
        return result
    extra = run_answers_suite(answerer, companion)
    prefix = f"{PARAPHRASE}_"
    metrics = {**result.metrics, **{prefix + name: value for name, value in extra.metrics.items()}}
    baselines = {name: dict(values) for name, values in result.baselines.items()}
    for name, values in extra.baselines.items():
        baselines.setdefault(name, {}).update({prefix + metric: value for metric, value in values.items()})
    details = dict(result.details)
    details[PARAPHRASE] = {"dataset": extra.dataset, "cases": extra.cases, **extra.details}
    return result.model_copy(update={"metrics": metrics, "baselines": baselines, "details": details})
