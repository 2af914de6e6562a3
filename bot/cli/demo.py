"""`planbot demo`: a whole scripted workshop, offline, ending in exported drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli.context import console
from bot.logs import configure_logging
from bot.settings import load_settings


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the DOCX, Markdown and JSON drafts.")] = Path("out"),
) -> None:
    """Run a fictional coastal tourism workshop through the real bot, offline, and write the drafts."""
    from bot.demo import run_demo

    settings = load_settings()
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}))
    result = run_demo(settings, out, console)
    console.rule("Done")
    console.print(f"{result.stakeholders} stakeholders interviewed; the drafts are in {escape(str(out))}:")
    for path in result.files:
        console.print(f"  {escape(str(path))}")


def register(app: typer.Typer) -> None:
    app.command()(demo)
