"""Fixtures of the LLM tests: LangChain's fake chat models, scripted per test, and real offline classes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from pydantic import Field

from bot.answers import OfflineAnswerer
from bot.capture import OfflineExtractor
from bot.checker import OfflineChecker
from bot.llm.client import Budget, FallbackStats, Limits, LLMClient
from bot.services import Services
from bot.settings import load_settings
from tests.fakes.embeddings import HashingEmbeddings


class RecordingChatModel(FakeListChatModel):
    """FakeListChatModel that keeps every prompt it was sent, to show what reached the model."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        self.seen.append(list(messages))
        return super()._call(messages, *args, **kwargs)


class FailingChatModel(FakeListChatModel):
    """A provider that is down: every call raises, as a refused connection does."""

    responses: list[str] = Field(default_factory=lambda: [""])
    calls: int = 0

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        self.calls += 1
        raise ConnectionError("connection refused")


def scripted(*replies: str, sleep: float | None = None) -> RecordingChatModel:
    return RecordingChatModel(responses=list(replies), sleep=sleep, seen=[])


@pytest.fixture
def make_client():
    def make(model: Any, *, timeout: float = 5.0, retries: int = 0, limits: Limits | None = None) -> LLMClient:
        return LLMClient(
            model,
            timeout=timeout,
            retries=retries,
            budget=Budget(limits or Limits()),
            stats=FallbackStats(),
            sleep=lambda seconds: None,
        )

    return make


@pytest.fixture(scope="session")
def embeddings() -> HashingEmbeddings:
    return HashingEmbeddings()


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, embeddings: HashingEmbeddings) -> Iterator[Services]:
    """A real store, index and knowledge base holding the shipped guidance, on the hashing embedder."""
    data: Path = tmp_path_factory.mktemp("llm") / "data"
    built = Services(load_settings(data_dir=data), embeddings_override=embeddings)
    yield built
    built.close()


@pytest.fixture(scope="session")
def offline_answerer(services: Services) -> OfflineAnswerer:
    return services.answerer


@pytest.fixture(scope="session")
def offline_extractor(embeddings: HashingEmbeddings) -> OfflineExtractor:
    return OfflineExtractor(embeddings)


@pytest.fixture(scope="session")
def offline_checker(embeddings: HashingEmbeddings) -> OfflineChecker:
    return OfflineChecker(embeddings)


class SlowFirstChatModel(FakeListChatModel):
    """The first call hangs past any short timeout; later calls answer at once (a provider hiccup)."""

    responses: list[str] = Field(default_factory=lambda: ["fine"])
    calls: int = 0
    hang: float = 1.0

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        self.calls += 1
        if self.calls == 1:
            time.sleep(self.hang)
            return "late"
        return self.responses[0]


# The use of a prompt, told by words of its system prompt (prompts/llm/*.yaml).
USES = {
    "phrase": "interview one stakeholder",
    "draft": "draft initiatives",
    "capture": "capture what stakeholders say",
    "judge": "check one initiative",
    "answer": "You answer questions",
    "faithfulness": "strict grader of answers",
    "relevance": "strict grader of retrieval",
}


def use_of(messages: list[BaseMessage]) -> str:
    system = str(messages[0].content) if messages else ""
    return next((use for use, words in USES.items() if words in system), "other")


class RoutingChatModel(FakeListChatModel):
    """One fake model behind every use: each use's reply comes from its own script or function; any use
    without one gets text that is no JSON and no question, so it falls back offline. Records every prompt."""

    responses: list[str] = Field(default_factory=lambda: ["(unused)"])
    routes: dict[str, Any] = Field(default_factory=dict)  # use -> list[str] (cycled) | callable(messages)
    seen: list[tuple[str, list[BaseMessage]]] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        use = use_of(messages)
        self.seen.append((use, list(messages)))
        n = self.counts.get(use, 0)
        self.counts[use] = n + 1
        route = self.routes.get(use)
        if route is None:
            return "sorry, no idea"
        if callable(route):
            return route(messages)
        return route[n % len(route)]

    def prompts(self, use: str) -> list[str]:
        """The whole text of each prompt of one use, in order."""
        return ["\n".join(str(m.content) for m in msgs) for u, msgs in self.seen if u == use]
