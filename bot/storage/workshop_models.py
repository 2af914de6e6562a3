"""SQL models of what the workshop builds on the inputs: initiatives, stakeholders' views, groups, polls, votes.

Schema changes go with an Alembic migration (0003_workshop and later).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow


class InitiativeRow(Base):
    """An initiative of a plan: checked against the guidance, proposed, accepted or rejected by facilitators."""

    __tablename__ = "initiatives"
    __table_args__ = (Index("ix_initiatives_plan", "plan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="", doc="The initiative as typed or drafted, free text")
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, doc="bot.checker.models.Initiative dump")
    origin: Mapped[str] = mapped_column(String(20), doc="check | proposal | idea | import")
    pattern: Mapped[str | None] = mapped_column(String(80), nullable=True, doc="Pattern id of a proposal")
    status: Mapped[str] = mapped_column(String(20), default="proposed", doc="proposed | accepted | rejected")
    verdict: Mapped[str | None] = mapped_column(String(20), nullable=True)
    scorecard: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, doc="contract `check` JSON")
    answers: Mapped[list[int]] = mapped_column(JSON, default=list, doc="Ids of the inputs it answers")
    source_input_id: Mapped[int | None] = mapped_column(
        ForeignKey("inputs.id", ondelete="SET NULL"), nullable=True, doc="The stakeholder idea it was promoted from"
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class InitiativeView(Base):
    """A stakeholder's view of a proposed initiative (support, concern), asked by the facilitators."""

    __tablename__ = "initiative_views"
    __table_args__ = (UniqueConstraint("initiative_id", "person_id", name="uq_views_initiative_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(20), doc="support | concern | neutral | pending")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupLink(Base):
    """A transport group chat tied to a plan by a facilitator (/linkgroup)."""

    __tablename__ = "group_links"
    __table_args__ = (UniqueConstraint("chat_key", name="uq_group_links_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    chat_key: Mapped[str] = mapped_column(String(100), doc="e.g. tg-chat:-100123")
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PollRow(Base):
    """A poll posted to a linked group over the top themes or initiatives (/vote)."""

    __tablename__ = "polls"
    __table_args__ = (UniqueConstraint("transport_poll_id", name="uq_polls_transport_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    transport_poll_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    subject: Mapped[str] = mapped_column(String(20), doc="themes | initiatives")
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, doc="[{label, ref}] in poll order")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VoteRow(Base):
    """One person's answer to a poll; a changed answer replaces the old one."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("poll_id", "voter_key", "option_index", name="uq_votes_poll_voter_option"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(String(200), doc="The person's key (tg:123); deleted by /forgetme")
    option_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReminderSent(Base):
    """Who was reminded for which reminder, so each person is reminded at most once per reminder."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("reminder_key", "person_id", name="uq_reminders_key_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    reminder_key: Mapped[str] = mapped_column(String(100), doc="e.g. remind:<plan>:<iso time> or meeting:<date>")
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
