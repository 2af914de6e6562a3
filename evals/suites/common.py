"""What every suite shares: the result shape, a dataset reader naming file:line, a null embedding."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, Field

from bot.errors import PlanbotError

# A row validator returns the reason a row is malformed, or None when it is fine.
RowCheck = Callable[[dict[str, Any]], str | None]


class SuiteResult(BaseModel):
    """One suite's figures on one dataset: the product's metrics, each baseline's, and the evidence."""

    suite: str
    dataset: str
    cases: int
    metrics: dict[str, float]
    baselines: dict[str, dict[str, float]] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)


def read_rows(path: Path, required: tuple[str, ...] = (), check: RowCheck | None = None) -> list[dict[str, Any]]:
    """A JSON Lines dataset; a missing file or a malformed line is a one-line PlanbotError naming it."""
    if not path.is_file():
        raise PlanbotError(f"{path}: no such dataset")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PlanbotError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise PlanbotError(f"{path}:{number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise PlanbotError(f"{path}:{number}: missing {', '.join(missing)}")
        problem = check(row) if check else None
        if problem:
            raise PlanbotError(f"{path}:{number}: {problem}")
        rows.append(row)
    if not rows:
        raise PlanbotError(f"{path}: the dataset is empty")
    return rows


class NullEmbeddings(Embeddings):
    """Vectors that carry no meaning (all zero): a provider given these falls back on its cues alone.

    That is how the keyword-only baselines run the very same extractor and checker without embeddings.
    """

    def __init__(self, dimensions: int = 8) -> None:
        self.dimensions = dimensions

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[0.0] * self.dimensions for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.0] * self.dimensions


def rounded(values: dict[str, float], digits: int = 4) -> dict[str, float]:
    return {key: round(float(value), digits) for key, value in values.items()}
