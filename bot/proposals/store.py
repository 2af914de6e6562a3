"""Proposals and initiatives in SQL: storing a /propose run, reading scorecards back, the plan-level check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from langchain_core.embeddings import Embeddings
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.checker.judge import Checker
from bot.checker.models import Initiative, Scorecard
from bot.checker.plan_check import CheckedInitiative, PlanCheck, check_plan
from bot.domain import InputKind
from bot.proposals.material import ClusterItems, material_for
from bot.proposals.models import Proposal
from bot.storage.workshop_models import InitiativeRow
from bot.themes import Theme, ThemeItem

TOP_THEMES = 3


def store_proposals(
    session: Session,
    plan_id: int,
    proposals: Sequence[Proposal],
    created_by: int | None = None,
    now: datetime | None = None,
) -> list[InitiativeRow]:
    """Replaces the plan's still-proposed proposals by these; accepted or rejected ones are never touched,
    and a proposal already decided (same text, accepted or rejected) is not proposed again."""
    decided = set(
        session.scalars(
            select(InitiativeRow.text).where(InitiativeRow.plan_id == plan_id, InitiativeRow.status != "proposed")
        )
    )
    session.execute(
        delete(InitiativeRow).where(
            InitiativeRow.plan_id == plan_id, InitiativeRow.origin == "proposal", InitiativeRow.status == "proposed"
        )
    )
    rows = []
    for proposal in proposals:
        if proposal.text in decided:
            continue
        row = InitiativeRow(
            plan_id=plan_id,
            title=proposal.title[:300],
            text=proposal.text,
            body=Initiative(
                title=proposal.title,
                description=proposal.text,
                actors=proposal.actors,
                answers=[str(a.input_id) for a in proposal.answers],
            ).model_dump(mode="json"),
            origin="proposal",
            pattern=proposal.pattern,
            status="proposed",
            verdict=proposal.verdict.value,
            scorecard=proposal.scorecard.to_contract_json(),
            answers=[answer.input_id for answer in proposal.answers],
            created_by=created_by,
        )
        if now is not None:
            row.created_at = row.updated_at = now
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def scorecard_from_json(data: object) -> Scorecard | None:
    """A stored contract `check` JSON back as a Scorecard; None when missing or not in the contract's shape."""
    if not isinstance(data, dict):
        return None
    try:
        return Scorecard.model_validate(data)
    except ValidationError:
        return None


def scorecard_of(row: InitiativeRow, checker: Checker) -> Scorecard:
    """The row's stored scorecard, or a fresh check of its text when none is stored."""
    return scorecard_from_json(row.scorecard) or checker.check(row.text or row.title)


def plan_check_for(
    session: Session,
    plan_id: int,
    checker: Checker,
    embeddings: Embeddings,
    cluster: Callable[[Sequence[ThemeItem], Embeddings], Sequence[Theme]] | None = None,
) -> PlanCheck:
    """The plan-level guidance check over the plan's accepted initiatives (for /initiatives and the export)."""
    if cluster is None:
        from bot.themes import cluster as default_cluster

        cluster = default_cluster
    group: ClusterItems = lambda items: cluster(items, embeddings)  # noqa: E731
    material = material_for(session, plan_id, group)
    constraints = material.ranked(InputKind.constraint)
    top = constraints[:TOP_THEMES]
    rows = session.scalars(
        select(InitiativeRow)
        .where(InitiativeRow.plan_id == plan_id, InitiativeRow.status == "accepted")
        .order_by(InitiativeRow.id)
    )
    checked = []
    for row in rows:
        answered = set(row.answers or [])
        labels = [theme.label for theme in constraints if answered & set(theme.input_ids)]
        checked.append(
            CheckedInitiative(
                initiative=Initiative(title=row.title or "-", description=row.text or "", answers=labels),
                scorecard=scorecard_of(row, checker),
                accepted=True,
            )
        )
    return check_plan(
        checked,
        influential_actors=[t.label for t in material.ranked(InputKind.influential_actor)],
        aggregation_points=[t.label for t in material.ranked(InputKind.aggregation_point)],
        top_themes=[theme.label for theme in top],
    )
