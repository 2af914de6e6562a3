"""`planbot settings`: every setting, its default and what it means (the README's table)."""

from __future__ import annotations

import typer

from bot.settings import settings_table


def settings() -> None:
    """Print every setting (environment variable), its default and what it means, as a Markdown table."""
    typer.echo(settings_table())


def register(app: typer.Typer) -> None:
    app.command()(settings)
