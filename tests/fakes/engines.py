"""The offline checker and proposer an engine under test is given (the composition root gives the real ones)."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings

from bot.checker import OfflineChecker
from bot.proposals import OfflineProposer


def offline_parts(embeddings: Embeddings) -> dict[str, Any]:
    """`checker=` and `proposer=` for `Engine(...)`: the offline pair on the engine's own embeddings."""
    checker = OfflineChecker(embeddings)
    return {"checker": checker, "proposer": OfflineProposer(checker, embeddings)}
