"""One real embedding model per session for the themes tests that claim it."""

from __future__ import annotations

import pytest

from bot.knowledge.embeddings import SentenceTransformerEmbeddings


@pytest.fixture(scope="session")
def real_embeddings() -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings()
