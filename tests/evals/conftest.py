"""Fixtures of the eval tests: one real packaged model and one eval context per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evals.runner import EvalContext


@pytest.fixture(scope="session")
def real_context(real_embeddings) -> Iterator[EvalContext]:
    """The runner's context on the real model, shared by every suite of the gate."""
    context = EvalContext(embeddings_override=real_embeddings)
    yield context
    context.close()
