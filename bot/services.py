"""Builds planbot's services once per process, from the settings (private-gpt's components/services split).

This is the composition root: the only module that constructs implementations (the embedding model, the Chroma
index, the store, the offline providers and, through `bot.llm.services`, the model-backed ones). The engine, the
Telegram bot, every CLI command and the eval runner ask a `Services` for their parts, so each honours the same
settings (PLANBOT_LLM above all: the model's use when it is set, the offline one otherwise and on any failure).
`tests/unit/test_layers.py` checks that no other module builds them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.checker import OfflineChecker
from bot.knowledge.embeddings import SentenceTransformerEmbeddings
from bot.knowledge.index import VectorIndex, make_chroma_client
from bot.knowledge.service import KnowledgeBase
from bot.ports import Answerer, Checker, Extractor, ProposalDrafter
from bot.settings import Settings
from bot.storage import Database

if TYPE_CHECKING:
    from bot.llm.services import LLMServices
    from bot.proposals import OfflineProposer
    from bot.themes.plan_themes import PlanThemes

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

    def untrained_checker(self) -> OfflineChecker:
        """The checker without its trained heads (cues and rubric only): what `planbot train` fits the heads on,
        and the eval's keyword baseline. Its embeddings are the training ones (no cache: every text is new)."""
        return OfflineChecker(self.training_embeddings, heads=None)

    def untrained_extractor(self) -> OfflineExtractor:
        """The extractor without its trained heads (the cue lexicon only); see `untrained_checker`."""
        return OfflineExtractor(self.training_embeddings, heads=None)

    @cached_property
    def training_embeddings(self) -> Embeddings:
        """The embedding model without its text cache when nothing is injected: training embeds each text once."""
        if self.embeddings_override is not None:
            return self.embeddings_override
        if "embeddings" in self.__dict__:  # already loaded for something else: one model in memory, not two
            return self.embeddings
        return SentenceTransformerEmbeddings(self.settings.embedding_model, cache_size=0)

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
    def proposer(self) -> OfflineProposer:
        """The offline proposer, checking its drafts with `checker` (the model's judge when PLANBOT_LLM is set);
        the drafter's fallback."""
        from bot.proposals import OfflineProposer

        return OfflineProposer(self.checker, self.embeddings)

    @property
    def drafter(self) -> ProposalDrafter | None:
        """The model that drafts proposals when PLANBOT_LLM is set; None: the offline proposer alone."""
        return self.llm.drafter if self.llm else None

    @cached_property
    def plan_themes(self) -> PlanThemes:
        """A plan's stored inputs grouped into themes, as /summary, /vote and /propose group them."""
        from bot.themes import cluster
        from bot.themes.plan_themes import PlanThemes

        return PlanThemes(self.embeddings, cluster)

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
            proposer=self.proposer,
            phraser=self.llm.phraser if self.llm else None,
            drafter=self.drafter,
        )

    def close(self) -> None:
        if self.__dict__.get("llm") is not None:
            self.llm.close()
        if "index" in self.__dict__:
            self.index.close()
        if "db" in self.__dict__:
            self.db.dispose()
