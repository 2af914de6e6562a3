"""SQLAlchemy models of the store. Schema changes go with an Alembic migration in migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Plan(Base):
    """One industry's upgrading plan; everything stakeholders say belongs to exactly one plan."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    value_chain: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    vision: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_meeting: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """A knowledge document: the global guidance, or a plan's own document (analysis, meeting notes)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("scope", "source", name="uq_documents_scope_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=True)
    scope: Mapped[str] = mapped_column(String(40), doc="'global' or 'plan-<id>': the retrieval scope")
    source: Mapped[str] = mapped_column(String(500), doc="File name the document was ingested from")
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(40), default="document")
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.position"
    )


class Chunk(Base):
    """A retrievable passage of a document; its id is what citations name."""

    __tablename__ = "chunks"
    __table_args__ = (Index("ix_chunks_scope", "scope"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(500), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))

    document: Mapped[Document] = relationship(back_populates="chunks")
