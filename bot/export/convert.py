"""From the checker's shapes to the draft's: the draft stays plain data, so it carries labels and quotes itself.

The criteria's labels, meanings and guidance quotes come from the rubric (knowledge/criteria.yaml) through the
checker's loader; nothing here restates them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.export.draft import DraftInitiative, GuidanceCriterion, OpenQuestion, PlanCheckRow, ScoreRow
from bot.messages import catalogue

if TYPE_CHECKING:
    from bot.checker.models import Initiative, Scorecard
    from bot.checker.plan_check import CheckedInitiative, PlanCheck
    from bot.checker.rubric import Rubric


def _rubric(rubric: Rubric | None) -> Rubric:
    from bot.checker.rubric import load_rubric

    return rubric or load_rubric()


def guidance_criteria(rubric: Rubric | None = None) -> list[GuidanceCriterion]:
    """The appendix: every criterion with what meeting it looks like and the passage it comes from."""
    rubric = _rubric(rubric)
    source = f"{rubric.document}, {rubric.section}"
    return [
        GuidanceCriterion(
            id=c.id, label=c.label, meaning=" ".join(c.met.split()), quote=" ".join(c.quote.split()), source=source
        )
        for c in rubric.criteria
    ]


def scorecard_rows(scorecard: Scorecard, rubric: Rubric | None = None) -> list[ScoreRow]:
    rubric = _rubric(rubric)
    return [
        ScoreRow(
            criterion=result.id,
            label=rubric.criterion(result.id).label,
            status=result.status,
            evidence=result.evidence,
            quote=" ".join(result.citation.quote.split()),
        )
        for result in scorecard.criteria
    ]


def open_questions(scorecard: Scorecard, rubric: Rubric | None = None) -> list[OpenQuestion]:
    rubric = _rubric(rubric)
    return [
        OpenQuestion(criterion=q.criterion, label=rubric.criterion(q.criterion).label, question=q.question)
        for q in scorecard.questions
    ]


def _investment(initiative: Initiative) -> str | None:
    money = initiative.investment
    if money is None or not (money.who or money.amount):
        return None
    if money.who and money.amount:
        return catalogue().text("export.investment", who=money.who, amount=money.amount)
    return money.who or money.amount


def _mse_reach(initiative: Initiative) -> str | None:
    reach = initiative.beneficiaries
    if reach is None:
        return None
    say = catalogue().text
    parts = [reach.description] if reach.description else []
    if reach.mse_count is not None:
        parts.append(say("export.mse_count", count=reach.mse_count))
    if reach.mse_share is not None:
        parts.append(say("export.mse_share_of", share=round(100 * reach.mse_share)))
    return "; ".join(parts) or None


def draft_initiative(
    checked: CheckedInitiative, answers: list[str] | None = None, rubric: Rubric | None = None
) -> DraftInitiative:
    """One initiative with its scorecard; `answers` are the theme labels or quotes its answer ids stand for."""
    rubric = _rubric(rubric)
    initiative = checked.initiative
    return DraftInitiative(
        title=initiative.title,
        description=initiative.description,
        accepted=checked.accepted,
        answers=list(answers if answers is not None else initiative.answers),
        actors=list(initiative.actors),
        lead_actor=initiative.lead_actor,
        investment=_investment(initiative),
        first_benefits=initiative.first_benefits,
        steps=list(initiative.steps),
        risk=initiative.risk,
        mse_reach=_mse_reach(initiative),
        scorecard=scorecard_rows(checked.scorecard, rubric),
        verdict=checked.scorecard.verdict,
        questions=open_questions(checked.scorecard, rubric),
    )


def plan_check_rows(check: PlanCheck) -> list[PlanCheckRow]:
    return [PlanCheckRow(id=item.id.value, passed=item.passed, explanation=item.explanation) for item in check.checks]
