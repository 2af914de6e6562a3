"""The plan-themes service: a plan's stored inputs as theme items with the vectors kept beside them, and their themes.

Why one place: /summary, /vote, /propose, the plan check and the export all group the same inputs. Each input's
embedding is stored when it is captured (bot/engine/inputs.py), so grouping reads those vectors; only an input
that has none (kept before migration 0005) is embedded, once, in one batch, and its vector is stored on the row
(the caller's transaction keeps it).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.plan_models import StoredInput
from bot.themes.clustering import cluster as default_cluster
from bot.themes.models import STORED_DTYPE, Theme, ThemeItem

ClusterFn = Callable[[Sequence[ThemeItem], Embeddings], Sequence[Any]]
_PROBE = "planbot"
_DIMENSIONS: weakref.WeakKeyDictionary[Embeddings, int] = weakref.WeakKeyDictionary()


def pack_vector(vector: Sequence[float]) -> bytes:
    """A vector as stored in `StoredInput.vector`: little-endian float32 bytes."""
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def unpack_vector(data: bytes | None) -> list[float] | None:
    return np.frombuffer(data, dtype=STORED_DTYPE).tolist() if data else None


def fill_vectors(
    rows: Sequence[StoredInput], embeddings: Embeddings, known: dict[str, list[float]] | None = None
) -> None:
    """Store a vector on each row that has none: from `known` (text → vector already embedded for this message)
    when it holds the row's text, the rest embedded in one call."""
    vectors = dict(known or {})
    missing = list(dict.fromkeys(row.text for row in rows if row.vector is None and row.text not in vectors))
    if missing:
        vectors.update(zip(missing, embeddings.embed_documents(missing), strict=True))
    for row in rows:
        if row.vector is None:
            vector = vectors[row.text]
            row.vector = pack_vector(vector)
            _remember(embeddings, len(vector))


def _remember(embeddings: Embeddings, size: int) -> None:
    with contextlib.suppress(TypeError):  # an unhashable embeddings object: `dimension` probes it each time
        _DIMENSIONS[embeddings] = size


def dimension(embeddings: Embeddings) -> int:
    """How many numbers the model's vectors have: known from the last vector stored with it (a worker that
    captured an answer knows it), else one probe, remembered."""
    try:
        known = _DIMENSIONS.get(embeddings)
    except TypeError:  # an unhashable embeddings object: probe each time
        return len(embeddings.embed_query(_PROBE))
    if known is None:
        known = _DIMENSIONS[embeddings] = len(embeddings.embed_query(_PROBE))
    return known


def theme_items(rows: Sequence[StoredInput], embeddings: Embeddings | None = None) -> list[ThemeItem]:
    """The rows as theme items carrying their stored vectors (the one input-row → theme-item conversion).

    With `embeddings` (the model the plan is grouped with), a row without a vector, or with one kept under another
    model (another length), is embedded first and the vector stored on it. Without, no item carries a vector, and
    the grouping embeds them all: a caller's own grouping hook may use any model.
    """
    if embeddings is None:
        return [ThemeItem(id=row.id, person_id=row.person_id, kind=row.kind, text=row.text) for row in rows]
    if not rows:
        return []
    vectors = [row.vector for row in rows]  # each column read once: an ORM attribute read costs a call
    if None in vectors:
        fill_vectors([row for row, vector in zip(rows, vectors, strict=True) if vector is None], embeddings)
        vectors = [row.vector for row in rows]
    size = 4 * dimension(embeddings)  # float32 bytes
    stale = [row for row, vector in zip(rows, vectors, strict=True) if len(vector) != size]
    if stale:
        for row in stale:
            row.vector = None
        fill_vectors(stale, embeddings)
        vectors = [row.vector for row in rows]
    return [  # the stored bytes as they are: the grouping reads them without a list of floats
        ThemeItem(id=row.id, person_id=row.person_id, kind=row.kind, text=row.text, vector=vector)
        for row, vector in zip(rows, vectors, strict=True)
    ]


def plan_rows(session: Session, plan_id: int, kinds: Collection[str] | None = None) -> list[StoredInput]:
    """The plan's inputs in id order (only those of `kinds`, when given)."""
    query = select(StoredInput).where(StoredInput.plan_id == plan_id)
    if kinds is not None:
        query = query.where(StoredInput.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(StoredInput.id)))


class PlanThemes:
    """Reads a plan's inputs with their stored vectors and groups them; callable as a `cluster(items)` hook.

    `cluster` is the grouping (`bot.themes.cluster` by default; tests pass a stand-in), called with the items and
    the embeddings, as the engine's providers hold it.
    """

    def __init__(self, embeddings: Embeddings, cluster: ClusterFn | None = None) -> None:
        self.embeddings = embeddings
        self._cluster: ClusterFn = cluster or default_cluster

    def items(self, rows: Sequence[StoredInput]) -> list[ThemeItem]:
        """Theme items of these rows; rows without a vector are embedded once and the vector stored on them."""
        return theme_items(rows, self.embeddings)

    def plan_items(self, session: Session, plan_id: int, kinds: Collection[str] | None = None) -> list[ThemeItem]:
        return self.items(plan_rows(session, plan_id, kinds))

    def group(self, items: Sequence[ThemeItem]) -> list[Theme]:
        return list(self._cluster(items, self.embeddings)) if items else []

    def __call__(self, items: Sequence[ThemeItem]) -> list[Theme]:
        return self.group(items)

    def themes(
        self, session: Session, plan_id: int, kinds: Collection[str] | None = None
    ) -> tuple[list[ThemeItem], list[Theme]]:
        """The plan's items (see `plan_items`) and their themes."""
        items = self.plan_items(session, plan_id, kinds)
        return items, self.group(items)


def items_for(rows: Sequence[StoredInput], grouper: object = None) -> list[ThemeItem]:
    """Theme items of `rows` for a caller handed a grouping hook: the service gives the stored vectors (embedding
    and storing what is missing); any other hook gets none and embeds the texts itself, with its own model."""
    return grouper.items(rows) if isinstance(grouper, PlanThemes) else theme_items(rows)
