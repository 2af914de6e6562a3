"""The LLM budget kept in the database, so every worker (and a worker after a restart) spends one budget.

Same interface as the in-memory `Budget`: `acquire(scope)` counts one request or raises
LLMUnavailable("budget"); `spend(scope, tokens)` adds the tokens a reply used. Counts are per minute and summed
over the last hour. On PostgreSQL each call is its own short transaction (the key's lifetime row serialises
workers taking the last request). On SQLite (one process) a call made inside a unit of work, such as the
engine's turn, is counted in that unit of work: a second connection would wait for the turn's write lock.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from bot.llm.client import HOUR, Limits, LLMUnavailable, budget_keys
from bot.storage import Database
from bot.storage.limits import BUCKET_SECONDS, LIFETIME, bump_usage, forget_usage_before, usage_since
from bot.usage import Scope

WINDOW_BUCKETS = int(HOUR // BUCKET_SECONDS)


class SharedBudget:
    """Requests and tokens per hour, per person and per plan, counted in SQL."""

    def __init__(
        self,
        db: Database | Callable[[], Database],
        limits: Limits,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self.limits = limits
        self.clock = clock

    @property
    def db(self) -> Database:
        if not isinstance(self._db, Database):
            self._db = self._db()  # built on first use: `planbot check` opens no store until the model is asked
        return self._db

    def _keys(self, scope: Scope) -> list[tuple[str, int, int]]:
        return budget_keys(scope, self.limits)

    @contextlib.contextmanager
    def _unit(self) -> Iterator[tuple[Session, bool]]:
        """(session, own): the enclosing unit of work on SQLite, else a transaction of its own."""
        db = self.db
        enclosing = db.active_session() if db.is_sqlite else None
        if enclosing is not None:
            yield enclosing, False
            return
        with db.session() as session:
            yield session, True

    def acquire(self, scope: Scope) -> None:
        """Count one request, or raise LLMUnavailable("budget") when the person or plan is out of budget."""
        keys = self._keys(scope)
        if not keys:
            return
        bucket = int(self.clock() // BUCKET_SECONDS)
        first = bucket - WINDOW_BUCKETS + 1
        with self._unit() as (session, own):
            for key, max_requests, max_tokens in keys:  # person before plan: one order, no deadlock
                if own:
                    bump_usage(session, key, LIFETIME, requests=1)  # locks the key until this transaction ends
                    forget_usage_before(session, key, first)
                requests, tokens = usage_since(session, key, first)
                if requests >= max_requests:
                    raise LLMUnavailable("budget", f"{key} made {max_requests} requests this hour")
                if tokens >= max_tokens:
                    raise LLMUnavailable("budget", f"{key} used {max_tokens} tokens this hour")
            for key, _, _ in keys:
                if not own:
                    bump_usage(session, key, LIFETIME, requests=1)
                bump_usage(session, key, bucket, requests=1)

    def spend(self, scope: Scope, tokens: int) -> None:
        keys = self._keys(scope)
        if not keys or tokens <= 0:
            return
        bucket = int(self.clock() // BUCKET_SECONDS)
        with self._unit() as (session, _):
            for key, _, _ in keys:
                bump_usage(session, key, LIFETIME, tokens=tokens)
                bump_usage(session, key, bucket, tokens=tokens)

    def used(self, key: str) -> tuple[int, int]:
        """Requests and tokens of `key` ("person:tg:1", "plan:3") in the last hour."""
        bucket = int(self.clock() // BUCKET_SECONDS)
        with self.db.session() as session:
            return usage_since(session, key, bucket - WINDOW_BUCKETS + 1)
