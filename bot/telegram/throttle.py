"""A per-person flood limit: a token bucket per person, in SQL (shared) or in this process's memory.

A person may send `messages` messages in any `seconds`; what goes over is not processed and gets one
throttle reply per window, so a flood neither starves other people nor fills the chat with refusals.
`planbot run` uses `SharedFloodThrottle`: the buckets live in the database, so several workers behind a load
balancer, and a worker after a restart, keep one limit per person. `FloodThrottle` is the in-memory twin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.storage import Database


class Verdict(StrEnum):
    allow = "allow"
    refuse_and_tell = "refuse_and_tell"  # the first refusal in a window: reply once
    refuse_quietly = "refuse_quietly"


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    told_at: float | None = None


class FloodThrottle:
    """Token bucket per key: capacity `messages`, refilled at `messages / seconds` per second."""

    def __init__(
        self,
        messages: int,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if messages < 1 or seconds <= 0:
            raise ValueError("a flood limit needs at least one message per a positive number of seconds")
        self.capacity = float(messages)
        self.seconds = float(seconds)
        self.rate = messages / seconds
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def check(self, key: str) -> Verdict:
        """Take one token for `key`, or say how to refuse."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(tokens=self.capacity, stamp=now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.allow
        if bucket.told_at is None or now - bucket.told_at >= self.seconds:
            bucket.told_at = now
            return Verdict.refuse_and_tell
        return Verdict.refuse_quietly

    def _prune(self, now: float) -> None:
        """Forget people whose bucket has refilled: they are indistinguishable from newcomers."""
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.stamp) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class SharedFloodThrottle:
    """The same token bucket per key, kept in the database: one UPSERT per message, whatever the worker.

    `check` does SQL: call it off the event loop. `clock` is wall-clock seconds (workers share the time).
    """

    def __init__(
        self,
        db: Database | Callable[[], Database],
        messages: int,
        seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if messages < 1 or seconds <= 0:
            raise ValueError("a flood limit needs at least one message per a positive number of seconds")
        self._db = db
        self.capacity = messages
        self.seconds = float(seconds)
        self.clock = clock

    @property
    def db(self) -> Database:
        from bot.storage import Database

        if not isinstance(self._db, Database):
            self._db = self._db()
        return self._db

    def check(self, key: str) -> Verdict:
        from bot.storage.limits import take_flood_token

        with self.db.session() as session:
            verdict = take_flood_token(session, key, self.capacity, self.seconds, self.clock())
        return {"allow": Verdict.allow, "tell": Verdict.refuse_and_tell}.get(verdict, Verdict.refuse_quietly)
