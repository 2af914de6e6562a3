"""Routing of a tapped choice (validated, by its action) and of typed text (by mode, then by stage).

Two tables: `ACTIONS` (a button's action -> its handler) and `MODE_TEXT` (the mode a command left the person
in -> what their next message is); anything else is read by the stage (bot.engine.conversation.STEPS).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine import callbacks, conversation, drafting, initiatives, mine, notes, views
from bot.engine import inputs as inputs_mod
from bot.engine import plan_commands as plan
from bot.engine.callbacks import Action, Callback
from bot.engine.models import Reply
from bot.engine.states import Mode
from bot.engine.turn import Turn

ChoiceHandler = Callable[[Turn, Callback], list[Reply]]
TextHandler = Callable[[Turn, str], list[Reply]]

ACTIONS: dict[Action, ChoiceHandler] = {
    **dict.fromkeys(conversation.STAGE_ACTIONS, conversation.on_stage_choice),
    Action.SWITCH: plan.on_switch,
    Action.LANGUAGE: plan.on_language,
    Action.PLAN_LANGUAGE: plan.on_plan_language,
    Action.FORGET: plan.on_forget,
    Action.MINE_PAGE: mine.on_page,
    **dict.fromkeys(mine.ACTIONS, mine.on_choice),
    **dict.fromkeys(initiatives.ACTIONS, initiatives.on_choice),
    Action.CHECK: drafting.on_check_choice,
    Action.VIEW: views.on_view,
}

# Actions whose handlers check the choice against the SQL state themselves (stage, topic index, a pending
# view row), so an older button that is still right for where the person stands keeps working; a view is
# offered in another person's turn.
SELF_VALIDATED = frozenset({*conversation.STAGE_ACTIONS, Action.LANGUAGE, Action.VIEW})

MODE_TEXT: dict[Mode, TextHandler] = {
    Mode.NEWPLAN_NAME: plan.on_newplan_text,
    Mode.NEWPLAN_CHAIN: plan.on_newplan_text,
    Mode.NEWPLAN_REGION: plan.on_newplan_text,
    Mode.NOTES: notes.on_notes_text,
    Mode.MINE_EDIT: mine.on_edit_text,
    Mode.CHECK_FOLLOWUP: drafting.on_followup_answer,
    Mode.INITIATIVE_EDIT: initiatives.on_edit_text,
}  # Mode.BASE and Mode.CHECK_DONE (Save or Discard offered): typed text is read afresh


def run_choice(turn: Turn, data: str) -> list[Reply]:
    """A tapped button: one planbot offered last (or a self-validated one); anything else is stale."""
    callback = callbacks.parse(data)
    if callback is None:
        raise turn.fail("engine.stale_choice")
    offered = {entry.get("data") for entry in turn.state.offered or []}
    if data not in offered and callback.action not in SELF_VALIDATED:
        raise turn.fail("engine.stale_choice")
    return ACTIONS[callback.action](turn, callback)


def _choice_for_text(turn: Turn, text: str) -> str | None:
    """A typed option label (or its number, as in the terminal) counts as tapping it."""
    wanted = " ".join(text.split()).casefold()
    for entry in turn.state.offered or []:
        if " ".join(str(entry.get("label", "")).split()).casefold() == wanted:
            return entry.get("data")
    return None


def _mode(stored: str) -> Mode | None:
    """The stored mode string as its Mode (None for one no release of planbot wrote)."""
    try:
        return Mode(stored)
    except ValueError:
        return None


def run_text(turn: Turn, text: str) -> list[Reply]:
    """Typed text: the answer a mode waits for, else a typed button label, else read by the person's stage."""
    mode = _mode(turn.state.state)
    handler = MODE_TEXT.get(mode) if mode is not None else None
    if handler is not None:
        return handler(turn, text)
    data = _choice_for_text(turn, text)
    if data is not None:
        return run_choice(turn, data)
    return conversation.on_stage_text(turn, text)


def run_edit(turn: Turn, text: str) -> list[Reply]:
    """An edited message replaces what was captured from it; one that captured nothing changes nothing."""
    rows, had = inputs_mod.replace_from_source(turn, turn.source_id, text)
    if not had:
        return []
    if rows:
        return [turn.reply("engine.edited_replaced", items=inputs_mod.describe(turn, rows))]
    return [turn.reply("engine.edited_removed")]
