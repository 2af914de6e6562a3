"""The array rules the threshold search scores with are the product's own rules, status for status."""

from __future__ import annotations

import numpy as np

from bot.checker.verdict import decide_verdict
from bot.learning.corpus import CheckerExample
from bot.learning.train import CRITERIA, STATUS_CODES, VERDICT_CODES, decide_codes, fold_group, verdict_codes


def test_the_array_verdict_rule_agrees_with_the_contracts_rule_on_random_scorecards() -> None:
    rng = np.random.default_rng(3)
    statuses = rng.integers(0, 3, size=(4000, len(CRITERIA)))
    got = verdict_codes(statuses)
    for row, verdict in zip(statuses, got, strict=True):
        expected = decide_verdict({c: STATUS_CODES[code] for c, code in zip(CRITERIA, row, strict=True)})
        assert VERDICT_CODES[verdict] is expected


def test_the_array_decision_rule_prefers_not_met_only_when_it_is_stronger() -> None:
    best = np.array([[0.9, 0.1], [0.5, 0.8], [0.8, 0.7], [0.1, 0.1], [0.2, 0.6]])
    codes = decide_codes(best, np.array([[0.5]]), np.array([[0.5]]))[0]
    assert [STATUS_CODES[c].value for c in codes] == ["met", "not_met", "met", "unclear", "not_met"]


def test_corpus_folds_hold_out_one_writers_file() -> None:
    example = CheckerExample(id="ck-rw2-0042", value_chain="poultry", style="terse", sentences=[{"text": "x"}])
    assert fold_group(example, "corpus") == "ck-rw2"
    assert fold_group(example, "value_chain") == "poultry"
