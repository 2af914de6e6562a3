"""Checks over a whole plan: the guidance asks things of the set of initiatives, not only of each one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from pydantic import BaseModel, Field

from bot.checker.models import Initiative, Scorecard
from bot.checker.offline import render_initiative
from bot.checker.rubric import Rubric, load_rubric
from bot.domain import SUPPORT_QUALITIES, CriterionId, Status, Verdict
from bot.messages import catalogue


class PlanCheckId(StrEnum):
    support_qualities = "support_qualities"
    near_term_win = "near_term_win"
    influential_actor = "influential_actor"
    aggregation_point = "aggregation_point"
    themes_answered = "themes_answered"
    themes_answered_by = "themes_answered_by"  # only when some top themes are answered and some are not
    accepted = "accepted"


class CheckedInitiative(BaseModel):
    """An initiative with its scorecard and whether the plan has accepted it."""

    initiative: Initiative
    scorecard: Scorecard
    accepted: bool = False


class PlanCheckItem(BaseModel):
    id: PlanCheckId
    passed: bool
    explanation: str


class PlanCheck(BaseModel):
    checks: list[PlanCheckItem] = Field(default_factory=list)
    answers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The caller's key of each initiative (a row id) -> the input ids of the constraint themes it "
        "answers, by the one rule (bot.themes.answering) the check used; the export lists those themes under it.",
    )

    @property
    def passed(self) -> bool:
        return all(item.passed for item in self.checks)

    def item(self, check: PlanCheckId | str) -> PlanCheckItem:
        wanted = PlanCheckId(check)
        return next(item for item in self.checks if item.id == wanted)


def check_plan(
    initiatives: Sequence[CheckedInitiative],
    influential_actors: Sequence[str] = (),
    aggregation_points: Sequence[str] = (),
    top_themes: Sequence[str] = (),
    rubric: Rubric | None = None,
    answered: Mapping[str, Sequence[str]] | None = None,
) -> PlanCheck:
    """Pure: the same initiatives, names and themes give the same result.

    `answered` maps a top theme to the titles of the initiatives that answer it (bot.themes.answering, the rule
    /summary and the export use too); without it, an initiative answers the themes its `answers` name.
    """
    rubric = rubric or load_rubric()
    say = catalogue().text
    items: list[PlanCheckItem] = []

    def met(entry: CheckedInitiative, criterion: CriterionId) -> bool:
        return entry.scorecard.status(criterion) is Status.met

    covered = [q for q in SUPPORT_QUALITIES if any(met(e, q) for e in initiatives)]
    missing = [q for q in SUPPORT_QUALITIES if q not in covered]
    labels = {spec.id: spec.label for spec in rubric.criteria}
    items.append(
        PlanCheckItem(
            id=PlanCheckId.support_qualities,
            passed=not missing,
            explanation=say("checker.plan.support_qualities_fail", missing=", ".join(labels[q] for q in missing))
            if missing
            else say("checker.plan.support_qualities_pass", covered=", ".join(labels[q] for q in covered)),
        )
    )

    win = next((e for e in initiatives if met(e, CriterionId.near_term_benefits)), None)
    items.append(
        PlanCheckItem(
            id=PlanCheckId.near_term_win,
            passed=win is not None,
            explanation=say("checker.plan.near_term_win_pass", title=win.initiative.title)
            if win
            else say("checker.plan.near_term_win_fail"),
        )
    )

    for check_id, criterion, names in (
        (PlanCheckId.influential_actor, CriterionId.influential_actors, influential_actors),
        (PlanCheckId.aggregation_point, CriterionId.aggregation_points, aggregation_points),
    ):
        through = next((e for e in initiatives if met(e, criterion) or _names_one(e.initiative, names)), None)
        named = ", ".join(names) if names else say("checker.plan.none_named")
        items.append(
            PlanCheckItem(
                id=check_id,
                passed=through is not None,
                explanation=say(f"checker.plan.{check_id.value}_pass", title=through.initiative.title)
                if through
                else say(f"checker.plan.{check_id.value}_fail", named=named),
            )
        )

    if answered is None:
        answered = {
            theme: [e.initiative.title for e in initiatives if theme in e.initiative.answers] for theme in top_themes
        }
    pairs = [(theme, list(answered.get(theme, ()))) for theme in top_themes]
    unanswered = [theme for theme, titles in pairs if not titles]
    shown = "; ".join(
        say(
            "checker.plan.themes_answered_pair",
            theme=theme,
            titles=", ".join(say("checker.plan.themes_answered_title", title=title) for title in titles),
        )
        for theme, titles in pairs
        if titles
    )
    if not top_themes:
        themes_text = say("checker.plan.themes_none")
    elif unanswered:  # the themes no initiative answers, alone: a theme answered is never named in this line
        themes_text = say("checker.plan.themes_answered_fail", missing=", ".join(unanswered))
    else:
        themes_text = say("checker.plan.themes_answered_pass", pairs=shown)
    items.append(PlanCheckItem(id=PlanCheckId.themes_answered, passed=not unanswered, explanation=themes_text))
    if unanswered and shown:  # which initiative answers which of the others: a line of its own
        items.append(
            PlanCheckItem(
                id=PlanCheckId.themes_answered_by,
                passed=True,
                explanation=say("checker.plan.themes_answered_by", pairs=shown),
            )
        )

    wrong = [e.initiative.title for e in initiatives if e.accepted and e.scorecard.verdict is Verdict.not_recommended]
    items.append(
        PlanCheckItem(
            id=PlanCheckId.accepted,
            passed=not wrong,
            explanation=say("checker.plan.accepted_fail", titles=", ".join(wrong))
            if wrong
            else say("checker.plan.accepted_pass"),
        )
    )
    return PlanCheck(checks=items)


def _names_one(initiative: Initiative, names: Sequence[str]) -> bool:
    """True when the initiative names (as actor, lead or in its text) one of the plan's named players."""
    text = render_initiative(initiative).casefold()
    return any(name.strip() and name.strip().casefold() in text for name in names)
