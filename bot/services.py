"""Builds planbot's services once per process, from the settings (private-gpt's components/services split)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.checker import Checker, OfflineChecker
from bot.knowledge.embeddings import SentenceTransformerEmbeddings
from bot.knowledge.index import VectorIndex, make_chroma_client
from bot.knowledge.service import KnowledgeBase
from bot.ports import Answerer, Extractor
from bot.settings import Settings
from bot.storage import Database

if TYPE_CHECKING:
    from bot.llm.services import LLMServices

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The composition root: every provider is created here, lazily, and only once."""

    settings: Settings
    embeddings_override: Embeddings | None = field(default=None, repr=False)
    chat_model_override: BaseChatModel | None = field(default=None, repr=False)

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
        return VectorIndex(make_chroma_client(self.settings.chroma_url, self.settings.chroma_dir), self.embeddings)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        knowledge = KnowledgeBase(self.db, self.index, self.embeddings, self.settings.max_file_bytes)
        with self.db.exclusive():  # workers starting together must not both insert the guidance
            knowledge.ensure_guidance()
            knowledge.sync_index()
        return knowledge

    @cached_property
    def offline_answerer(self) -> OfflineAnswerer:
        return OfflineAnswerer(
            self.knowledge,
            min_score=self.settings.answer_min_score,
            max_question_chars=self.settings.max_question_chars,
        )

    @cached_property
    def offline_extractor(self) -> OfflineExtractor:
        return OfflineExtractor(self.embeddings)

    @cached_property
    def offline_checker(self) -> OfflineChecker:
        return OfflineChecker(self.embeddings)

    @cached_property
    def llm(self) -> LLMServices | None:
        """The model-backed uses when PLANBOT_LLM is set (each falls back to its offline counterpart)."""
        if not self.settings.llm:
            return None
        from bot.llm import build_llm_services

        return build_llm_services(  # each offline counterpart is built only when its use is first needed
            self.settings,
            answerer=lambda: self.offline_answerer,
            extractor=lambda: self.offline_extractor,
            checker=lambda: self.offline_checker,
            model=self.chat_model_override,
            budget_db=lambda: self.db,  # one budget for every worker, kept across restarts
        )

    @property
    def answerer(self) -> Answerer:
        return self.llm.answerer if self.llm else self.offline_answerer

    @property
    def extractor(self) -> Extractor:
        return self.llm.extractor if self.llm else self.offline_extractor

    @property
    def checker(self) -> Checker:
        return self.llm.judge if self.llm else self.offline_checker

    @cached_property
    def drafts(self):
        from bot.export.service import DraftService
        from bot.proposals.store import plan_check_for

        def plan_check(session, plan_id, _checked):
            return plan_check_for(session, plan_id, self.checker, self.embeddings)

        return DraftService(self.db, self.checker, self.embeddings, plan_check=plan_check)

    @cached_property
    def engine(self):
        from bot.engine.engine import Engine
        from bot.themes import cluster

        return Engine(
            self.db,
            self.extractor,
            self.answerer,
            self.embeddings,
            cluster=cluster,
            documents=self.knowledge,
            drafts=self.drafts,
            checker=self.checker,
            phraser=self.llm.phraser if self.llm else None,
            drafter=self.llm.drafter if self.llm else None,
        )

    def close(self) -> None:
        if self.__dict__.get("llm") is not None:
            self.llm.close()
        if "index" in self.__dict__:
            self.index.close()
        if "db" in self.__dict__:
            self.db.dispose()
