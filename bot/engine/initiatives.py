"""The facilitators' initiatives: /initiatives, accepting, rejecting, editing, promoting ideas, asking the
stakeholders' views (bot.engine.views); /check and /propose draft them (bot.engine.drafting).

Every choice is checked against SQL: the initiative must belong to the facilitator's active plan.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.checker.models import Initiative, Scorecard
from bot.checker.rubric import load_rubric
from bot.domain import InputKind, Verdict
from bot.engine import inputs as inputs_mod
from bot.engine import views as stakeholder_views
from bot.engine.callbacks import Action, Callback, build
from bot.engine.models import Choice, Reply
from bot.engine.states import Mode
from bot.engine.turn import BASE, Turn
from bot.export.convert import phrase
from bot.proposals import plan_check_for
from bot.proposals.store import scorecard_of
from bot.storage.models import Plan
from bot.storage.plan_models import StoredInput
from bot.storage.workshop_models import InitiativeRow

# The buttons of one initiative's menu, after the list; a view (Action.VIEW) is answered by a stakeholder.
ACTIONS = frozenset(
    {Action.INITIATIVE, Action.ACCEPT, Action.REJECT, Action.EDIT, Action.SCORECARD, Action.VIEWS}
    | {Action.IDEAS, Action.PROMOTE}
)
MAX_LISTED = 20
TITLE_CHARS = 80


# ---- shared helpers --------------------------------------------------------------------------------------


def facilitator_plan(turn: Turn, command: str = "initiatives") -> Plan:
    """The active plan, when the person is one of its consented facilitators (choices skip the command check)."""
    membership = turn.membership()
    plan = turn.plan()
    if membership is None or plan is None:
        raise turn.fail("engine.no_plan")
    if membership.role != "facilitator" or membership.consented_at is None:
        raise turn.fail("engine.facilitator_only", command=command)
    return plan


def _initiative(turn: Turn, plan: Plan, initiative_id: int | None) -> InitiativeRow:
    row = turn.session.get(InitiativeRow, initiative_id) if initiative_id is not None else None
    if row is None or row.plan_id != plan.id:
        raise turn.fail("initiatives.gone")
    return row


def verdict_label(turn: Turn, verdict: str | None) -> str:
    return turn.t(f"checker.verdicts.{verdict}") if verdict else "-"


def render_scorecard(turn: Turn, card: Scorecard) -> str:
    """Each criterion with its status, evidence and guidance quote, then the verdict."""
    rubric = load_rubric()
    lines = [turn.t("initiatives.scorecard_header")]
    for result in card.criteria:
        lines.append(
            turn.t(
                "initiatives.criterion_line",
                label=rubric.criterion(result.id).label,
                status=turn.t(f"checker.statuses.{result.status.value}"),
            )
        )
        if result.evidence:
            lines.append(turn.t("initiatives.evidence_line", evidence=result.evidence))
        lines.append(turn.t("initiatives.guidance_line", quote=" ".join(result.citation.quote.split())))
    lines.append(turn.t("initiatives.verdict", verdict=verdict_label(turn, card.verdict.value)))
    return "\n".join(lines)


def changes(turn: Turn, before: dict[str, str], after: Scorecard) -> str:
    rubric = load_rubric()
    lines = [
        turn.t(
            "initiatives.change_line",
            label=rubric.criterion(result.id).label,
            before=turn.t(f"checker.statuses.{before[result.id.value]}"),
            after=turn.t(f"checker.statuses.{result.status.value}"),
        )
        for result in after.criteria
        if before.get(result.id.value, result.status.value) != result.status.value
    ]
    if not lines:
        return turn.t("initiatives.nothing_changed")
    return "\n".join([turn.t("initiatives.changed_header"), *lines])


def statuses(card: Scorecard) -> dict[str, str]:
    return {result.id.value: result.status.value for result in card.criteria}


def title_of(text: str) -> str:
    """A whole phrase of the first line (its first clause when long), never cut inside a word or with "…"."""
    first = next((line for line in text.splitlines() if line.strip()), text)
    return phrase(first, TITLE_CHARS)[:300]


# ---- /initiatives ----------------------------------------------------------------------------------------


def cmd_initiatives(turn: Turn) -> list[Reply]:
    plan = facilitator_plan(turn)
    turn.set_mode(BASE)
    rows = list(
        turn.session.scalars(select(InitiativeRow).where(InitiativeRow.plan_id == plan.id).order_by(InitiativeRow.id))
    )
    order = {"accepted": 0, "proposed": 1, "rejected": 2}
    rows.sort(key=lambda r: (order.get(r.status, 3), r.id))
    lines = [turn.t("initiatives.list_header", plan=plan.name)] if rows else [turn.t("initiatives.list_empty")]
    views = stakeholder_views.counts(turn, [row.id for row in rows])
    choices = []
    for n, row in enumerate(rows, start=1):
        counts = views.get(row.id)
        lines.append(
            turn.t(
                "initiatives.list_line",
                n=n,
                title=row.title,
                verdict=verdict_label(turn, row.verdict),
                status=turn.t(f"initiatives.statuses.{row.status}"),
                views=turn.t(
                    "initiatives.views_counts", **{s: counts.get(s, 0) for s in (*stakeholder_views.STANCES, "pending")}
                )
                if counts
                else "",
            )
        )
        if n <= MAX_LISTED:
            label = f"{n}. {inputs_mod.shorten(row.title, 40)}"
            choices.append(Choice(label=label, data=build(Action.INITIATIVE, row.id)))
    if rows:
        lines.append(turn.t("initiatives.list_pick"))
    choices.append(Choice(label=turn.t("initiatives.promote_button"), data=build(Action.IDEAS)))
    check = plan_check_for(
        turn.session, plan.id, turn.providers.checker, turn.providers.embeddings, cluster=turn.providers.cluster
    )
    lines.append("")
    lines.append(
        turn.t("initiatives.plan_check_header", passed=sum(i.passed for i in check.checks), total=len(check.checks))
    )
    for item in check.checks:
        key = "initiatives.plan_check_pass" if item.passed else "initiatives.plan_check_fail"
        lines.append(turn.t(key, explanation=item.explanation))
    return [Reply(text="\n".join(lines), choices=choices)]


def _item_menu(turn: Turn, row: InitiativeRow) -> Reply:
    text = turn.t(
        "initiatives.item",
        title=row.title,
        text=row.text,
        verdict=verdict_label(turn, row.verdict),
        status=turn.t(f"initiatives.statuses.{row.status}"),
    )
    actions = (
        (Action.ACCEPT, "accept"),
        (Action.REJECT, "reject"),
        (Action.EDIT, "edit"),
        (Action.SCORECARD, "scorecard"),
        (Action.VIEWS, "views"),
    )
    choices = [Choice(label=turn.t(f"initiatives.{name}_button"), data=build(a, row.id)) for a, name in actions]
    return Reply(text=text, choices=choices)


def _recheck(turn: Turn, row: InitiativeRow) -> Scorecard:
    card = turn.providers.checker.check(row.text or row.title)
    row.scorecard = card.to_contract_json()
    row.verdict = card.verdict.value
    row.updated_at = turn.now
    return card


def on_edit_text(turn: Turn, text: str) -> list[Reply]:
    plan = facilitator_plan(turn)
    raw = str(turn.state.pending.get("initiative_id", ""))
    row = _initiative(turn, plan, int(raw) if raw.isascii() and raw.isdigit() else None)
    before = statuses(scorecard_of(row, turn.providers.checker))
    row.text = text.strip()
    row.title = title_of(row.text) if row.origin in ("check", "idea") else row.title
    # the new text replaces the old one whole: its fields and follow-up answers go with it (a credit stays)
    credit = (row.body or {}).get("credit")
    row.body = Initiative(title=row.title or title_of(row.text), description=row.text).model_dump(mode="json")
    if credit:
        row.body["credit"] = credit
    card = _recheck(turn, row)
    turn.set_mode(BASE)
    return [
        turn.reply("initiatives.edited", title=row.title),
        Reply(text=f"{render_scorecard(turn, card)}\n{changes(turn, before, card)}"),
    ]


def _ideas(turn: Turn, plan: Plan) -> list[Reply]:
    rows = list(
        turn.session.scalars(
            select(StoredInput)
            .where(StoredInput.plan_id == plan.id, StoredInput.kind == InputKind.idea.value)
            .order_by(StoredInput.id)
        )
    )
    if not rows:
        return [turn.reply("initiatives.ideas_empty")]
    choices = [
        Choice(label=f"{n}. {inputs_mod.shorten(row.summary or row.text, 40)}", data=build(Action.PROMOTE, row.id))
        for n, row in enumerate(rows[:MAX_LISTED], start=1)
    ]
    lines = [turn.t("initiatives.ideas_header")] + [
        f"{n}. {row.text}" for n, row in enumerate(rows[:MAX_LISTED], start=1)
    ]
    return [Reply(text="\n".join(lines), choices=choices)]


def _promote(turn: Turn, plan: Plan, input_id: int) -> list[Reply]:
    idea = turn.session.get(StoredInput, input_id)
    if idea is None or idea.plan_id != plan.id or idea.kind != InputKind.idea.value:
        raise turn.fail("engine.stale_choice")
    row = InitiativeRow(
        plan_id=plan.id,
        title=title_of(idea.text),
        text=idea.text,
        body={"title": title_of(idea.text), "description": idea.text},
        origin="idea",
        status="proposed",
        answers=[idea.id],
        source_input_id=idea.id,
        created_by=turn.person.id,
        created_at=turn.now,
        updated_at=turn.now,
    )
    card = _recheck(turn, row)
    turn.session.add(row)
    turn.session.flush()
    return [
        turn.reply("initiatives.promoted", title=row.title, verdict=verdict_label(turn, card.verdict.value)),
        Reply(text=render_scorecard(turn, card)),
        _item_menu(turn, row),
    ]


# ---- dispatch --------------------------------------------------------------------------------------------


def on_choice(turn: Turn, callback: Callback) -> list[Reply]:
    """A facilitator's button of the list or of one initiative's menu (choices skip the command check)."""
    plan = facilitator_plan(turn)
    action = callback.action
    if action == Action.IDEAS:
        return _ideas(turn, plan)
    if action == Action.PROMOTE:
        return _promote(turn, plan, callback.ref)
    row = _initiative(turn, plan, callback.ref)
    if action == Action.INITIATIVE:
        return [_item_menu(turn, row)]
    if action == Action.ACCEPT:
        row.status, row.updated_at = "accepted", turn.now
        warn = row.verdict == Verdict.not_recommended.value
        return [turn.reply("initiatives.accepted_warning" if warn else "initiatives.accepted", title=row.title)]
    if action == Action.REJECT:
        row.status, row.updated_at = "rejected", turn.now
        return [turn.reply("initiatives.rejected", title=row.title)]
    if action == Action.EDIT:
        turn.set_mode(Mode.INITIATIVE_EDIT, initiative_id=row.id)
        return [turn.reply("initiatives.edit_ask", title=row.title)]
    if action == Action.SCORECARD:
        return [Reply(text=render_scorecard(turn, scorecard_of(row, turn.providers.checker)))]
    if action == Action.VIEWS:
        return stakeholder_views.ask(turn, plan, row)
    raise turn.fail("engine.stale_choice")
