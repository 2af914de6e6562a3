"""`planbot chat`: the same engine as the Telegram bot, in the terminal; numbered options pick choices.

The engine is the one `Services` builds for the bot, so the knowledge base (the guidance, the index) is ready
before the first message opens its transaction: nothing is written to the store from inside a message's own
transaction (on SQLite that would wait on the message's own write lock). Files the engine sends (an /export
draft) are written to the data dir's exports folder, or to --out, and their path is printed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from bot.cli.context import console, services
from bot.cli.terminal import parse_line
from bot.engine import Engine, Incoming, Person, Reply
from bot.engine.models import Choice, ReplyFile
from bot.knowledge.service import KnowledgeBase
from bot.messages import LANGUAGES, Catalogue, catalogue

QUIT = frozenset({"/quit", "/exit"})


class ChatRole(StrEnum):
    facilitator = "facilitator"
    stakeholder = "stakeholder"


ChatLanguage = StrEnum("ChatLanguage", {code: code for code in LANGUAGES})  # en, sw, fr: the catalogues


def save_file(file: ReplyFile, folder: Path) -> Path:
    """Writes a file the engine sent under `folder`; nothing half-written under the final name."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(file.name).name  # a name, never a path the sender chose
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(file.content)
    partial.replace(target)
    return target


def render(
    replies: list[Reply], out: Console, files_dir: Path | None = None, msg: Catalogue | None = None
) -> list[Choice]:
    msg = msg or catalogue()
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
            if files_dir is None:
                line = msg.text("chat.file_not_saved", name=file.name, size=len(file.content))
            else:
                line = msg.text("chat.file_saved", path=save_file(file, files_dir))
            out.print(f"  [dim]{escape(line)}[/dim]")
    return choices


def run_chat(
    engine: Engine,
    person: Person,
    lines: Iterable[str],
    out: Console,
    first: str = "/start",
    files_dir: Path | None = None,
) -> None:
    """Feeds lines to the engine until they run out or the person types /quit."""
    prefix = uuid.uuid4().hex[:8]

    def shown(replies: list[Reply]) -> list[Choice]:
        """Files are announced in the person's language, like everything the engine says to them."""
        msg = catalogue(engine.language_of(person)) if any(reply.files for reply in replies) else None
        return render(replies, out, files_dir, msg)

    choices = shown(engine.handle(person, parse_line(first, [], f"{prefix}-0")))
    for n, line in enumerate(lines, start=1):
        if line.strip().casefold() in QUIT:
            break
        incoming: Incoming = parse_line(line, choices, f"{prefix}-{n}")
        replies = engine.handle(person, incoming)
        offered = shown(replies)
        if replies:
            choices = offered


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
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the files planbot sends (/export); default: exports in the data dir."),
    ] = None,
    language: Annotated[
        ChatLanguage | None,
        typer.Option(
            "--language",
            help="The language planbot speaks first, as a phone's language on Telegram; /language changes it.",
        ),
    ] = None,
) -> None:
    """Talk to planbot in the terminal: the same interview and commands as on Telegram."""
    code = language.value if language is not None else None
    msg = catalogue(code) if code is not None else catalogue()
    with services() as built:
        if plan is not None:
            KnowledgeBase.require_plan_in(built.db, plan)  # a one-line error before the model is loaded
        console.print(f"[dim]{escape(msg.text('chat.banner'))}[/dim]")
        # Built whole before the first message: the guidance and the index are stored now, outside any
        # message's transaction (a lazy knowledge base would write while the message holds SQLite's write lock),
        # and /export has the draft service.
        built.knowledge  # noqa: B018 - built for its side effect
        engine = built.engine
        who = name or role.value
        person = Person(key=f"cli:{who}", display_name=who, language=code)
        first = f"/start {engine.enrol(plan, role.value)}" if plan is not None else "/start"
        files_dir = out or built.settings.data_dir / "exports"
        run_chat(engine, person, _typed_lines(console), console, first=first, files_dir=files_dir)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
