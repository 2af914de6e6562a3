"""Engine, sessions and automatic migrations for the store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import SettingsError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x706C616E626F74  # "planbot": the advisory lock id that serialises migrations
STARTUP_LOCK = MIGRATION_LOCK + 1

_active: ContextVar[tuple[Database, Session] | None] = ContextVar("planbot_active_session", default=None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One engine and session factory per process; migrations applied on open."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise SettingsError(f"DATABASE_URL: not a valid SQLAlchemy URL (got {url!r})") from None
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict = {"future": True}
        if not self.is_sqlite:
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
        try:
            self.engine: Engine = create_engine(parsed, **kwargs)
        except ModuleNotFoundError as exc:
            raise SettingsError(f"DATABASE_URL: the driver {exc.name!r} is not installed") from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (safe to call on every start)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection_engine"] = self.engine
        try:
            with self.engine.begin() as connection:
                if self.url.get_backend_name() == "postgresql":
                    # workers starting together: one migrates, the others wait and then find nothing to do
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise SettingsError(
                f"DATABASE_URL: cannot open the database {self.url.render_as_string(hide_password=True)} "
                f"({str(exc.orig).strip().splitlines()[0]})"
            ) from None

    @contextmanager
    def exclusive(self, key: int = STARTUP_LOCK) -> Iterator[None]:
        """Across workers on one PostgreSQL, one at a time (start-up work: the guidance, the index sync)."""
        if self.url.get_backend_name() != "postgresql":
            yield  # SQLite means one process
            return
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back (nothing half-written) on error."""
        session = self._sessions()
        token = _active.set((self, session))
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            _active.reset(token)
            session.close()

    def active_session(self) -> Session | None:
        """The unit of work this thread is inside, if any (on SQLite a second connection would wait for its lock)."""
        active = _active.get()
        return active[1] if active is not None and active[0] is self else None

    def dispose(self) -> None:
        self.engine.dispose()
