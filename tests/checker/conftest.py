"""Fixtures of the checker tests: a fast checker on HashingEmbeddings, and one real model per session."""

from __future__ import annotations

import pytest

from bot.checker import OfflineChecker
from bot.knowledge.embeddings import SentenceTransformerEmbeddings
from tests.fakes.embeddings import HashingEmbeddings


class CountingEmbeddings(HashingEmbeddings):
    """HashingEmbeddings that records each call, to check the checker batches its work."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return super().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.calls.append([text])
        return super().embed_query(text)


@pytest.fixture
def counting_embeddings() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def checker(counting_embeddings: CountingEmbeddings) -> OfflineChecker:
    return OfflineChecker(counting_embeddings)


@pytest.fixture(scope="session")
def real_embeddings() -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings()


@pytest.fixture(scope="session")
def real_checker(real_embeddings: SentenceTransformerEmbeddings) -> OfflineChecker:
    return OfflineChecker(real_embeddings)
