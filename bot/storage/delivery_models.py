"""SQL models of what several workers must share: replies waiting to be sent, and the limits' counters.

Schema changes go with an Alembic migration (0006_outbox_and_limits and later).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow


class OutboxRow(Base):
    """One reply stored with the effects of the message it answers, until it has been sent.

    A row is written in the same transaction as everything its message changed, claimed by the worker that
    sends it, and deleted once sent: the table only ever holds what is still owed to someone.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_source", "person_id", "source_id"),
        Index("ix_outbox_recipient", "recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=True, doc="Whose message (or reminder) it belongs to"
    )
    source_id: Mapped[str] = mapped_column(String(100), doc="The message's source id, or the reminder's key")
    position: Mapped[int] = mapped_column(Integer, default=0, doc="Order among the replies of one message")
    recipient: Mapped[str] = mapped_column(String(200), doc="Chat key to send to: tg:<user id>, tg-chat:<chat id>")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, doc="The Reply (files base64-encoded)")
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, doc="Messages of this reply already sent")
    attempts: Mapped[int] = mapped_column(Integer, default=0, doc="Sends that failed for a passing reason")
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True, doc="The worker sending it")
    claimed_until: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, doc="End of the claim; unclaimed: not to be retried before"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FloodBucket(Base):
    """One person's flood-limit token bucket, shared by every worker (times are seconds since the epoch)."""

    __tablename__ = "flood_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float, doc="When tokens was last brought up to date")
    told_at: Mapped[float | None] = mapped_column(Float, nullable=True, doc="When the person was last told")
    verdict: Mapped[str] = mapped_column(String(20), doc="The verdict of the last check")


class UsageCounter(Base):
    """LLM requests and tokens of one person or plan in one minute (bucket -1: the key's lifetime total)."""

    __tablename__ = "usage_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, doc="Minutes since epoch")
    requests: Mapped[int] = mapped_column(Integer, default=0)
    tokens: Mapped[int] = mapped_column(Integer, default=0)
