"""Backups of the SQLite store that a running bot does not notice, and restores that never leave half a database.

A backup is taken with SQLite's online backup API: one read transaction copies every page, and in WAL mode
readers do not block the bot's writers, so the copy is consistent while people keep answering. The copy is
written to a temporary file beside the target, checked, switched to a single self-contained file (no -wal) and
renamed into place. A restore checks that the file is a planbot database at a revision this planbot knows
(upgrading an older one), builds the new database in a temporary file beside the live one and renames it over
it in one step; a database still open in another process (a running planbot) is never replaced.

PostgreSQL has its own tools for this (pg_dump, pg_restore); planbot says how to use them instead of pretending.
The Chroma index is not part of a backup: it is rebuilt from the chunks in SQL (`planbot reindex`, or on start).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from bot.errors import PlanbotError
from bot.messages import catalogue
from bot.storage.db import MIGRATIONS_DIR, Database

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every planbot database has had since its first revision: without them a file is someone else's SQLite.
PLANBOT_TABLES = frozenset({"alembic_version", "plans", "documents", "chunks"})
# In WAL mode every open connection holds a shared lock on this byte of the -shm file ("dead man switch",
# SQLite's os_unix.c: UNIX_SHM_BASE 120 + SQLITE_SHM_NLOCK 8): nobody holds it when nobody has the file open.
_SHM_DMS_OFFSET = 128
BUSY_TIMEOUT_MS = 30_000


class BackupError(PlanbotError):
    """A backup or restore that was refused or failed; nothing was changed."""


@dataclass(frozen=True)
class Contents:
    """What a database holds, in the words an operator checks a backup by."""

    revision: str | None
    plans: int
    inputs: int
    size: int


@dataclass(frozen=True)
class RestoreResult:
    contents: Contents
    upgraded_from: str | None
    kept: Path | None


def _text(key: str, **values: object) -> str:
    return catalogue().text(f"backup.{key}", **values)


# ---------------------------------------------------------------------------------------------- the store's url
def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL (or any server database) and for an in-memory SQLite."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve()


def libpq_url(url: str | URL) -> str:
    """The URL as pg_dump and psql take it: no SQLAlchemy driver suffix, the password hidden."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql").render_as_string(hide_password=True)


def postgres_guidance(url: str | URL, command: str, file: Path) -> str:
    """What to run instead of `planbot backup` / `planbot restore` on PostgreSQL (the text lives in prompts/)."""
    return _text(f"postgres_{command}", url=libpq_url(url), file=file)


# ----------------------------------------------------------------------------------------------- revisions
def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "planbot ships at least one migration"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


# ----------------------------------------------------------------------------------------------- inspection
@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (closed afterwards, which also checkpoints and removes the -wal if it is the last)."""
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        yield connection
    finally:
        connection.close()


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _count(connection: sqlite3.Connection, table: str, tables: set[str]) -> int:
    return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) if table in tables else 0


def contents_of(connection: sqlite3.Connection, size: int) -> Contents:
    tables = _tables(connection)
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return Contents(revision, _count(connection, "plans", tables), _count(connection, "inputs", tables), size)


def _integrity(connection: sqlite3.Connection) -> str | None:
    """None when SQLite finds the file sound, else its first complaint."""
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return None if rows == ["ok"] else "; ".join(rows[:3])


def in_use(path: Path) -> bool:
    """Whether another process has this SQLite database open (a running planbot keeps pooled connections open).

    In WAL mode (planbot's) each open connection holds a shared lock on one byte of the -shm file; an exclusive
    lock on it is granted only when no other process has the database open. Where POSIX locks are not available,
    or the file is not in WAL mode, a writer holding the database is what counts.
    """
    if not path.exists():
        return False
    shm = path.with_name(path.name + "-shm")
    try:
        import fcntl
    except ImportError:  # not POSIX
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None and shm.exists():
        descriptor = os.open(shm, os.O_RDWR)
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_OFFSET)
        except OSError:
            return True
        else:
            fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SHM_DMS_OFFSET)
        finally:
            os.close(descriptor)  # this process holds no other lock on the file: a CLI command has it closed
    try:
        connection = sqlite3.connect(f"file:{path}", uri=True, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.DatabaseError:
        return False  # not a database at all: nobody can be using it as one
    return False


# --------------------------------------------------------------------------------------------- file handling
def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot sync a directory; the rename still stands
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _temporary_beside(target: Path, purpose: str) -> Path:
    """An empty file in the target's folder (same filesystem, so the final rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.{purpose}-", suffix=".part", dir=target.parent)
    os.close(descriptor)
    return Path(name)


def _discard(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def _finish(connection: sqlite3.Connection) -> None:
    """One self-contained file: no -wal beside it (a backup is copied around, maybe to read-only media)."""
    connection.execute("PRAGMA journal_mode=DELETE")


def _copy(source: sqlite3.Connection, path: Path) -> None:
    """The whole database in one read transaction (pages=-1): consistent, and the bot's writers carry on."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as destination:
        source.backup(destination, pages=-1)
        _finish(destination)


# ---------------------------------------------------------------------------------------------------- backup
def backup(database: Path, target: Path, *, force: bool = False) -> Contents:
    """Copy the live SQLite database to `target`, while the bot runs; an existing `target` only with `force`."""
    database, target = database.resolve(), target.resolve()
    if not database.is_file():
        raise BackupError(_text("no_database", path=database))
    if target == database:
        raise BackupError(_text("same_file", path=target))
    if target.is_dir():
        raise BackupError(_text("is_folder", path=target))
    if target.exists() and not force:
        raise BackupError(_text("exists", path=target))
    partial = _temporary_beside(target, "backup")
    try:
        with _connect(database) as source:
            _copy(source, partial)
        with _connect(partial) as copied:
            problem = _integrity(copied)
            if problem is not None:
                raise BackupError(_text("copy_damaged", path=database, reason=problem))
            contents = contents_of(copied, partial.stat().st_size)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    except sqlite3.DatabaseError as exc:
        _discard(partial)
        raise BackupError(_text("copy_damaged", path=database, reason=str(exc))) from None
    except BaseException:
        _discard(partial)
        raise
    return contents


# --------------------------------------------------------------------------------------------------- restore
def check_backup(source: Path) -> Contents:
    """The backup's contents, or one line saying why it is not a planbot database this planbot can restore."""
    if not source.is_file():
        raise BackupError(_text("missing", path=source))
    with source.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BackupError(_text("not_sqlite", path=source))
    try:
        with _connect(source, read_only=True) as connection:
            tables = _tables(connection)
            if not PLANBOT_TABLES.issubset(tables):
                raise BackupError(_text("not_planbot", path=source))
            contents = contents_of(connection, source.stat().st_size)
    except sqlite3.DatabaseError as exc:
        raise BackupError(_text("damaged", path=source, reason=str(exc))) from None
    if contents.revision not in known_revisions():
        raise BackupError(_text("newer", path=source, revision=contents.revision, head=head_revision()))
    return contents


def kept_name(database: Path, now: datetime | None = None) -> Path:
    """A dated name beside the database that no earlier restore has taken."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    name = database.with_name(f"{database.name}.before-restore-{stamp}")
    n = 1
    while name.exists():
        n += 1
        name = database.with_name(f"{database.name}.before-restore-{stamp}-{n}")
    return name


def restore(source: Path, database: Path, *, force: bool = False) -> RestoreResult:
    """Put the backup `source` in place of the SQLite `database`, all or nothing.

    A database open in another process is never replaced (stop planbot first); an existing one only with
    `force`, and then it is kept beside under a dated name. An older backup is upgraded to this planbot's schema.
    """
    source, database = source.resolve(), database.resolve()
    if source == database:
        raise BackupError(_text("same_file", path=source))
    found = check_backup(source)
    kept: Path | None = None
    if database.exists():
        if in_use(database):
            raise BackupError(_text("in_use", path=database))
        plans: int | str = "?"
        inputs: int | str = "?"
        try:
            with _connect(database) as current:
                present = contents_of(current, database.stat().st_size)
                current.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # its -wal, if a crash left one, is folded in
            plans, inputs = present.plans, present.inputs
        except sqlite3.DatabaseError:
            pass  # a damaged file where the database was: replaced like any other, and kept
        kept = kept_name(database)
        if not force:
            raise BackupError(_text("target_exists", path=database, plans=plans, inputs=inputs, kept=kept.name))
    partial = _temporary_beside(database, "restore")
    try:
        with _connect(source, read_only=True) as backup_file:
            _copy(backup_file, partial)
        upgraded_from = None
        if found.revision != head_revision():
            upgraded_from = found.revision
            staged = Database(f"sqlite:///{partial}")
            try:
                staged.migrate()
            finally:
                staged.dispose()
        with _connect(partial) as staged_file:
            problem = _integrity(staged_file)
            if problem is not None:
                raise BackupError(_text("damaged", path=source, reason=problem))
            _finish(staged_file)
            contents = contents_of(staged_file, partial.stat().st_size)
        _fsync(partial)
        if kept is not None:
            # the old database stays under its dated name; planbot.db is the old file, then the new, never neither
            _link_or_copy(database, kept)
            for sidecar in ("-wal", "-shm"):  # empty after the checkpoint; a stale -wal must not meet the new file
                old = database.with_name(database.name + sidecar)
                if old.exists():
                    old.replace(kept.with_name(kept.name + sidecar))
        os.replace(partial, database)
        _fsync(database.parent)
    except sqlite3.DatabaseError as exc:
        _discard(partial)
        raise BackupError(_text("damaged", path=source, reason=str(exc))) from None
    except BaseException:
        _discard(partial)
        raise
    return RestoreResult(contents, upgraded_from, kept)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        import shutil

        shutil.copy2(source, target)
