"""The vector index: a LangChain `Chroma` store over an embedded or remote Chroma, rebuildable from SQL."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from bot.errors import SettingsError

log = logging.getLogger(__name__)

COLLECTION = "planbot-knowledge"


@dataclass(frozen=True)
class IndexedChunk:
    """What the index needs of a chunk: its id, text and the metadata retrieval filters on."""

    id: str
    text: str
    scope: str
    document: str
    section: str | None
    position: int


def make_chroma_client(chroma_url: str | None, persist_dir: Path):
    """An embedded PersistentClient under the data dir, or an HttpClient for PLANBOT_CHROMA_URL; telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SettingsError(f"PLANBOT_CHROMA_URL: expected http://host:port (got {chroma_url!r})")
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    persist_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(persist_dir), settings=settings)


class VectorIndex:
    """Cosine search over chunk vectors, filtered by retrieval scope ('global', 'plan-<id>')."""

    def __init__(self, client, embeddings: Embeddings, collection: str = COLLECTION) -> None:
        self._client = client
        self._embeddings = embeddings
        self._name = collection
        self._store = self._open()

    def _open(self) -> Chroma:
        return Chroma(
            collection_name=self._name,
            embedding_function=self._embeddings,
            client=self._client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def add(self, chunks: Sequence[IndexedChunk], vectors: Sequence[Sequence[float]] | None = None) -> None:
        if not chunks:
            return
        texts = [chunk.text for chunk in chunks]
        if vectors is None:
            vectors = self._embeddings.embed_documents(texts)
        self._store._collection.upsert(
            ids=[chunk.id for chunk in chunks],
            embeddings=[list(vector) for vector in vectors],
            documents=texts,
            metadatas=[
                {
                    "scope": chunk.scope,
                    "document": chunk.document,
                    "section": chunk.section or "",
                    "position": chunk.position,
                }
                for chunk in chunks
            ],
        )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._store.delete(ids=list(ids))

    def delete_scope(self, scope: str) -> None:
        self._store._collection.delete(where={"scope": scope})

    def search(self, vector: Sequence[float], scopes: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks within the scopes, best first."""
        if self.count() == 0:
            return []
        where = {"scope": scopes[0]} if len(scopes) == 1 else {"scope": {"$in": list(scopes)}}
        hits = self._store.similarity_search_by_vector_with_relevance_scores(list(vector), k=k, filter=where)
        return [(self._id_of(document), 1.0 - float(distance)) for document, distance in hits]

    @staticmethod
    def _id_of(document: Document) -> str:
        return str(document.id)

    def ids(self) -> set[str]:
        return set(self._store.get(include=[])["ids"])

    def count(self) -> int:
        return self._store._collection.count()

    def close(self) -> None:
        """Release the client, so a later client on the same folder starts afresh (Chroma shares systems)."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def reset(self) -> None:
        """Drop and recreate the collection (used by reindex)."""
        self._store.delete_collection()
        self._store = self._open()
