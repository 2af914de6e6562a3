"""The guidance checker: initiatives against the eight criteria of the upgrading-plan guidance."""

from bot.checker.judge import Checker, Judge
from bot.checker.models import (
    Beneficiaries,
    CriterionResult,
    FollowUp,
    GuidanceCitation,
    Initiative,
    Investment,
    Scorecard,
)
from bot.checker.offline import OfflineChecker
from bot.checker.plan_check import CheckedInitiative, PlanCheck, PlanCheckId, PlanCheckItem, check_plan
from bot.checker.rubric import Rubric, load_rubric
from bot.checker.verdict import decide_verdict

__all__ = [
    "Beneficiaries",
    "CheckedInitiative",
    "Checker",
    "CriterionResult",
    "FollowUp",
    "GuidanceCitation",
    "Initiative",
    "Investment",
    "Judge",
    "OfflineChecker",
    "PlanCheck",
    "PlanCheckId",
    "PlanCheckItem",
    "Rubric",
    "Scorecard",
    "check_plan",
    "decide_verdict",
    "load_rubric",
]
