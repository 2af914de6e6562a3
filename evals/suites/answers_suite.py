"""The answers suite in the runner's shape: wraps `evals.suites.answers.run_answers` (its API unchanged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.answers import OfflineAnswerer
from evals.suites.answers import run_answers
from evals.suites.common import SuiteResult, read_rows, rounded


def _check(row: dict[str, Any]) -> str | None:
    if not isinstance(row["question"], str) or not row["question"].strip():
        return "question must be a non-empty string"
    if row["expect"] is not None and not isinstance(row["expect"], str):
        return "expect must be a string or null"
    return None


def load(path: Path) -> list[dict[str, Any]]:
    return read_rows(path, required=("id", "question", "expect"), check=_check)


def run_answers_suite(answerer: OfflineAnswerer, path: Path) -> SuiteResult:
    rows = load(path)
    report = run_answers(answerer, path)
    baselines: dict[str, dict[str, float]] = {}
    for key, value in report.baseline.items():  # "keyword_only_recall_at_1" -> keyword_only: recall_at_1
        name, _, metric = key.partition("_recall")
        baselines.setdefault(name, {})["recall" + metric] = value
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
