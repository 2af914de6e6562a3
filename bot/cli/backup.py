"""`planbot backup` and `planbot restore`: the SQL store (the source of truth) to a file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli.context import console
from bot.logs import configure_logging
from bot.messages import catalogue
from bot.settings import Settings, load_settings
from bot.storage import backup as store_backup
from bot.storage.backup import BackupError


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings)
    return settings


def _database_or_guidance(settings: Settings, command: str, file: Path) -> Path:
    """The SQLite file; on PostgreSQL, a refusal that says what to run instead (nothing was done: exit 2)."""
    database = store_backup.sqlite_file(settings.resolved_database_url)
    if database is None:
        raise BackupError(store_backup.postgres_guidance(settings.resolved_database_url, command, file))
    return database


def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (a single SQLite file).")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy the database to one file while the bot keeps running.

    SQLite's online backup API: people keep answering while it copies. Documents and their chunks are in it;
    the Chroma index is not needed, `planbot reindex` rebuilds it. On PostgreSQL: how to use pg_dump instead.
    """
    settings = _settings()
    database = _database_or_guidance(settings, "backup", file)
    contents = store_backup.backup(database, file, force=force)
    console.print(
        escape(
            catalogue().text(
                "backup.written",
                database=database,
                path=file.resolve(),
                plans=contents.plans,
                inputs=contents.inputs,
                size=contents.size,
                revision=contents.revision,
            )
        )
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `planbot backup`.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace the database that is there (kept beside it as planbot.db.before-restore-<time>).",
        ),
    ] = False,
) -> None:
    """Put a backup in place of the database, all or nothing (stop planbot first).

    A database open in a running planbot is never replaced; an existing one only with --force, and it is kept
    beside under a dated name. The file must be a planbot database; an older one is upgraded to this planbot's
    schema. On PostgreSQL: how to use pg_restore instead.
    """
    settings = _settings()
    database = _database_or_guidance(settings, "restore", file)
    result = store_backup.restore(file, database, force=force)
    messages = catalogue()
    contents = result.contents
    lines = [
        messages.text(
            "backup.restored",
            source=file.resolve(),
            path=database,
            plans=contents.plans,
            inputs=contents.inputs,
            revision=contents.revision,
        )
    ]
    if result.upgraded_from is not None:
        lines.append(messages.text("backup.upgraded", old=result.upgraded_from, new=contents.revision))
    if result.kept is not None:
        lines.append(messages.text("backup.kept", kept=result.kept))
    lines.append(messages.text("backup.reindex_hint"))
    for line in lines:
        console.print(escape(line))


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
