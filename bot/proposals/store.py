"""Proposals and initiatives in SQL: storing a /propose run, reading scorecards back, the plan-level check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.checker.judge import Checker
from bot.checker.models import Beneficiaries, Initiative, Investment, Scorecard
from bot.checker.plan_check import CheckedInitiative, PlanCheck, check_plan
from bot.domain import InputKind
from bot.proposals.material import material_for
from bot.proposals.models import Proposal
from bot.proposals.patterns import load_patterns
from bot.storage.workshop_models import InitiativeRow
from bot.themes import Theme, ThemeItem, answering
from bot.themes.plan_themes import PlanThemes

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
            body=body_of(proposal),
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


def body_of(proposal: Proposal) -> dict[str, Any]:
    """The stored initiative: the checker's `Initiative` shape filled from the proposal's structured fields (so
    the draft shows who leads, the first step, the benefit and who invests), plus the fields themselves with
    their source input ids, what is left to settle at the meeting, and the credit to the stakeholders' idea."""
    fields = proposal.fields
    if fields.what.value is None:  # a proposal from before structured fields, or a hand-made one
        initiative = Initiative(
            title=proposal.title,
            description=proposal.text,
            actors=proposal.actors,
            answers=[str(a.input_id) for a in proposal.answers],
        )
        return initiative.model_dump(mode="json")
    words = load_patterns().render
    where = words.where.format(value=fields.where.value, detail=fields.where.detail or "") if fields.where.value else ""
    benefit = fields.benefit.value
    if benefit and fields.when.value:
        benefit = f"{benefit}, {fields.when.value}"
    reach = fields.beneficiaries.value
    if reach and fields.beneficiaries.detail:
        reach = f"{reach} ({fields.beneficiaries.detail})"
    initiative = Initiative(
        title=proposal.title,
        description=" ".join(part for part in (fields.what.value, where) if part),
        actors=proposal.actors,
        lead_actor=fields.lead.value,
        investment=Investment(who=fields.investment.value) if fields.investment.value else None,
        first_benefits=benefit,
        steps=[fields.first_step.value] if fields.first_step.value else [],
        beneficiaries=Beneficiaries(description=reach) if reach else None,
        answers=[str(a.input_id) for a in proposal.answers],
    )
    return initiative.model_dump(mode="json") | {
        "fields": fields.to_json(),
        "to_settle": proposal.to_settle,
        "credit": proposal.credit.to_json() if proposal.credit else None,
    }


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
    """The plan-level guidance check over the plan's accepted initiatives (for /initiatives and the export).

    Which initiative answers which constraint theme is decided by what it says (bot.themes.answering, the rule
    /summary uses too), not by the input ids stored with it.
    """
    group = PlanThemes(embeddings, cluster)  # the plan's stored vectors; a missing one is embedded once and kept
    material = material_for(session, plan_id, group)
    constraints = material.ranked(InputKind.constraint)
    top = constraints[:TOP_THEMES]
    # every initiative not rejected is matched (each one on its own, so the proposed ones change nothing for the
    # accepted ones); the check reads the accepted ones, the export lists what each answers by the same rule
    every = list(
        session.scalars(
            select(InitiativeRow)
            .where(InitiativeRow.plan_id == plan_id, InitiativeRow.status != "rejected")
            .order_by(InitiativeRow.id)
        )
    )
    items = group.plan_items(session, plan_id)
    links = answering(
        [theme.input_ids for theme in constraints],
        items,
        [(row.title or "", row.text or "") for row in every],
        embeddings,
    )
    rows = [row for row in every if row.status == "accepted"]
    answered: dict[str, list[str]] = {}
    by_row: dict[int, list[str]] = {row.id: [] for row in every}
    ids_by_row: dict[int, list[str]] = {row.id: [] for row in every}  # the inputs of the themes each answers
    for theme, found in zip(constraints, links, strict=True):
        titles = answered.setdefault(theme.label, [])
        for n in found:
            by_row[every[n].id].append(theme.label)
            ids_by_row[every[n].id] += [str(i) for i in theme.input_ids]
            if every[n].status == "accepted":
                titles.append(every[n].title or "-")
    checked = [
        CheckedInitiative(
            initiative=Initiative(title=row.title or "-", description=row.text or "", answers=by_row[row.id]),
            scorecard=scorecard_of(row, checker),
            accepted=True,
        )
        for row in rows
    ]
    result = check_plan(
        checked,
        influential_actors=[t.label for t in material.ranked(InputKind.influential_actor)],
        aggregation_points=[t.label for t in material.ranked(InputKind.aggregation_point)],
        top_themes=[theme.label for theme in top],
        answered=answered,
    )
    return result.model_copy(update={"answers": {str(key): ids for key, ids in ids_by_row.items()}})
