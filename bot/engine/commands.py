"""The command registry: each command's handler and whether only a plan's facilitators may use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.engine import drafting, exports, groups, initiatives, language, mine, notes, reminders
from bot.engine import inputs as inputs_mod
from bot.engine import plan_commands as plan
from bot.engine.models import Reply
from bot.engine.summary import cmd_summary
from bot.engine.turn import Turn

Handler = Callable[[Turn], list[Reply]]


@dataclass(frozen=True)
class Command:
    handler: Handler | None  # None: not available yet
    facilitator: bool = False


def _allowed(turn: Turn) -> list[str]:
    membership = turn.membership()
    facilitator = membership is not None and membership.role == "facilitator" and membership.consented_at
    return [name for name, cmd in COMMANDS.items() if facilitator or not cmd.facilitator]


def cmd_help(turn: Turn) -> list[Reply]:
    lines = [turn.t("engine.help_header")] + [turn.t(f"engine.help.{name}") for name in _allowed(turn)]
    return [Reply(text="\n".join(lines))]


COMMANDS: dict[str, Command] = {
    "start": Command(plan.cmd_start),
    "help": Command(cmd_help),
    "plans": Command(plan.cmd_plans),
    "switch": Command(plan.cmd_switch),
    "mine": Command(mine.cmd_mine),
    "forgetme": Command(plan.cmd_forgetme),
    "cancel": Command(plan.cmd_cancel),
    "language": Command(plan.cmd_language),
    "newplan": Command(plan.cmd_newplan),
    "invite": Command(plan.cmd_invite, facilitator=True),
    "vision": Command(plan.cmd_vision, facilitator=True),
    "roles": Command(plan.cmd_roles, facilitator=True),
    "planlanguage": Command(language.cmd_planlanguage, facilitator=True),
    "meeting": Command(reminders.cmd_meeting, facilitator=True),
    "summary": Command(cmd_summary, facilitator=True),
    "notes": Command(notes.cmd_notes, facilitator=True),
    "propose": Command(drafting.cmd_propose, facilitator=True),
    "check": Command(drafting.cmd_check, facilitator=True),
    "initiatives": Command(initiatives.cmd_initiatives, facilitator=True),
    "export": Command(exports.cmd_export, facilitator=True),
    "remind": Command(reminders.cmd_remind, facilitator=True),
    "vote": Command(groups.cmd_vote, facilitator=True),
    "linkgroup": Command(groups.cmd_linkgroup, facilitator=True),
}


def run_command(turn: Turn, name: str) -> list[Reply]:
    name = name.lstrip("/").split("@", 1)[0].casefold()
    command = COMMANDS.get(name)
    if command is None:
        raise turn.fail("engine.unknown_command", command=inputs_mod.shorten(name, 30))
    if command.facilitator:
        membership = turn.membership()
        if membership is None:
            raise turn.fail("engine.no_plan")
        if membership.role != "facilitator" or membership.consented_at is None:
            raise turn.fail("engine.facilitator_only", command=name)
        if command.handler is None:
            return [turn.reply("engine.not_available", command=name)]
    assert command.handler is not None
    return command.handler(turn)


def run_group(turn: Turn) -> list[Reply]:
    """A group chat's message (bot.engine.groups), told which names are planbot's private commands."""
    return groups.run_group(turn, COMMANDS)
