"""The facilitator's view: the plan's inputs grouped into themes, ranked by how many people raised them."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.domain import InputKind
from bot.engine import inputs
from bot.engine.models import Reply
from bot.engine.plans import actor_label
from bot.engine.turn import Turn
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.storage.workshop_models import InitiativeRow
from bot.themes import ThemeItem, answering, names
from bot.themes.labels import fit_phrase

MSE_SIZES = frozenset({"micro", "small"})
NAMED_KINDS = (InputKind.influential_actor, InputKind.aggregation_point)


def _answers(turn: Turn, ranked: list, items: list[ThemeItem], accepted: list[InitiativeRow]) -> list[list[str]]:
    """Per ranked constraint theme, the titles of the accepted initiatives that answer it (the plan check's rule)."""
    links = answering(
        [theme.item_ids for theme in ranked],
        items,
        [(row.title or "", row.text or "") for row in accepted],
        turn.providers.embeddings,
    )
    return [[inputs.shorten(accepted[n].title or "-", 60) for n in found] for found in links]


def _named(rows: list[StoredInput], kind: InputKind) -> list[str]:
    """Every player named, once each: an input naming two ("the chief and the chairman") gives two names."""
    seen: dict[str, str] = {}
    for row in rows:
        if row.kind == kind.value:
            for name in names(row.text, kind.value):
                seen.setdefault(" ".join(name.casefold().split()), fit_phrase(name))
    return sorted(seen.values(), key=str.casefold)


def summary(turn: Turn, plan: Plan) -> list[Reply]:
    rows = list(
        turn.session.scalars(select(StoredInput).where(StoredInput.plan_id == plan.id).order_by(StoredInput.id))
    )
    members = {
        m.person_id: (m, p)
        for m, p in turn.session.execute(
            select(Membership, PersonRow)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(Membership.plan_id == plan.id)
        )
    }
    if not rows:
        return [Reply(text=turn.t("engine.summary_empty", plan=plan.name))]
    contributors = {row.person_id for row in rows}
    mse_all = sum(1 for pid in contributors if pid in members and members[pid][0].size in MSE_SIZES)
    lines = [turn.t("engine.summary_header", plan=plan.name, inputs=len(rows), people=len(contributors))]
    service = turn.providers.plan_themes()
    items = service.items(rows)  # stored vectors; inputs kept before 0005 are embedded once and stored
    themes = service.group(items)
    by_kind: dict[str, list] = {}
    for theme in themes:
        by_kind.setdefault(theme.kind, []).append(theme)
    accepted = list(
        turn.session.scalars(
            select(InitiativeRow)
            .where(InitiativeRow.plan_id == plan.id, InitiativeRow.status == "accepted")
            .order_by(InitiativeRow.id)
        )
    )
    for kind in InputKind:
        ranked = sorted(by_kind.get(kind.value, []), key=lambda th: (-len(set(th.person_ids)), -len(th.item_ids)))
        if not ranked:
            continue
        answers = _answers(turn, ranked, items, accepted) if kind is InputKind.constraint and accepted else None
        lines.append("")
        lines.append(turn.t(f"engine.summary_kinds.{kind.value}"))
        for n, theme in enumerate(ranked, start=1):
            people = sorted(set(theme.person_ids))
            actors = Counter(
                actor_label(turn, members[pid][0].actor_type if pid in members else None) for pid in people
            )
            mse = sum(1 for pid in people if pid in members and members[pid][0].size in MSE_SIZES)
            lines.append(
                turn.t(
                    "engine.summary_theme",
                    n=n,
                    label=theme.label,
                    people=len(people),
                    count=len(theme.item_ids),
                    actors=", ".join(f"{name} {count}" for name, count in sorted(actors.items())),
                    mse=mse,
                    mse_all=mse_all,
                    people_all=len(contributors),
                )
            )
            if answers is not None:
                lines.append(
                    turn.t("engine.summary_answered_by", titles="; ".join(answers[n - 1]))
                    if answers[n - 1]
                    else turn.t("engine.summary_not_answered")
                )
    none = turn.t("engine.summary_none")
    for kind, key in zip(NAMED_KINDS, ("engine.summary_influential", "engine.summary_aggregation"), strict=True):
        named = _named(rows, kind)
        lines.append("")
        lines.append(turn.t(key, names="; ".join(named) if named else none))
    unfinished = [
        person.display_name or turn.t("engine.anonymous", id=person.id)
        for membership, person in members.values()
        if membership.role == "stakeholder"
        and membership.consented_at is not None
        and membership.interview_done_at is None
    ]
    lines.append("")
    lines.append(
        turn.t("engine.summary_unfinished", names=", ".join(sorted(unfinished)))
        if unfinished
        else turn.t("engine.summary_all_finished")
    )
    return [Reply(text="\n".join(lines))]
