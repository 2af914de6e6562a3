"""The knowledge base: documents kept in SQL (the source of truth), their chunks searchable in Chroma."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.errors import NotFoundError, PlanbotError
from bot.knowledge.chunking import Passage, content_hash, split_markdown
from bot.knowledge.index import IndexedChunk, VectorIndex
from bot.knowledge.loaders import load_document
from bot.messages import catalogue
from bot.paths import knowledge_path
from bot.storage import Database
from bot.storage.models import Chunk, Document, Plan

log = logging.getLogger(__name__)

GLOBAL_SCOPE = "global"
GUIDANCE_FILE = knowledge_path("upgrading-plan-guidance.md")


def plan_scope(plan_id: int | None) -> str:
    return GLOBAL_SCOPE if plan_id is None else f"plan-{plan_id}"


class IngestStatus(StrEnum):
    added = "added"
    replaced = "replaced"
    unchanged = "unchanged"


@dataclass(frozen=True)
class IngestResult:
    source: str
    status: IngestStatus
    chunks: int
    document_id: int


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk found for a query, with what a citation needs."""

    chunk_id: str
    document: str
    section: str | None
    text: str
    score: float


def _chunk_id(scope: str, source: str, passage: Passage) -> str:
    key = f"{scope}|{source}|{passage.position}|{passage.text_hash}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


class KnowledgeBase:
    """Ingest, retrieve and rebuild; retrieval for a plan sees the global guidance plus that plan only."""

    def __init__(self, db: Database, index: VectorIndex, embeddings: Embeddings, max_file_bytes: int) -> None:
        self.db = db
        self.index = index
        self.embeddings = embeddings
        self.max_file_bytes = max_file_bytes

    # ----------------------------------------------------------------- ingest
    def ensure_guidance(self) -> IngestResult:
        """Load the shipped guidance on first start (and again if the shipped file changed)."""
        return self.ingest_file(GUIDANCE_FILE, plan_id=None, kind="guidance")

    def ingest_file(self, path: Path, plan_id: int | None = None, kind: str = "document") -> IngestResult:
        return self.ingest_document(load_document(path, self.max_file_bytes), path, plan_id, kind)

    def ingest_bytes(
        self, plan_id: int, name: str, data: bytes, kind: str = "document", session: Session | None = None
    ) -> tuple[str, int]:
        """An uploaded file (e.g. from Telegram): checked and loaded like a file on disk, named as sent."""
        safe_name = Path(name).name or "document"
        if len(data) > self.max_file_bytes:
            raise PlanbotError(
                catalogue().text("errors.file_too_large", path=safe_name, size=len(data), limit=self.max_file_bytes)
            )
        with tempfile.TemporaryDirectory(prefix="planbot-upload-") as folder:
            # the loader needs only the extension; the name as sent may be longer than the filesystem allows
            path = Path(folder) / f"upload{Path(safe_name).suffix[:20]}"
            path.write_bytes(data)
            try:
                document = load_document(path, self.max_file_bytes)
            except PlanbotError as exc:
                raise PlanbotError(exc.message.replace(str(path), safe_name)) from None
        result = self.ingest_text(
            document.page_content,
            source=safe_name,
            title=Path(safe_name).stem,
            plan_id=plan_id,
            kind=kind,
            session=session,
        )
        return document.page_content, result.chunks

    def ingest_document(
        self, document: LCDocument, path: Path, plan_id: int | None = None, kind: str = "document"
    ) -> IngestResult:
        return self.ingest_text(document.page_content, source=path.name, title=path.stem, plan_id=plan_id, kind=kind)

    def ingest_text(
        self,
        markdown: str,
        *,
        source: str,
        title: str,
        plan_id: int | None = None,
        kind: str = "document",
        session: Session | None = None,
    ) -> IngestResult:
        """One transaction per document: SQL rows and index entries land together or not at all.

        Given a `session`, the document joins that unit of work (the engine's, for an upload in chat).
        """
        if session is not None:
            return self._ingest(session, markdown, source, title, plan_id, kind)
        with self.db.session() as own:
            return self._ingest(own, markdown, source, title, plan_id, kind)

    def _ingest(
        self, session: Session, markdown: str, source: str, title: str, plan_id: int | None, kind: str
    ) -> IngestResult:
        scope = plan_scope(plan_id)
        digest = content_hash(markdown)
        if plan_id is not None and session.get(Plan, plan_id) is None:
            raise NotFoundError(catalogue().text("errors.plan_not_found", plan_id=plan_id))
        existing = session.scalar(select(Document).where(Document.scope == scope, Document.source == source))
        if existing is not None and existing.content_hash == digest:
            return IngestResult(source, IngestStatus.unchanged, len(existing.chunks), existing.id)
        passages = split_markdown(markdown)
        old_ids = [chunk.id for chunk in existing.chunks] if existing is not None else []
        if existing is None:
            existing = Document(plan_id=plan_id, scope=scope, source=source, title=title, kind=kind)
            session.add(existing)
            status = IngestStatus.added
        else:
            existing.chunks.clear()
            session.flush()
            status = IngestStatus.replaced
        existing.content_hash = digest
        existing.title = title
        existing.kind = kind
        chunks = [
            Chunk(
                id=_chunk_id(scope, source, passage),
                scope=scope,
                position=passage.position,
                section=passage.section,
                text=passage.text,
                text_hash=passage.text_hash,
            )
            for passage in passages
        ]
        existing.chunks.extend(chunks)
        session.flush()
        vectors = self.embeddings.embed_documents([chunk.text for chunk in chunks])
        indexed = [self._indexed(chunk, title) for chunk in chunks]
        self.index.add(indexed, vectors)
        new_ids = {chunk.id for chunk in chunks}
        try:
            self.index.delete([chunk_id for chunk_id in old_ids if chunk_id not in new_ids])
            session.flush()
        except Exception:
            self.index.delete([chunk.id for chunk in indexed])
            raise
        return IngestResult(source, status, len(chunks), existing.id)

    @staticmethod
    def _indexed(chunk: Chunk, title: str) -> IndexedChunk:
        return IndexedChunk(
            id=chunk.id,
            text=chunk.text,
            scope=chunk.scope,
            document=title,
            section=chunk.section,
            position=chunk.position,
        )

    def delete_plan_documents(self, plan_id: int) -> None:
        scope = plan_scope(plan_id)
        with self.db.session() as session:
            session.execute(delete(Chunk).where(Chunk.scope == scope))
            session.execute(delete(Document).where(Document.scope == scope))
        self.index.delete_scope(scope)

    # ---------------------------------------------------------------- rebuild
    def chunk_count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Chunk)) or 0

    def reindex(self, batch_size: int = 256) -> int:
        """Rebuild the whole Chroma index from the chunks in SQL alone."""
        self.index.reset()
        total = 0
        with self.db.session() as session:
            rows = session.execute(
                select(Chunk, Document.title).join(Document).order_by(Document.id, Chunk.position)
            ).all()
            batch: list[IndexedChunk] = []
            for chunk, title in rows:
                batch.append(self._indexed(chunk, title))
                if len(batch) >= batch_size:
                    self.index.add(batch)
                    total += len(batch)
                    batch = []
            self.index.add(batch)
            total += len(batch)
        return total

    def sync_index(self) -> bool:
        """Rebuild the index when it does not hold exactly the chunks SQL holds (e.g. its folder was deleted)."""
        with self.db.session() as session:
            sql_ids = set(session.scalars(select(Chunk.id)))
        if self.index.ids() == sql_ids:
            return False
        log.info("vector index out of step with the store (%d chunks in SQL); rebuilding", len(sql_ids))
        self.reindex()
        return True

    # -------------------------------------------------------------- retrieval
    def retrieve(self, query: str, plan_id: int | None = None, k: int = 5) -> list[RetrievedChunk]:
        return self.retrieve_by_vector(self.embeddings.embed_query(query), plan_id, k)

    def retrieve_by_vector(
        self, vector: Sequence[float], plan_id: int | None = None, k: int = 5
    ) -> list[RetrievedChunk]:
        scopes = [GLOBAL_SCOPE] if plan_id is None else [GLOBAL_SCOPE, plan_scope(plan_id)]
        hits = self.index.search(vector, scopes, k)
        if not hits:
            return []
        scores = dict(hits)
        with self.db.session() as session:
            rows = session.execute(
                select(Chunk, Document.title).join(Document).where(Chunk.id.in_(list(scores)), Chunk.scope.in_(scopes))
            ).all()
        found = {
            chunk.id: RetrievedChunk(chunk.id, title, chunk.section, chunk.text, scores[chunk.id])
            for chunk, title in rows
        }
        return [found[chunk_id] for chunk_id, _ in hits if chunk_id in found]

    def scoped_chunks(self, plan_id: int | None) -> list[RetrievedChunk]:
        """Every chunk a plan's retrieval may see (for lexical scoring)."""
        scopes = [GLOBAL_SCOPE] if plan_id is None else [GLOBAL_SCOPE, plan_scope(plan_id)]
        with self.db.session() as session:
            rows = session.execute(select(Chunk, Document.title).join(Document).where(Chunk.scope.in_(scopes))).all()
        return [RetrievedChunk(c.id, title, c.section, c.text, 0.0) for c, title in rows]

    def require_plan(self, plan_id: int) -> None:
        self.require_plan_in(self.db, plan_id)

    @staticmethod
    def require_plan_in(db: Database, plan_id: int) -> None:
        with db.session() as session:
            if session.get(Plan, plan_id) is None:
                raise NotFoundError(catalogue().text("errors.plan_not_found", plan_id=plan_id))
