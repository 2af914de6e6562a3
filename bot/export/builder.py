"""Assembles a plan's draft from the database: its people, their inputs grouped into themes, and the initiatives.

Initiatives and the plan-level check are not stored in SQL yet, so the caller passes them in (already checked).
Grouping is passed in too (`cluster`), so the builder stays free of models and is easy to test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import InputKind
from bot.errors import NotFoundError
from bot.export.convert import draft_initiative, full_label, guidance_criteria, phrase, plan_check_rows
from bot.export.draft import (
    ActorCount,
    Draft,
    DraftTheme,
    Gathering,
    KindCount,
    NamedActor,
    ParticipantGroup,
    Quote,
    TitleBlock,
)
from bot.messages import catalogue
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.themes.models import Theme, ThemeItem
from bot.themes.plan_themes import items_for

if TYPE_CHECKING:
    from bot.checker.plan_check import CheckedInitiative, PlanCheck
    from bot.checker.rubric import Rubric

Cluster = Callable[[list[ThemeItem]], Sequence[Theme]]
NOTES_ROLE = "notes"
NAMED_KINDS = (InputKind.influential_actor.value, InputKind.aggregation_point.value)


def _quotes(
    theme: Theme,
    rows: dict[int, StoredInput],
    members: dict[int, Membership],
    names: dict[int, str] | None = None,
) -> list[Quote]:
    """Every input of the theme, in the theme's order, as the person wrote it (nothing cut); anonymous (actor
    type and size) unless `names` holds the person (the facilitator opted in and the person agreed)."""
    quotes: list[Quote] = []
    for item_id in theme.item_ids:
        row = rows[item_id]
        member = members.get(row.person_id)
        quotes.append(
            Quote(
                text=" ".join(row.text.split()),
                actor_type=(member.actor_type or "other") if member else None,
                size=member.size if member else None,
                speaker=(names or {}).get(row.person_id),
                input_id=row.id,
                question=row.question,
            )
        )
    return quotes


def _answers(ids: Sequence[str], labels: dict[int, str], named: set[int]) -> list[str]:
    """An initiative answers input ids or theme labels; ids are shown as the label of their theme. Ids of named
    actors and aggregation points are left out: the initiative shows those as its actors, not as what it answers."""
    out: list[str] = []
    for answer in ids:
        number = int(answer) if answer.strip().isdigit() else None
        if number is not None and number in named:
            continue
        shown = labels.get(number) if number is not None else None
        shown = shown or answer
        if shown not in out:
            out.append(shown)
    return out


def build_draft(
    session: Session,
    plan_id: int,
    cluster: Cluster,
    initiatives: Sequence[CheckedInitiative] = (),
    plan_check: PlanCheck | None = None,
    today: date | None = None,
    version: int = 1,
    rubric: Rubric | None = None,
    name_participants: bool = False,
) -> Draft:
    """The draft of one plan as it stands; a plan with no input yet gives a draft that says so.

    Quotes are anonymous unless `name_participants` (the facilitator's choice) and the person agreed to be named.
    """
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(catalogue().text("errors.plan_not_found", plan_id=plan_id))
    members = {m.person_id: m for m in session.scalars(select(Membership).where(Membership.plan_id == plan_id))}
    rows = {
        r.id: r
        for r in session.scalars(select(StoredInput).where(StoredInput.plan_id == plan_id).order_by(StoredInput.id))
    }

    names: dict[int, str] = {}
    if name_participants:
        consenting = [pid for pid, m in members.items() if m.may_be_named and m.consented_at is not None]
        for person in session.scalars(select(PersonRow).where(PersonRow.id.in_(consenting))):
            member = members[person.id]
            label = ", ".join(part for part in (person.display_name, member.organisation) if part)
            if label:
                names[person.id] = label

    def profile(pid: int) -> tuple[str, str | None]:
        member = members.get(pid)
        return ((member.actor_type or "other"), member.size) if member else ("other", None)

    # Participants: stakeholders who agreed to take part, and anyone who gave input, but not meeting notes.
    people = {pid for pid, m in members.items() if m.role == "stakeholder" and m.consented_at is not None}
    people |= {r.person_id for r in rows.values() if getattr(members.get(r.person_id), "role", None) != NOTES_ROLE}
    groups = Counter(profile(pid) for pid in people)
    dates = sorted(r.created_at.date() for r in rows.values())
    per_kind: dict[str, tuple[int, set[int]]] = {}
    for r in rows.values():
        count, who = per_kind.get(r.kind, (0, set()))
        per_kind[r.kind] = (count + 1, who | {r.person_id})
    meetings = sorted({m.joined_at.date() for m in members.values() if m.role == NOTES_ROLE})
    gathering = Gathering(
        participants=[
            ParticipantGroup(actor_type=a, size=s, count=n)
            for (a, s), n in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        ],
        inputs=len(rows),
        by_kind=[
            KindCount(kind=kind, inputs=count, people=len(who))
            for kind, (count, who) in sorted(per_kind.items(), key=lambda kv: _kind_order(kv[0]))
        ],
        first_input=dates[0] if dates else None,
        last_input=dates[-1] if dates else None,
        meetings=meetings,
    )

    grouped = list(
        cluster(items_for(list(rows.values()), cluster))  # the stored vectors (bot/themes/plan_themes.py)
        if rows
        else []
    )
    placed = {item_id for theme in grouped for item_id in theme.item_ids}
    grouped += [  # nothing is dropped: an input the grouping left out is a theme of its own
        Theme(kind=r.kind, label=phrase(r.text), item_ids=[r.id], person_ids=[r.person_id])
        for r in rows.values()
        if r.id not in placed
    ]
    themes: list[DraftTheme] = []
    named: dict[str, list[NamedActor]] = {kind: [] for kind in NAMED_KINDS}
    labels: dict[int, str] = {}
    named_ids: set[int] = set()
    for theme in grouped:
        label = full_label(theme.label, [rows[i].text for i in theme.item_ids])
        who = set(theme.person_ids)
        quotes = _quotes(theme, rows, members, names)
        if theme.kind in named:
            named_ids.update(theme.item_ids)
            named[theme.kind].append(NamedActor(name=label, people=len(who), said=quotes))
            continue
        labels.update({item_id: label for item_id in theme.item_ids})
        actors = Counter(profile(p)[0] for p in who)
        themes.append(
            DraftTheme(
                kind=theme.kind,
                label=label,
                people=len(who),
                inputs=len(theme.item_ids),
                actor_types=[ActorCount(actor_type=a, people=n) for a, n in sorted(actors.items())],
                quotes=quotes,
            )
        )

    return Draft(
        title=TitleBlock(
            plan=plan.name,
            plan_id=plan.id,
            value_chain=plan.value_chain or "",
            region=plan.region or "",
            date=today or date.today(),
            version=version,
            vision=plan.vision,
        ),
        gathering=gathering,
        themes=themes,
        influential_actors=named[InputKind.influential_actor.value],
        aggregation_points=named[InputKind.aggregation_point.value],
        initiatives=[
            draft_initiative(c, _answers(c.initiative.answers, labels, named_ids), rubric) for c in initiatives
        ],
        plan_check=plan_check_rows(plan_check) if plan_check is not None else [],
        criteria=guidance_criteria(rubric),
    )


def _kind_order(kind: str) -> tuple[int, str]:
    """The contract's kinds in the contract's order, kinds added later after them."""
    order = [k.value for k in InputKind]
    return (order.index(kind) if kind in order else len(order), kind)
