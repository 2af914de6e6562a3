"""The answers test set: the top citation holds the expected passage; out-of-scope questions abstain."""

from __future__ import annotations

import pytest

from evals.datasets import dataset_path
from evals.suites.answers import run_answers
from evals.suites.common import read_rows

pytestmark = [pytest.mark.model, pytest.mark.eval]


def test_dataset_is_big_enough_and_has_out_of_scope_questions() -> None:
    rows = read_rows(dataset_path("answers"), required=("id", "question", "expect"))
    assert len(rows) >= 30
    assert sum(row["expect"] is None for row in rows) >= 5
    assert len({row["id"] for row in rows}) == len(rows)


def test_top_citation_holds_the_expected_passage(make_services) -> None:
    report = run_answers(make_services().offline_answerer, dataset_path("answers"))
    print("answers (test split):", report.metrics, "keyword baseline:", report.baseline)
    assert report.metrics["recall_at_1"] >= 0.90, report.failures
    assert report.metrics["abstention_recall"] == 1.0, report.failures  # every out-of-scope question abstains
    assert report.metrics["citation_validity"] == 1.0
