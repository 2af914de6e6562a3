"""The gate: every offline suite on the TEST split, through the runner, against evals/thresholds.yaml."""

from __future__ import annotations

import pytest

from evals.runner import SUITES, EvalContext, load_thresholds, plan_runs, run_suites

pytestmark = [pytest.mark.eval, pytest.mark.model]


@pytest.mark.parametrize("suite", list(SUITES))
def test_suite_meets_its_thresholds_on_the_test_split(suite: str, real_context: EvalContext) -> None:
    thresholds = load_thresholds()
    assert thresholds.get(suite), f"evals/thresholds.yaml gates nothing of {suite}"
    run = run_suites(plan_runs(suite, None, "test"), real_context, thresholds, split="test")
    report = run.suites[0]
    print(f"\n{suite} ({report.result.cases} cases, {report.seconds} s):", report.result.metrics)
    print("  baselines:", report.result.baselines)
    below = [
        f"{suite}.{check.metric} = {check.value} (min {check.min}, max {check.max})"
        for check in report.checks
        if not check.passed
    ]
    assert not below, "out of bounds: " + "; ".join(below)
