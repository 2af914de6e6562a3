"""The contract's verdict rule, alone, so every checker (offline or LLM) decides the same way."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain import SUPPORT_QUALITIES, CriterionId, Status, Verdict


def decide_verdict(statuses: Mapping[CriterionId | str, Status | str]) -> Verdict:
    """not_recommended if industry_wide or reaches_mses is not_met; recommended if both are met, one support
    quality is met and nothing is not_met; revise otherwise. A criterion left out counts as unclear."""
    normal = {CriterionId(key): Status(value) for key, value in statuses.items()}

    def status(criterion: CriterionId) -> Status:
        return normal.get(criterion, Status.unclear)

    if Status.not_met in (status(CriterionId.industry_wide), status(CriterionId.reaches_mses)):
        return Verdict.not_recommended
    if (
        status(CriterionId.industry_wide) is Status.met
        and status(CriterionId.reaches_mses) is Status.met
        and any(status(quality) is Status.met for quality in SUPPORT_QUALITIES)
        and all(value is not Status.not_met for value in normal.values())
    ):
        return Verdict.recommended
    return Verdict.revise
