"""`planbot export` and `planbot import`: the draft upgrading plan for the people who edit the plan document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli.context import console, services
from bot.errors import PlanbotError
from bot.export import export_format
from bot.knowledge.service import KnowledgeBase
from bot.messages import catalogue


def export(
    plan: Annotated[int, typer.Option("--plan", help="The plan to export.")],
    fmt: Annotated[str, typer.Option("--format", help="docx, md or json.")] = "docx",
    named: Annotated[
        bool,
        typer.Option("--name-participants", help="Name the participants who agreed to be named beside their words."),
    ] = False,
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write; default: a name in the data dir.")
    ] = None,
) -> None:
    """Write the draft upgrading plan of a plan (DOCX for the editors, Markdown, or JSON to round-trip)."""
    kind = export_format(fmt)
    with services() as built:
        KnowledgeBase.require_plan_in(built.db, plan)
        exported = built.drafts.export(plan, kind, named=named)
        target = out or built.settings.data_dir / "exports" / exported.name
        exported.write(target)  # with the files it links beside it (the Markdown draft's chart PNGs)
    console.print(escape(catalogue().text("export.written", path=target)))


def import_(
    file: Annotated[Path, typer.Argument(help="A JSON draft written by `planbot export --format json`.")],
    plan: Annotated[int | None, typer.Option("--plan", help="The plan to restore into (default: the draft's).")] = None,
) -> None:
    """Restore a plan's initiatives and the editors' changes from a JSON draft."""
    messages = catalogue()
    if not file.is_file():
        raise PlanbotError(messages.text("errors.file_missing", path=file))
    data = file.read_bytes()
    with services() as built:
        result = built.drafts.import_json(data, source=file.name, plan_id=plan)
    console.print(
        escape(
            messages.text(
                "export.imported",
                source=file.name,
                plan_id=result.plan_id,
                updated=result.updated,
                added=result.added,
                unchanged=result.unchanged,
            )
        )
    )


def register(app: typer.Typer) -> None:
    app.command()(export)
    app.command("import")(import_)
