"""The outbox: a message's replies are stored in the transaction that applies it, and sent after.

Handling a message and answering it are two steps that a crash can separate. So the engine writes the
replies as rows of `outbox` in the same transaction as the message's effects (and its `processed_messages`
row), claimed by the worker handling it. The adapter then sends them, renewing the claim before each reply,
recording each part sent, and deleting the row once sent. What a crash leaves behind is still owed:

- a redelivered message (Telegram retrying, or the polling offset not yet confirmed) finds it processed and,
  instead of nothing, gets back the rows still owed to that chat;
- every worker sweeps the table every few seconds for rows nobody is sending (released after a passing
  failure, a claim run out, or a claimer that is gone).

A claim is taken by one atomic UPDATE, so two workers never both send a row. A claimer is "gone" when its
lease has run out or, sooner, when it is known dead: on PostgreSQL each worker holds an advisory lock for its
lifetime (PostgreSQL drops it with the connection), on SQLite (one machine) its process has exited.
What was sent is never sent again; the one window left is a crash between Telegram accepting a message
and the row recording it (milliseconds), which would send that one message again.
"""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.engine.liveness import LocalLiveness, PostgresLiveness
from bot.engine.models import Reply
from bot.storage import Database
from bot.storage.delivery_models import OutboxRow
from bot.storage.plan_models import PersonRow

LEASE = timedelta(seconds=60)  # how long a claim holds without renewal
MAX_ATTEMPTS = 8  # passing failures before a reply is given up
BACKOFF_SECONDS = (2, 5, 15, 30, 60, 120, 300)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outgoing:
    """A reply to send. `id` None: not stored (a refusal that changed nothing), sent once and forgotten."""

    reply: Reply
    id: int | None = None
    recipient: str | None = None  # chat key; None: the chat the message came from
    parts_sent: int = 0
    claimed_at: float = 0.0  # time.monotonic() when this worker claimed it (a fresh claim needs no renewal)


def encode(reply: Reply) -> dict[str, Any]:
    payload = reply.model_dump(mode="json", exclude={"files"})
    payload["files"] = [
        {"name": f.name, "mime_type": f.mime_type, "content": base64.b64encode(f.content).decode("ascii")}
        for f in reply.files
    ]
    return payload


def decode(payload: dict[str, Any]) -> Reply:
    data = dict(payload)
    data["files"] = [{**f, "content": base64.b64decode(f["content"])} for f in payload.get("files", [])]
    return Reply.model_validate(data)


# ---- the outbox -----------------------------------------------------------------------------------------


class Outbox:
    """Stores, claims and settles the rows of `outbox`. Methods taking a session run inside the caller's unit of
    work (the engine's turn); the others are short transactions of their own."""

    def __init__(self, db: Database, clock=utcnow, lease: timedelta = LEASE) -> None:
        self.db = db
        self.clock = clock
        self.lease = lease
        self._liveness: LocalLiveness | PostgresLiveness | None = None
        self._lock = threading.Lock()

    @property
    def liveness(self) -> LocalLiveness | PostgresLiveness:
        with self._lock:
            if self._liveness is None:
                postgres = self.db.url.get_backend_name() == "postgresql"
                self._liveness = PostgresLiveness(self.db) if postgres else LocalLiveness()
            return self._liveness

    @property
    def worker(self) -> str:
        """This worker's claim token."""
        return self.liveness.token

    # ---- inside the turn

    def store(
        self,
        session: Session,
        person_id: int | None,
        source_id: str,
        replies: list[Reply],
        chat: str,
    ) -> list[Outgoing]:
        """The turn's replies as rows claimed by this worker, after anything still owed to the same chat."""
        now = self.clock()
        owed = self._claim(session, OutboxRow.recipient == chat, now, eager=True)
        rows = [
            OutboxRow(
                person_id=person_id,
                source_id=source_id[:100],
                position=n,
                recipient=reply.to or chat,
                payload=encode(reply),
                parts_sent=0,
                attempts=0,
                claimed_by=self.worker,
                claimed_until=now + self.lease,
                created_at=now,
            )
            for n, reply in enumerate(replies)
        ]
        session.add_all(rows)
        session.flush()
        claimed = time.monotonic()
        return owed + [
            Outgoing(reply, row.id, row.recipient, claimed_at=claimed) for reply, row in zip(replies, rows, strict=True)
        ]

    def store_addressed(self, session: Session, source_id: str, replies: list[Reply]) -> list[Outgoing]:
        """Replies each addressed to someone (`Reply.to`: reminders), kept with that person (gone if they are)."""
        now = self.clock()
        keys = {reply.to for reply in replies if reply.to}
        found = session.execute(select(PersonRow.key, PersonRow.id).where(PersonRow.key.in_(keys))) if keys else []
        ids = {key: person_id for key, person_id in found}
        stored = []
        for n, reply in enumerate(replies):
            if not reply.to:
                continue
            row = OutboxRow(
                person_id=ids.get(reply.to),
                source_id=source_id[:100],
                position=n,
                recipient=reply.to,
                payload=encode(reply),
                parts_sent=0,
                attempts=0,
                claimed_by=self.worker,
                claimed_until=now + self.lease,
                created_at=now,
            )
            session.add(row)
            stored.append((reply, row))
        session.flush()
        claimed = time.monotonic()
        return [Outgoing(reply, row.id, row.recipient, claimed_at=claimed) for reply, row in stored]

    def owed(self, session: Session, person_id: int, source_id: str, chat: str) -> list[Outgoing]:
        """A message delivered again: what is still owed for it, and to its chat, claimed now."""
        mine = (OutboxRow.person_id == person_id) & (OutboxRow.source_id == source_id)
        return self._claim(session, or_(mine, OutboxRow.recipient == chat), self.clock(), eager=True)

    def forget_recipient(self, session: Session, key: str) -> None:
        """Nothing more is sent to someone who asked to be forgotten (bar the turn's own confirmation)."""
        session.execute(delete(OutboxRow).where(OutboxRow.recipient == key))

    # ---- claims

    def _claim(self, session: Session, where: ColumnElement[bool], now: datetime, eager: bool) -> list[Outgoing]:
        """Claim the rows matching `where` that nobody is sending, in order. `eager`: a row released after a
        passing failure is taken at once (someone is talking to that chat), not at its retry time."""
        candidates = session.execute(
            select(OutboxRow.id, OutboxRow.claimed_by, OutboxRow.claimed_until).where(where).order_by(OutboxRow.id)
        ).all()
        if not candidates:
            return []
        dead = self._dead(candidates)
        return self._take(session, [c.id for c in candidates if self._free(c, now, eager, dead)], now, eager, dead)

    def _dead(self, candidates: list[Any]) -> set[str]:
        """Claimers of these rows that are gone (their process, or their PostgreSQL connection, has ended)."""
        others = {c.claimed_by for c in candidates if c.claimed_by and c.claimed_by != self.worker}
        return others - self.liveness.alive(others) if others else set()

    @staticmethod
    def _free(candidate: Any, now: datetime, eager: bool, dead: set[str]) -> bool:
        until = _aware(candidate.claimed_until)
        if candidate.claimed_by is None:
            return eager or until is None or until <= now
        return candidate.claimed_by in dead or until is None or until <= now

    def _take(self, session: Session, ids: list[int], now: datetime, eager: bool, dead: set[str]) -> list[Outgoing]:
        """One UPDATE whose condition is checked again on each row as it is locked: two workers never both
        take a row (on PostgreSQL the second waits for the first and then finds the row claimed)."""
        if not ids:
            return []
        expired = or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until <= now)
        unclaimed = OutboxRow.claimed_by.is_(None) if eager else OutboxRow.claimed_by.is_(None) & expired
        free = [unclaimed, OutboxRow.claimed_by.is_not(None) & expired]
        if dead:
            free.append(OutboxRow.claimed_by.in_(sorted(dead)))
        taken = set(
            session.scalars(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids), or_(*free))
                .values(claimed_by=self.worker, claimed_until=now + self.lease)
                .returning(OutboxRow.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not taken:
            return []
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.id.in_(taken))
            .order_by(OutboxRow.id)
            .execution_options(populate_existing=True)
        )
        claimed = time.monotonic()
        return [Outgoing(decode(row.payload), row.id, row.recipient, row.parts_sent, claimed) for row in rows]

    def claim_due(self, limit: int = 200) -> list[Outgoing]:
        """The sweep: rows nobody is sending and whose retry time has come, oldest first, in each chat's order
        (a chat's rows after one that is not free wait behind it)."""
        self.liveness.ping()
        now = self.clock()
        with self.db.session() as session:
            candidates = session.execute(
                select(OutboxRow.id, OutboxRow.recipient, OutboxRow.claimed_by, OutboxRow.claimed_until)
                .order_by(OutboxRow.id)
                .limit(limit)
            ).all()
            if not candidates:
                return []
            dead = self._dead(candidates)
            blocked: set[str] = set()
            chosen = []
            for c in candidates:
                if c.recipient in blocked:
                    continue
                if self._free(c, now, False, dead):
                    chosen.append(c.id)
                else:
                    blocked.add(c.recipient)  # being sent, or waiting to be retried: the chat's later rows wait
            return self._take(session, chosen, now, False, dead)

    # ---- after sending (short transactions of their own)

    def fresh(self, item: Outgoing) -> bool:
        """Claimed by this worker less than half a lease ago: still ours, no need to ask the database."""
        return item.claimed_at > 0 and time.monotonic() - item.claimed_at < self.lease.total_seconds() / 2

    def renew(self, row_id: int) -> bool:
        """Before sending: still ours (and still owed)? Extends the claim."""
        with self.db.session() as session:
            result = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.claimed_by == self.worker)
                .values(claimed_until=self.clock() + self.lease)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def progress(self, row_id: int, parts_sent: int) -> None:
        """A part of a long reply was sent: a resend starts after it."""
        with self.db.session() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.claimed_by == self.worker)
                .values(parts_sent=parts_sent, claimed_until=self.clock() + self.lease)
                .execution_options(synchronize_session=False)
            )

    def sent(self, row_id: int) -> None:
        """Sent (or given up): the row is owed no more."""
        with self.db.session() as session:
            session.execute(delete(OutboxRow).where(OutboxRow.id == row_id))

    def retry_later(self, row_id: int, parts_sent: int) -> bool:
        """A passing failure: released for a later sweep with a growing pause; False when given up."""
        with self.db.session() as session:
            row = session.get(OutboxRow, row_id)
            if row is None:
                return False
            attempts = row.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                session.delete(row)
                return False
            pause = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
            row.attempts, row.parts_sent = attempts, parts_sent
            row.claimed_by, row.claimed_until = None, self.clock() + timedelta(seconds=pause)
            return True

    def release(self, row_ids: list[int]) -> None:
        """Not sent this time (an earlier reply to the chat failed): free for the next sweep, in order."""
        if not row_ids:
            return
        with self.db.session() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(row_ids), OutboxRow.claimed_by == self.worker)
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    def pending(self) -> int:
        """How many replies are still owed (for tests and the logs)."""
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(OutboxRow)) or 0

    def close(self) -> None:
        with self._lock:
            if self._liveness is not None:
                self._liveness.close()
                self._liveness = None


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; planbot stores UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
