"""The eval metrics: multisets per message, per-kind precision/recall/F1, macro-F1, confusion matrix."""

from __future__ import annotations

import pytest

from evals.metrics import confusion_matrix, empty_false_input_rate, macro_f1, multiset_prf

LABELS = ["constraint", "idea"]


def test_multisets_count_repeated_kinds() -> None:
    prf = multiset_prf([["constraint"]], [["constraint", "constraint"]], LABELS)
    assert prf["constraint"]["tp"] == 1
    assert prf["constraint"]["fn"] == 1
    assert prf["constraint"]["precision"] == 1.0
    assert prf["constraint"]["recall"] == 0.5
    assert prf["constraint"]["f1"] == pytest.approx(2 / 3)


def test_a_wrong_kind_is_a_false_positive_and_a_false_negative() -> None:
    prf = multiset_prf([["idea"], []], [["constraint"], []], LABELS)
    assert (prf["idea"]["fp"], prf["constraint"]["fn"]) == (1, 1)
    assert prf["idea"]["f1"] == 0.0
    assert macro_f1(prf) == 0.0


def test_perfect_predictions_score_one() -> None:
    gold = [["constraint", "idea"], [], ["idea"]]
    prf = multiset_prf([list(reversed(g)) for g in gold], gold, LABELS)
    assert macro_f1(prf) == 1.0


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="messages"):
        multiset_prf([[]], [[], []], LABELS)


def test_confusion_matrix_pairs_leftovers_and_counts_missing_as_none() -> None:
    matrix = confusion_matrix([["idea", "idea"], []], [["constraint"], ["idea"]], LABELS)
    assert matrix["constraint"]["idea"] == 1
    assert matrix["none"]["idea"] == 1
    assert matrix["idea"]["none"] == 1
    assert matrix["constraint"]["constraint"] == 0


def test_empty_false_input_rate() -> None:
    assert empty_false_input_rate([["idea"], [], ["idea"]], [[], [], ["idea"]]) == 0.5
