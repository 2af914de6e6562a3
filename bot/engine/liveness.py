"""Who is alive: whether the worker holding an outbox claim is still running (bot/engine/outbox.py).

On PostgreSQL each worker holds an advisory lock for its lifetime (PostgreSQL drops it with the connection);
on SQLite (one machine) a claimer is alive while its process, and the outbox it opened, are.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import uuid
from collections.abc import Iterable

from sqlalchemy import NullPool, create_engine, text

from bot.storage import Database

log = logging.getLogger(__name__)

ADVISORY_CLASS = 0x706C62  # "plb": the first key of the workers' liveness locks

_LOCAL_TOKENS: set[str] = set()  # the open outboxes of this process
_LOCAL_LOCK = threading.Lock()


class LocalLiveness:
    """SQLite: workers share one machine; a claimer is alive while its process (and its outbox) is."""

    def __init__(self) -> None:
        self.token = f"local:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        with _LOCAL_LOCK:
            _LOCAL_TOKENS.add(self.token)

    def alive(self, tokens: Iterable[str]) -> set[str]:
        living = set()
        for token in tokens:
            kind, _, rest = token.partition(":")
            pid_text = rest.split(":", 1)[0]
            if kind != "local" or not pid_text.isdigit():
                living.add(token)  # not ours to judge: its lease decides
                continue
            pid = int(pid_text)
            with _LOCAL_LOCK:
                if token in _LOCAL_TOKENS:
                    living.add(token)
                    continue
            if pid == os.getpid():
                continue  # this process, but an outbox that was closed
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                pass
            living.add(token)
        return living

    def ping(self) -> None:
        return None

    def close(self) -> None:
        with _LOCAL_LOCK:
            _LOCAL_TOKENS.discard(self.token)


class PostgresLiveness:
    """PostgreSQL: each worker holds an advisory lock on a connection of its own for as long as it runs."""

    def __init__(self, db: Database) -> None:
        self._engine = create_engine(db.url, poolclass=NullPool)
        self._connection = None
        self.token = ""
        self._lock = threading.Lock()
        self._connect()

    def _connect(self) -> None:
        key = random.randint(1, 2**31 - 1)
        connection = self._engine.connect()
        connection.execute(text("SELECT pg_advisory_lock(:c, :k)"), {"c": ADVISORY_CLASS, "k": key})
        connection.commit()
        self._connection, self.token = connection, f"pg:{key}"

    def alive(self, tokens: Iterable[str]) -> set[str]:
        tokens = set(tokens)
        ours = {t for t in tokens if t.startswith("pg:") and t[3:].isdigit()}
        if not ours:
            return tokens
        with self._engine.connect() as connection:
            held = set(
                connection.scalars(
                    text(
                        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND objsubid = 2 AND classid::bigint = :c"
                    ),
                    {"c": ADVISORY_CLASS},
                )
            )
        return (tokens - ours) | {t for t in ours if int(t[3:]) in held}

    def ping(self) -> None:
        """Still holding the lock? A lost connection means a new identity (the old claims look dead)."""
        with self._lock:
            try:
                assert self._connection is not None
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
            except Exception:
                log.warning("the outbox liveness connection was lost; reconnecting as a new worker")
                self._close_connection()
                self._connect()

    def _close_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                log.debug("closing a broken liveness connection failed", exc_info=True)
            self._connection = None

    def close(self) -> None:
        with self._lock:
            self._close_connection()
        self._engine.dispose()
