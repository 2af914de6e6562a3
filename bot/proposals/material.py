"""The plan material read from SQL: every input of the plan, grouped into themes, with people counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import InputKind
from bot.errors import NotFoundError
from bot.messages import catalogue
from bot.proposals.models import MaterialInput, MaterialTheme, PlanMaterial
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, StoredInput
from bot.themes import Theme, ThemeItem, shorten
from bot.themes.plan_themes import items_for

ClusterItems = Callable[[list[ThemeItem]], Sequence[Theme]]


def material_for(session: Session, plan_id: int, cluster: ClusterItems) -> PlanMaterial:
    """A snapshot of one plan (and only that plan); an unknown plan is a NotFoundError naming it."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(catalogue().text("errors.plan_not_found", plan_id=plan_id))
    rows = list(session.scalars(select(StoredInput).where(StoredInput.plan_id == plan_id).order_by(StoredInput.id)))
    known = {kind.value for kind in InputKind}
    rows = [row for row in rows if row.kind in known and row.text.strip()]
    profiles = {
        m.person_id: (m.actor_type, m.size)
        for m in session.scalars(select(Membership).where(Membership.plan_id == plan_id))
    }
    inputs = [
        MaterialInput(
            id=r.id,
            kind=InputKind(r.kind),
            text=r.text,
            person_id=r.person_id,
            question=r.question,
            actor_type=profiles.get(r.person_id, (None, None))[0],
            size=profiles.get(r.person_id, (None, None))[1],
        )
        for r in rows
    ]
    items = items_for(rows, cluster)  # with their stored vectors (bot/themes/plan_themes.py)
    themes = cluster(items) if rows else []
    by_id = {row.id: row.text for row in rows}
    return PlanMaterial(
        plan_id=plan.id,
        name=plan.name,
        value_chain=plan.value_chain,
        region=plan.region,
        inputs=inputs,
        themes=[
            MaterialTheme(
                kind=InputKind(theme.kind),
                label=_full_label(theme, by_id),
                input_ids=list(theme.item_ids),
                people=len(set(theme.person_ids)),
            )
            for theme in themes
            if theme.item_ids and theme.label.strip()
        ],
        vectors={item.id: item.floats() or [] for item in items if item.vector is not None},
    )


def _full_label(theme: Theme, texts: dict[int, str]) -> str:
    """The whole words of the theme's central input (its label is them cut short for lists), so sentences
    built from it never stop mid-phrase."""
    for item_id in theme.item_ids:
        text = " ".join(texts.get(item_id, "").split())
        if text and shorten(text) == theme.label:
            return text.rstrip(" .;,")
    return theme.label
