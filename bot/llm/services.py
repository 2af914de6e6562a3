"""The LLM services, built once from the settings around the offline ones they fall back to."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.checker.judge import Checker
from bot.llm.answerer import LLMAnswerer
from bot.llm.client import Budget, FallbackStats, Limits, LLMClient
from bot.llm.drafter import Fallback, LLMProposalDrafter
from bot.llm.extractor import LLMExtractor
from bot.llm.judge import LLMJudge
from bot.llm.phraser import LLMQuestionPhraser
from bot.llm.provider import build_chat_model
from bot.settings import Settings


@dataclass
class LLMServices:
    """Each use implements the same interface as its offline counterpart; `stats` counts the fallbacks."""

    client: LLMClient
    answerer: LLMAnswerer
    extractor: LLMExtractor
    judge: LLMJudge
    phraser: LLMQuestionPhraser
    drafter: LLMProposalDrafter
    stats: FallbackStats

    def close(self) -> None:
        self.client.close()


def client_from_settings(settings: Settings, model: BaseChatModel) -> LLMClient:
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
        budget=Budget(limits),
        stats=FallbackStats(),
    )


def build_llm_services(
    settings: Settings,
    *,
    answerer: OfflineAnswerer,
    extractor: OfflineExtractor,
    checker: Checker,
    proposer: Fallback | None = None,
    model: BaseChatModel | None = None,
) -> LLMServices | None:
    """None when PLANBOT_LLM is empty; a SettingsError when its provider package is missing."""
    model = model or build_chat_model(settings)
    if model is None:
        return None
    client = client_from_settings(settings, model)
    return LLMServices(
        client=client,
        answerer=LLMAnswerer(client, answerer),
        extractor=LLMExtractor(client, extractor),
        judge=LLMJudge(client, checker),
        phraser=LLMQuestionPhraser(client),
        drafter=LLMProposalDrafter(client, checker, proposer),
        stats=client.stats,
    )
