"""Fixtures of the checker tests: a fast checker on counting HashingEmbeddings, and one on the real model."""

from __future__ import annotations

import pytest

from bot.checker import OfflineChecker
from tests.fakes.embeddings import CountingEmbeddings


@pytest.fixture
def counting_embeddings() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def checker(counting_embeddings: CountingEmbeddings) -> OfflineChecker:
    return OfflineChecker(counting_embeddings, heads=None)  # the cue path; the heads fit the packaged model only


@pytest.fixture(scope="session")
def real_checker(real_embeddings) -> OfflineChecker:
    return OfflineChecker(real_embeddings)
