"""The contract's verdict rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.checker import decide_verdict
from bot.domain import SUPPORT_QUALITIES, CriterionId, Status, Verdict

C = CriterionId


def test_industry_wide_not_met_is_not_recommended_even_when_all_else_is_met() -> None:
    statuses = {c: Status.met for c in CriterionId} | {C.industry_wide: Status.not_met}
    assert decide_verdict(statuses) is Verdict.not_recommended


def test_reaches_mses_not_met_is_not_recommended() -> None:
    assert decide_verdict({C.reaches_mses: Status.not_met, C.industry_wide: Status.met}) is Verdict.not_recommended


def test_both_gates_and_one_support_quality_met_is_recommended() -> None:
    for quality in SUPPORT_QUALITIES:
        statuses = {C.industry_wide: Status.met, C.reaches_mses: Status.met, quality: Status.met}
        assert decide_verdict(statuses) is Verdict.recommended


def test_gates_met_without_any_support_quality_is_revise() -> None:
    assert decide_verdict({C.industry_wide: Status.met, C.reaches_mses: Status.met}) is Verdict.revise


def test_any_other_not_met_turns_recommended_into_revise() -> None:
    base = {C.industry_wide: Status.met, C.reaches_mses: Status.met, C.investment: Status.met}
    assert decide_verdict(base | {C.small_steps: Status.not_met}) is Verdict.revise
    assert decide_verdict(base | {C.aggregation_points: Status.not_met}) is Verdict.revise


def test_missing_criteria_count_as_unclear() -> None:
    assert decide_verdict({}) is Verdict.revise
    assert decide_verdict({"industry_wide": "met", "investment": "met"}) is Verdict.revise


_status = st.sampled_from(list(Status))


@given(st.fixed_dictionaries({c: _status for c in CriterionId}))
def test_rule_holds_for_every_combination(statuses: dict[CriterionId, Status]) -> None:
    verdict = decide_verdict(statuses)
    gates = (statuses[C.industry_wide], statuses[C.reaches_mses])
    if Status.not_met in gates:
        assert verdict is Verdict.not_recommended
    elif (
        gates == (Status.met, Status.met)
        and any(statuses[q] is Status.met for q in SUPPORT_QUALITIES)
        and Status.not_met not in statuses.values()
    ):
        assert verdict is Verdict.recommended
    else:
        assert verdict is Verdict.revise
