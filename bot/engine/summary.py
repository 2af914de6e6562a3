"""The facilitator's view: the plan's inputs grouped into themes, ranked by how many people raised them.

The themes chart goes first, as a photo, drawn from the very themes the text ranks (no second grouping); the text
follows for those who cannot load pictures."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.charts import ThemeBar, ThemeGroup, ThemesData, themes_chart
from bot.domain import InputKind
from bot.engine import inputs
from bot.engine.groups import with_votes
from bot.engine.models import Reply, ReplyPhoto
from bot.engine.plans import actor_label
from bot.engine.turn import Turn
from bot.export.picture import TOP_THEMES
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.storage.workshop_models import InitiativeRow
from bot.themes import ThemeItem, answering, names
from bot.themes.labels import fit_phrase

MSE_SIZES = frozenset({"micro", "small"})
NAMED_KINDS = (InputKind.influential_actor, InputKind.aggregation_point)
CHARTED_KINDS = (InputKind.constraint, InputKind.opportunity)  # the kinds the draft's themes chart ranks too
CAPTION_PLAN_CHARS, CAPTION_LABEL_CHARS = 80, 160  # keeps the caption far under Telegram's 1024 characters


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


def cmd_summary(turn: Turn) -> list[Reply]:
    """/summary, then the ranking the linked group's votes gave."""
    plan = turn.plan()
    assert plan is not None  # facilitator commands are checked for an active plan first
    return with_votes(turn, plan, summary(turn, plan))


Members = dict[int, tuple[Membership, PersonRow]]


def _members(turn: Turn, plan: Plan) -> Members:
    return {
        m.person_id: (m, p)
        for m, p in turn.session.execute(
            select(Membership, PersonRow)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(Membership.plan_id == plan.id)
        )
    }


def summary(turn: Turn, plan: Plan) -> list[Reply]:
    rows = list(
        turn.session.scalars(select(StoredInput).where(StoredInput.plan_id == plan.id).order_by(StoredInput.id))
    )
    members = _members(turn, plan)
    if not rows:
        return [Reply(text=turn.t("engine.summary_empty", plan=plan.name))]
    contributors = {row.person_id for row in rows}
    lines = [turn.t("engine.summary_header", plan=plan.name, inputs=len(rows), people=len(contributors))]
    theme_lines, charted = _theme_lines(turn, plan, rows, members, contributors)
    lines += theme_lines
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
    return [Reply(text="\n".join(lines), photo=_chart(turn, plan, charted))]


def _chart(turn: Turn, plan: Plan, data: ThemesData) -> ReplyPhoto | None:
    """The themes chart in the reader's language, with a caption naming the theme most people raised."""
    if data.empty:
        return None
    top = max((bar for group in data.groups for bar in group.themes), key=lambda bar: bar.people)
    caption = turn.t(
        "engine.summary_chart_caption",
        plan=inputs.shorten(plan.name, CAPTION_PLAN_CHARS),
        top=inputs.shorten(" ".join(top.label.split()), CAPTION_LABEL_CHARS),
        people=top.people,
    )
    return ReplyPhoto(name=f"themes-plan-{plan.id}.png", content=themes_chart(data, turn.msg), caption=caption)


def _bar(label: str, people: list[int], members: Members) -> ThemeBar:
    actor_types = Counter((members[pid][0].actor_type or "other") if pid in members else "other" for pid in people)
    mses = sum(1 for pid in people if pid in members and members[pid][0].size in MSE_SIZES)
    return ThemeBar(label=label, people=len(people), mses=mses, actor_types=dict(actor_types))


def _theme_lines(
    turn: Turn, plan: Plan, rows: list[StoredInput], members: Members, contributors: set[int]
) -> tuple[list[str], ThemesData]:
    """Each kind's themes, ranked by how many people raised them; constraints with the initiatives answering them.
    Also the chart's data, from the same ranked themes: the top ones of each charted kind."""
    mse_all = sum(1 for pid in contributors if pid in members and members[pid][0].size in MSE_SIZES)
    service = turn.providers.plan_themes()
    items = service.items(rows)  # stored vectors; inputs kept before 0005 are embedded once and stored
    by_kind: dict[str, list] = {}
    for theme in service.group(items):
        by_kind.setdefault(theme.kind, []).append(theme)
    accepted = list(
        turn.session.scalars(
            select(InitiativeRow)
            .where(InitiativeRow.plan_id == plan.id, InitiativeRow.status == "accepted")
            .order_by(InitiativeRow.id)
        )
    )
    lines: list[str] = []
    groups: list[ThemeGroup] = []
    for kind in InputKind:
        ranked = sorted(by_kind.get(kind.value, []), key=lambda th: (-len(set(th.person_ids)), -len(th.item_ids)))
        if not ranked:
            continue
        if kind in CHARTED_KINDS:
            bars = [_bar(th.label, sorted(set(th.person_ids)), members) for th in ranked[:TOP_THEMES]]
            groups.append(ThemeGroup(kind=kind.value, themes=bars, hidden=max(0, len(ranked) - TOP_THEMES)))
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
    return lines, ThemesData(groups=groups)
