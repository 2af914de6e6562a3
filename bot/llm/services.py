"""The LLM services, built once from the settings around the offline ones they fall back to.

Part of the composition root: `bot.services.Services.llm` calls `build_llm_services`, and this module is the only
one besides `bot/services.py` that constructs the model-backed implementations (client, budget, answerer,
extractor, judge, phraser, drafter, grader). It lives in `bot.llm` so the root imports the LLM package only when
PLANBOT_LLM is set.

Each use is built on its first use, so `planbot check` with a model builds the judge and its client only, not the
knowledge base the answerer needs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from langchain_core.language_models import BaseChatModel

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.checker.judge import Checker
from bot.llm.answerer import LLMAnswerer
from bot.llm.client import Budget, FallbackStats, Limits, LLMClient
from bot.llm.drafter import Fallback, LLMProposalDrafter
from bot.llm.extractor import LLMExtractor
from bot.llm.grading import AnswerGrader
from bot.llm.judge import LLMJudge
from bot.llm.phraser import LLMQuestionPhraser
from bot.llm.provider import build_chat_model
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.storage import Database

T = TypeVar("T")
# An offline counterpart, or a zero-argument factory of it (built only when its LLM use is first needed).
Lazy = T | Callable[[], T]


def _resolve(value: Lazy[T]) -> T:
    return value() if callable(value) else value  # the offline providers are objects, not callables


class LLMServices:
    """Each use implements the same interface as its offline counterpart; `stats` counts the fallbacks."""

    def __init__(
        self,
        client: LLMClient,
        *,
        answerer: Lazy[OfflineAnswerer],
        extractor: Lazy[OfflineExtractor],
        checker: Lazy[Checker],
        proposer: Fallback | None = None,
    ) -> None:
        self.client = client
        self._answerer = answerer
        self._extractor = extractor
        self._checker = checker
        self._proposer = proposer

    @property
    def stats(self) -> FallbackStats:
        return self.client.stats

    @cached_property
    def answerer(self) -> LLMAnswerer:
        return LLMAnswerer(self.client, _resolve(self._answerer))

    @cached_property
    def extractor(self) -> LLMExtractor:
        return LLMExtractor(self.client, _resolve(self._extractor))

    @cached_property
    def judge(self) -> LLMJudge:
        return LLMJudge(self.client, _resolve(self._checker))

    @cached_property
    def phraser(self) -> LLMQuestionPhraser:
        return LLMQuestionPhraser(self.client)

    @cached_property
    def drafter(self) -> LLMProposalDrafter:
        return LLMProposalDrafter(self.client, self.judge, self._proposer)

    @cached_property
    def grader(self) -> AnswerGrader:
        """Grades answers for faithfulness and relevance: the answers eval with `--llm`, not the bot."""
        return AnswerGrader(self.client)

    def close(self) -> None:
        self.client.close()


def _shared_budget(db: Database | Callable[[], Database], limits: Limits):
    from bot.llm.budget import SharedBudget

    return SharedBudget(db, limits)


def client_from_settings(
    settings: Settings, model: BaseChatModel, budget_db: Database | Callable[[], Database] | None = None
) -> LLMClient:
    """The guarded client; with `budget_db` (a Database or a factory of it) the budget is counted in SQL and shared
    by every worker, else in this process's memory."""
    limits = Limits(
        person_requests=settings.llm_person_requests_per_hour,
        person_tokens=settings.llm_person_tokens_per_hour,
        plan_requests=settings.llm_plan_requests_per_hour,
        plan_tokens=settings.llm_plan_tokens_per_hour,
    )
    return LLMClient(
        model,
        timeout=settings.llm_timeout_seconds,
        retries=settings.llm_retries,
        budget=Budget(limits) if budget_db is None else _shared_budget(budget_db, limits),
        stats=FallbackStats(),
    )


def build_llm_services(
    settings: Settings,
    *,
    answerer: Lazy[OfflineAnswerer],
    extractor: Lazy[OfflineExtractor],
    checker: Lazy[Checker],
    proposer: Fallback | None = None,
    model: BaseChatModel | None = None,
    budget_db: Database | Callable[[], Database] | None = None,
) -> LLMServices | None:
    """None when PLANBOT_LLM is empty; a SettingsError when its provider package is missing."""
    model = model or build_chat_model(settings)
    if model is None:
        return None
    client = client_from_settings(settings, model, budget_db)
    return LLMServices(client, answerer=answerer, extractor=extractor, checker=checker, proposer=proposer)
