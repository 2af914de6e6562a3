"""`planbot chat`: the same engine as the Telegram bot, in the terminal; numbered options pick choices."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from bot.cli.context import console, services
from bot.cli.terminal import parse_line
from bot.domain import Answer
from bot.engine import Engine, Incoming, Person, Reply
from bot.engine.models import Choice
from bot.services import Services

QUIT = frozenset({"/quit", "/exit"})


class ChatRole(StrEnum):
    facilitator = "facilitator"
    stakeholder = "stakeholder"


class _LazyAnswerer:
    """Builds the knowledge base only when someone actually asks a question."""

    def __init__(self, built: Services) -> None:
        self._built = built

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        return self._built.answerer.ask(question, plan_id)


def render(replies: list[Reply], out: Console) -> list[Choice]:
    choices: list[Choice] = []
    for reply in replies:
        if reply.to is not None:  # addressed to someone else (a reminder, a poll): shown, not offered
            out.print(f"[dim]planbot to {escape(reply.to)}: {escape(reply.text)}[/dim]")
            continue
        out.print(f"[bold green]planbot:[/bold green] {escape(reply.text)}")
        for choice in reply.choices:
            choices.append(choice)
            out.print(f"  [cyan]{len(choices)}.[/cyan] {escape(choice.label)}")
        for file in reply.files:
            out.print(f"  [dim](file {escape(file.name)}, {len(file.content)} bytes)[/dim]")
    return choices


def run_chat(engine: Engine, person: Person, lines: Iterable[str], out: Console, first: str = "/start") -> None:
    """Feeds lines to the engine until they run out or the person types /quit."""
    prefix = uuid.uuid4().hex[:8]
    choices = render(engine.handle(person, parse_line(first, [], f"{prefix}-0")), out)
    for n, line in enumerate(lines, start=1):
        if line.strip().casefold() in QUIT:
            break
        incoming: Incoming = parse_line(line, choices, f"{prefix}-{n}")
        replies = engine.handle(person, incoming)
        shown = render(replies, out)
        if replies:
            choices = shown


def _typed_lines(out: Console) -> Iterable[str]:
    while True:
        try:
            yield out.input("[bold]> [/bold]")
        except (EOFError, KeyboardInterrupt):
            return


def chat(
    plan: Annotated[int | None, typer.Option("--plan", help="Work in this plan (joined with the role).")] = None,
    role: Annotated[ChatRole, typer.Option("--as", help="Who you are in the plan.")] = ChatRole.facilitator,
    name: Annotated[str | None, typer.Option("--name", help="Your name (one person per name).")] = None,
) -> None:
    """Talk to planbot in the terminal: the same interview and commands as on Telegram."""
    from bot.capture import OfflineExtractor

    with services() as built:
        engine = Engine(built.db, OfflineExtractor(built.embeddings), _LazyAnswerer(built), built.embeddings)
        who = name or role.value
        person = Person(key=f"cli:{who}", display_name=who)
        first = f"/start {engine.enrol(plan, role.value)}" if plan is not None else "/start"
        console.print("[dim]Type a message, a /command, or the number of an option; /quit ends.[/dim]")
        run_chat(engine, person, _typed_lines(console), console, first=first)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
