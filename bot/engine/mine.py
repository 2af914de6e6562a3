"""/mine: a person's own answers in the active plan, paged, each a button to fix its kind, edit or delete it."""

from __future__ import annotations

import math

from bot.domain import InputKind
from bot.engine import inputs as inputs_mod
from bot.engine.callbacks import Action, Callback, build
from bot.engine.models import Choice, Reply
from bot.engine.states import Mode
from bot.engine.turn import BASE, Turn
from bot.storage.plan_models import StoredInput

MINE_PAGE = 10  # answers per /mine page; Next and Previous reach the others
MINE_LINE_CHARS = 300  # one answer's line in the listing (a page stays far under Telegram's 4096)
ACTIONS = frozenset({Action.MINE_ITEM, Action.MINE_KIND, Action.MINE_KIND_SET, Action.MINE_EDIT, Action.MINE_DELETE})


def cmd_mine(turn: Turn) -> list[Reply]:
    return mine_page(turn, 0)


def on_page(turn: Turn, callback: Callback) -> list[Reply]:
    return mine_page(turn, callback.ref)


def mine_page(turn: Turn, page: int) -> list[Reply]:
    """One page of the person's answers in the active plan, each a button; Next and Previous page through all."""
    plan = turn.plan()
    if plan is None or turn.membership() is None:
        return [turn.reply("engine.no_plan")]
    rows = inputs_mod.for_person(turn, plan.id)
    if not rows:
        return [turn.reply("engine.mine_empty")]
    pages = math.ceil(len(rows) / MINE_PAGE)
    page = min(max(page, 0), pages - 1)
    start = page * MINE_PAGE
    shown = list(enumerate(rows, start=1))[start : start + MINE_PAGE]
    lines = [turn.t("engine.mine_header", plan=plan.name)]
    if pages > 1:
        lines.append(turn.t("engine.mine_page", first=shown[0][0], last=shown[-1][0], total=len(rows)))
    for n, row in shown:
        text = inputs_mod.shorten(row.text, MINE_LINE_CHARS)
        lines.append(turn.t("engine.mine_line", n=n, kind=inputs_mod.kind_label(turn, row.kind), text=text))
    lines.append(turn.t("engine.mine_pick"))
    choices = [
        Choice(label=f"{n}. {inputs_mod.shorten(row.summary or row.text, 40)}", data=build(Action.MINE_ITEM, row.id))
        for n, row in shown
    ]
    if page > 0:
        choices.append(Choice(label=turn.t("engine.mine_previous"), data=build(Action.MINE_PAGE, page - 1)))
    if page < pages - 1:
        choices.append(Choice(label=turn.t("engine.mine_next"), data=build(Action.MINE_PAGE, page + 1)))
    return [Reply(text="\n".join(lines), choices=choices)]


def _own_input(turn: Turn, input_id: int | None) -> StoredInput:
    row = turn.session.get(StoredInput, input_id) if input_id is not None else None
    if row is None or row.person_id != turn.person.id or row.plan_id != turn.state.active_plan_id:
        raise turn.fail("engine.mine_gone")
    return row


def on_choice(turn: Turn, callback: Callback) -> list[Reply]:
    """One of the person's answers tapped, and what they do with it; only their own, in the active plan."""
    row = _own_input(turn, callback.ref)
    action = callback.action
    if action == Action.MINE_ITEM:
        label = inputs_mod.kind_label(turn, row.kind)
        choices = [
            Choice(label=turn.t("engine.mine_fix_kind"), data=build(Action.MINE_KIND, row.id)),
            Choice(label=turn.t("engine.mine_edit"), data=build(Action.MINE_EDIT, row.id)),
            Choice(label=turn.t("engine.mine_delete"), data=build(Action.MINE_DELETE, row.id)),
        ]
        return [Reply(text=turn.t("engine.mine_item", kind=label, text=row.text), choices=choices)]
    if action == Action.MINE_KIND:
        choices = [
            Choice(label=inputs_mod.kind_label(turn, k.value), data=build(Action.MINE_KIND_SET, row.id, k.value))
            for k in InputKind
        ]
        return [Reply(text=turn.t("engine.mine_pick_kind"), choices=choices)]
    if action == Action.MINE_KIND_SET and callback.word in {k.value for k in InputKind}:
        row.kind = callback.word
        row.updated_at = turn.now
        return [turn.reply("engine.mine_kind_set", kind=inputs_mod.kind_label(turn, callback.word))]
    if action == Action.MINE_EDIT:
        turn.set_mode(Mode.MINE_EDIT, input_id=row.id)
        return [turn.reply("engine.mine_edit_ask")]
    if action == Action.MINE_DELETE:
        turn.session.delete(row)
        return [turn.reply("engine.mine_deleted")]
    raise turn.fail("engine.stale_choice")


def on_edit_text(turn: Turn, text: str) -> list[Reply]:
    """The new words of the answer being edited (Mode.MINE_EDIT), embedded again."""
    raw = str(turn.state.pending.get("input_id", ""))
    row = _own_input(turn, int(raw) if raw.isascii() and raw.isdigit() else None)
    row.text = text.strip()
    row.summary = inputs_mod.shorten(text)
    row.updated_at = turn.now
    inputs_mod.embed_rows(turn, [row])
    turn.set_mode(BASE)
    return [turn.reply("engine.mine_edited", text=row.text)]
