"""Builds planbot's services once per process, from the settings (private-gpt's components/services split)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from langchain_core.embeddings import Embeddings

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.knowledge.embeddings import SentenceTransformerEmbeddings
from bot.knowledge.index import VectorIndex, make_chroma_client
from bot.knowledge.service import KnowledgeBase
from bot.settings import Settings
from bot.storage import Database

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The composition root: every provider is created here, lazily, and only once."""

    settings: Settings
    embeddings_override: Embeddings | None = field(default=None, repr=False)

    @cached_property
    def db(self) -> Database:
        db = Database(self.settings.resolved_database_url)
        db.migrate()
        return db

    @cached_property
    def embeddings(self) -> Embeddings:
        return self.embeddings_override or SentenceTransformerEmbeddings(self.settings.embedding_model)

    @cached_property
    def index(self) -> VectorIndex:
        return VectorIndex(
            make_chroma_client(self.settings.chroma_url, self.settings.chroma_dir), self.embeddings
        )

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        knowledge = KnowledgeBase(self.db, self.index, self.embeddings, self.settings.max_file_bytes)
        knowledge.ensure_guidance()
        knowledge.sync_index()
        return knowledge

    @cached_property
    def answerer(self) -> OfflineAnswerer:
        return OfflineAnswerer(
            self.knowledge,
            min_score=self.settings.answer_min_score,
            max_question_chars=self.settings.max_question_chars,
        )

    @cached_property
    def extractor(self) -> OfflineExtractor:
        return OfflineExtractor(self.embeddings)

    @cached_property
    def engine(self):
        from bot.engine.engine import Engine
        from bot.themes import cluster

        return Engine(
            self.db, self.extractor, self.answerer, self.embeddings, cluster=cluster, documents=self.knowledge
        )

    def close(self) -> None:
        if "index" in self.__dict__:
            self.index.close()
        if "db" in self.__dict__:
            self.db.dispose()
