"""Fixtures of the capture tests: a fast extractor on counting HashingEmbeddings, and one on the real model."""

from __future__ import annotations

import pytest

from bot.capture import OfflineExtractor
from tests.fakes.embeddings import CountingEmbeddings


@pytest.fixture
def counting_embeddings() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def extractor(counting_embeddings: CountingEmbeddings) -> OfflineExtractor:
    return OfflineExtractor(counting_embeddings, heads=None)  # the cue path; the heads fit the packaged model only


@pytest.fixture(scope="session")
def real_extractor(real_embeddings) -> OfflineExtractor:
    return OfflineExtractor(real_embeddings)
