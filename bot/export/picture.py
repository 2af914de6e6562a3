"""The data of the draft's charts (bot.charts), taken from the draft itself and the plan's memberships.

The draft already holds the ranked themes (with every quote's input id) and the initiatives' scorecards; what it
does not keep is who is a micro or small enterprise and who finished the interview, so those come from the
plan's memberships in the same session. The themes charted are the priorities of the draft, in its order.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.charts.models import (
    CoverageData,
    CoverageRow,
    CriterionName,
    Picture,
    ProgressData,
    ProgressRow,
    ThemeBar,
    ThemeGroup,
    ThemesData,
)
from bot.domain import CriterionId
from bot.export.convert import guidance_criteria
from bot.export.draft import MSE_SIZES, Draft, DraftTheme
from bot.export.layout import RANKED_KINDS, _other_kinds
from bot.storage.plan_models import Membership, StoredInput

TOP_THEMES = 8  # per kind: the chart shows the themes most people raised; the tables list them all
STAKEHOLDER = "stakeholder"


def _bar(theme: DraftTheme, owners: dict[int, int], members: dict[int, Membership]) -> ThemeBar:
    people = {owners[q.input_id] for q in theme.quotes if q.input_id is not None and q.input_id in owners}
    mses = sum(1 for pid in people if pid in members and members[pid].size in MSE_SIZES)
    return ThemeBar(
        label=theme.label,
        people=theme.people,
        mses=min(mses, theme.people),
        actor_types={a.actor_type: a.people for a in theme.actor_types if a.people},
    )


def themes_data(draft: Draft, owners: dict[int, int], members: dict[int, Membership], top: int) -> ThemesData:
    groups = []
    for kind in (*RANKED_KINDS, *_other_kinds(draft)):
        ranked = draft.ranked_themes(kind)
        if ranked:
            bars = [_bar(theme, owners, members) for theme in ranked[:top]]
            groups.append(ThemeGroup(kind=kind, themes=bars, hidden=max(0, len(ranked) - top)))
    return ThemesData(groups=groups)


def coverage_data(draft: Draft) -> CoverageData:
    """The checked initiatives numbered as the draft numbers them; the accepted ones, or the proposed ones when
    none is accepted yet."""
    ordered = list(enumerate(draft.ordered_initiatives(), start=1))
    checked = [(n, i) for n, i in ordered if i.scorecard]
    accepted = [(n, i) for n, i in checked if i.accepted]
    shown = accepted or checked
    labels = {c.id: c.label for c in draft.criteria} or {c.id: c.label for c in guidance_criteria()}
    for _, initiative in shown:
        for row in initiative.scorecard:
            labels.setdefault(row.criterion, row.label)
    criteria = [CriterionName(id=c, label=labels[c]) for c in CriterionId if c in labels]
    rows = [
        CoverageRow(title=f"{n}. {' '.join(i.title.split())}", statuses={r.criterion: r.status for r in i.scorecard})
        for n, i in shown
    ]
    return CoverageData(criteria=criteria, rows=rows, accepted=bool(accepted) or not checked)


def progress_data(members: dict[int, Membership]) -> ProgressData:
    """Stakeholders who agreed to take part (and so started the interview), and who finished it, by actor type."""
    counts: dict[str, list[int]] = {}
    for member in members.values():
        if member.role != STAKEHOLDER or member.consented_at is None:
            continue
        row = counts.setdefault(member.actor_type or "other", [0, 0])
        row[0] += 1
        row[1] += member.interview_done_at is not None
    return ProgressData(rows=[ProgressRow(actor_type=a, started=s, finished=f) for a, (s, f) in sorted(counts.items())])


def gather_picture(session: Session, plan_id: int, draft: Draft, top: int = TOP_THEMES) -> Picture:
    members = {m.person_id: m for m in session.scalars(select(Membership).where(Membership.plan_id == plan_id))}
    owners = {
        input_id: person_id
        for input_id, person_id in session.execute(
            select(StoredInput.id, StoredInput.person_id).where(StoredInput.plan_id == plan_id)
        )
    }
    return Picture(
        themes=themes_data(draft, owners, members, top),
        coverage=coverage_data(draft),
        progress=progress_data(members),
    )
