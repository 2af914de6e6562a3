"""Counters every worker shares, kept in SQL with one UPSERT each (SQLite ≥ 3.35 and PostgreSQL alike).

- The flood limit: a token bucket per person, refilled and taken from in a single
  `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, so two workers checking the same person at once are
  serialised by the row and the limit is one limit, however many workers there are and across restarts.
- The LLM budget: requests and tokens per person and per plan in one-minute buckets, summed over the last
  hour (a sliding window to the minute). A key's lifetime row (bucket -1) is bumped first: it locks the key, so
  two workers cannot both take the last request of an hour.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, and_, case, delete, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.storage.delivery_models import FloodBucket, UsageCounter

LIFETIME = -1  # UsageCounter.bucket of a key's lifetime total
BUCKET_SECONDS = 60


def _insert(session: Session) -> Any:
    """The dialect's INSERT with `on_conflict_do_update` (SQLite and PostgreSQL spell it the same way)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _num(value: float) -> Any:
    return literal(float(value), Float)


def take_flood_token(session: Session, key: str, capacity: int, seconds: float, now: float) -> str:
    """One message of `key` at `now`: "allow", "tell" (the first refusal in a window) or "quiet"."""
    bucket = FloodBucket.__table__.c
    rate = capacity / seconds
    elapsed = case((_num(now) > bucket.stamp, _num(now) - bucket.stamp), else_=_num(0.0))
    grown = bucket.tokens + elapsed * _num(rate)
    refill = case((grown > _num(capacity), _num(capacity)), else_=grown)
    may_tell = or_(bucket.told_at.is_(None), _num(now) - bucket.told_at >= _num(seconds))
    allowed = refill >= _num(1.0)
    statement = (
        _insert(session)(FloodBucket)
        .values(key=key, tokens=float(capacity) - 1.0, stamp=now, told_at=None, verdict="allow")
        .on_conflict_do_update(
            index_elements=[FloodBucket.key],
            set_={
                "tokens": case((allowed, refill - _num(1.0)), else_=refill),
                "stamp": case((_num(now) > bucket.stamp, _num(now)), else_=bucket.stamp),
                "told_at": case((and_(~allowed, may_tell), _num(now)), else_=bucket.told_at),
                "verdict": case((allowed, literal("allow")), (may_tell, literal("tell")), else_=literal("quiet")),
            },
        )
        .returning(FloodBucket.verdict)
    )
    return str(session.execute(statement).scalar_one())


def bump_usage(session: Session, key: str, bucket: int, requests: int = 0, tokens: int = 0) -> None:
    """Add to one (key, minute) counter, creating it when needed."""
    counter = UsageCounter.__table__.c
    statement = (
        _insert(session)(UsageCounter)
        .values(key=key, bucket=bucket, requests=requests, tokens=tokens)
        .on_conflict_do_update(
            index_elements=[UsageCounter.key, UsageCounter.bucket],
            set_={"requests": counter.requests + requests, "tokens": counter.tokens + tokens},
        )
    )
    session.execute(statement)


def usage_since(session: Session, key: str, first_bucket: int) -> tuple[int, int]:
    """Requests and tokens of `key` in the buckets from `first_bucket` on (the lifetime row left out)."""
    totals = select(func.coalesce(func.sum(UsageCounter.requests), 0), func.coalesce(func.sum(UsageCounter.tokens), 0))
    row = session.execute(totals.where(UsageCounter.key == key, UsageCounter.bucket >= first_bucket)).one()
    return int(row[0]), int(row[1])


def forget_usage_before(session: Session, key: str, first_bucket: int) -> None:
    """Buckets that have left the window are of no more use."""
    session.execute(
        delete(UsageCounter).where(
            UsageCounter.key == key, UsageCounter.bucket >= 0, UsageCounter.bucket < first_bucket
        )
    )


def forget_person(session: Session, person_key: str) -> None:
    """/forgetme: the person's flood bucket and LLM counters go with everything else of theirs."""
    session.execute(delete(FloodBucket).where(FloodBucket.key == person_key))
    session.execute(delete(UsageCounter).where(UsageCounter.key == f"person:{person_key}"))
