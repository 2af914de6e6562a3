"""Stakeholders' views of an initiative: asked of every consented stakeholder, answered with a button.

A view can be given only by the person it was asked of, while it is pending (an `InitiativeView` row).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.engine.callbacks import Action, Callback, build
from bot.engine.models import Choice, Reply
from bot.engine.turn import Turn
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow
from bot.storage.workshop_models import InitiativeRow, InitiativeView

STANCES = ("support", "concern", "neutral")


def counts(turn: Turn, initiative_ids: list[int]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    if not initiative_ids:
        return counts
    for view in turn.session.scalars(select(InitiativeView).where(InitiativeView.initiative_id.in_(initiative_ids))):
        counts.setdefault(view.initiative_id, Counter())[view.stance] += 1
    return counts


def ask(turn: Turn, plan: Plan, row: InitiativeRow) -> list[Reply]:
    people = list(
        turn.session.execute(
            select(Membership, PersonRow)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(
                Membership.plan_id == plan.id,
                Membership.role == "stakeholder",
                Membership.consented_at.is_not(None),
            )
            .order_by(PersonRow.id)
        )
    )
    if not people:
        return [turn.reply("initiatives.views_none")]
    existing = {
        view.person_id: view
        for view in turn.session.scalars(select(InitiativeView).where(InitiativeView.initiative_id == row.id))
    }
    asks: list[Reply] = []
    for _, person in people:
        view = existing.get(person.id)
        if view is None:
            view = InitiativeView(initiative_id=row.id, person_id=person.id, stance="pending", created_at=turn.now)
            turn.session.add(view)
            turn.session.flush()
        else:
            view.stance = "pending"
        text = turn.t("initiatives.view_ask", plan=plan.name, title=row.title, text=row.text)
        choices = [Choice(label=turn.t(f"initiatives.view_{s}"), data=build(Action.VIEW, view.id, s)) for s in STANCES]
        asks.append(Reply(to=person.key, text=text, choices=choices))
    return [turn.reply("initiatives.views_asked", count=len(asks), title=row.title), *asks]


def on_view(turn: Turn, callback: Callback) -> list[Reply]:
    """A stakeholder's answer: valid only from the person it was asked of, while it is still pending."""
    stance = callback.word
    view = turn.session.get(InitiativeView, callback.ref)
    if view is None or view.person_id != turn.person.id or view.stance != "pending" or stance not in STANCES:
        raise turn.fail("initiatives.view_gone")
    row = turn.session.get(InitiativeRow, view.initiative_id)
    member = (
        turn.session.scalar(
            select(Membership).where(Membership.person_id == turn.person.id, Membership.plan_id == row.plan_id)
        )
        if row is not None
        else None
    )
    if member is None:
        raise turn.fail("initiatives.view_gone")
    view.stance = stance
    return [turn.reply("initiatives.view_saved", stance=turn.t(f"initiatives.stances.{stance}"))]
