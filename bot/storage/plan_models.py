"""SQL models of people, plans' memberships, invites, conversation state and captured inputs.

Everything the interview needs to resume lives here, so a restart or a second worker continues exactly
where a person was. Schema changes go with an Alembic migration (0002_interview and later).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.models import Base, utcnow


class PersonRow(Base):
    """Someone talking to planbot through one transport ("tg:12345", "cli:alice")."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(
        String(16), nullable=True, doc="The transport's language tag (Telegram's language_code), as last seen"
    )
    chosen_language: Mapped[str | None] = mapped_column(
        String(8), nullable=True, doc="The catalogue the person picked (en | sw | fr; 0007); None: not chosen"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanSettings(Base):
    """Per-plan options kept apart from the plans table (e.g. the actor types offered in the profile)."""

    __tablename__ = "plan_settings"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    actor_types: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    language: Mapped[str | None] = mapped_column(
        String(8), nullable=True, doc="The catalogue for people who have not picked one (0007); None: English"
    )

    @classmethod
    def of(cls, session: Session, plan_id: int) -> PlanSettings:
        """The plan's settings row, added (unflushed) when the plan has none yet: options are set one at a time."""
        settings = session.get(cls, plan_id)
        if settings is None:
            settings = cls(plan_id=plan_id)
            session.add(settings)
        return settings


class Membership(Base):
    """A person in a plan: role, profile, consent, and where their interview stands in this plan."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "plan_id", name="uq_memberships_person_plan"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20), doc="facilitator | stakeholder | notes")
    actor_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    size: Mapped[str | None] = mapped_column(String(20), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    topic_index: Mapped[int] = mapped_column(Integer, default=0)
    followup_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    interview_done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    may_be_named: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="The person agreed that the draft plan may name them beside their words"
    )


class Invite(Base):
    """An opaque invite code to a plan, for one role; revocable, with optional expiry and use limit."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    max_uses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ConversationState(Base):
    """Where one person is in the conversation; versioned so two workers never overwrite each other."""

    __tablename__ = "conversation_state"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    active_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), nullable=True)
    state: Mapped[str] = mapped_column(String(40), default="idle")
    pending: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    offered: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook


class StoredInput(Base):
    """One captured input: the words as written, who said it, where, answering what, from which message."""

    __tablename__ = "inputs"
    __table_args__ = (
        UniqueConstraint("person_id", "plan_id", "source_id", "position", name="uq_inputs_source"),
        Index("ix_inputs_plan", "plan_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    question: Mapped[str | None] = mapped_column(String(40), nullable=True)
    source_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    vector: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True, doc="The text's embedding as float32 bytes (0005); None: embed when needed"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ProcessedMessage(Base):
    """A message already handled: a second delivery of the same source id changes nothing."""

    __tablename__ = "processed_messages"
    __table_args__ = (UniqueConstraint("person_id", "source_id", name="uq_processed_person_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
