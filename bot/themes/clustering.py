"""Theme clustering of stakeholder inputs, one kind at a time.

Why two algorithms: a plan has tens to a few hundred inputs of a kind, where exact average-linkage groups best
and its n×n matrix is tiny (≤ EXACT_LIMIT). A large import must not build that matrix, so above the limit a
greedy leader pass compares each input with the current theme means only, in numpy blocks — O(n·k·d) time and
O(B·k + k·d) memory — and k-means steps then move inputs to their nearest final theme, which removes most of
the greedy order dependence. Both use the same criterion (mean similarity to a theme's members), and inputs
are always processed in id order, so the result does not depend on the caller's ordering.

Two inputs whose facets (bot/themes/facets.py: price, roads, credit, waste, ...) are both known and share none are
never grouped (a cannot-link guard, in the exact path), so "the road to the reef beach is bad" stays apart from
"plastic on the beach" however alike the embeddings find them. An input naming several players ("the village
chief and the hotel association chairman") is split into its mentions first (bot/themes/mentions.py), and counts
in the theme of each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.domain import InputKind
from bot.errors import PlanbotError
from bot.themes.facets import apart, facets
from bot.themes.labels import LABEL_MAX_CHARS, label
from bot.themes.mentions import NAMED_KINDS, mentions
from bot.themes.models import STORED_DTYPE, Theme, ThemeItem

# Cosine similarity (of centred vectors, see CENTERING) at which two groups of inputs merge into one theme.
# Tuned with CENTERING and the facet guard on evals/datasets/themes.dev.jsonl with the packaged all-MiniLM-L6-v2
# model, as the middle of the plateau where the dev pairwise precision stays >= 0.85: mean ARI 0.83 and pairwise
# precision 0.90 at 0.08 (0.83 / 0.89 at 0.06, 0.81 / 0.90 at 0.10, 0.76 / 0.93 at 0.14). Without the guard the
# best was 0.72 / 0.69 at 0.15. The test and held-out splits are only measured.
DEFAULT_THRESHOLD = 0.08

# How much of the inputs' common direction to remove before comparing them. All inputs of one plan talk about
# the same value chain ("fish", "coffee"), which makes unrelated inputs look alike; subtracting their mean
# leaves what tells them apart. Shrunk for small calls (weight n / (n + CENTERING_SHRINK)), where the mean is
# mostly the items themselves: two lone near-duplicates must still match.
CENTERING = 1.0
CENTERING_SHRINK = 10.0

_BLOCK = 1024
# Up to this many inputs of one kind, exact average-linkage (an n×n matrix, at most ~1 MB) groups better
# than the greedy pass; above it the greedy pass keeps memory at O(B·k) however large the import.
EXACT_LIMIT = 400
_REFINE_PASSES = 2
# How many similarities (rows × themes) one k-means step computes at a time: 16 MB of float32, a whole kind at once
# for a large import (k ≪ d), and still O(B·k) memory however many themes there are.
_SIMS_BUDGET = 4 * 1024 * 1024
_SPARSE_SUMS_FROM = 4096  # rows from which `_group_sums` adds with a sparse product
_KINDS = frozenset(kind.value for kind in InputKind)


def cluster(
    items: Sequence[ThemeItem], embeddings: Embeddings, threshold: float | None = None, *, guard: bool = True
) -> list[Theme]:
    """Group near-duplicate inputs into themes, ranked by distinct people, then size, then label.

    Inputs of different kinds are never grouped together, nor (with `guard`, the default) two whose facets are
    known and differ. `threshold` is the mean cosine similarity (after removing the inputs' common direction) a
    group must keep; None means DEFAULT_THRESHOLD. Bad items raise a one-line PlanbotError and nothing is returned.
    """
    if not items:
        return []
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not -1.0 <= limit <= 1.0:
        raise PlanbotError(f"theme threshold {threshold!r}: must be a cosine similarity between -1 and 1")
    ordered = _validated(items)
    units = _units(ordered)
    matrix = _centred(_vectors(ordered, units, embeddings))
    themes: list[Theme] = []
    unit_kinds = np.array([unit.item.kind for unit in units])
    for kind in sorted({item.kind for item in ordered}):
        rows = np.flatnonzero(unit_kinds == kind)
        if len(rows) <= EXACT_LIMIT:
            blocked = _blocked([units[i].facets for i in rows]) if guard else None
            labels = _average_linkage(matrix[rows], limit, blocked)
        else:
            labels = _refine(matrix[rows], _leader(matrix[rows], limit))
        themes.extend(_themes(kind, [units[i] for i in rows], matrix[rows], labels))
    themes.sort(key=lambda t: (-len(t.person_ids), -len(t.item_ids), t.label, t.item_ids[0]))
    return themes


class _Unit:
    """What is grouped: an input, or one of the players it names (`part` > 0 for the second and later)."""

    __slots__ = ("_facets", "item", "part", "text")

    def __init__(self, item: ThemeItem, part: int, text: str) -> None:
        self.item, self.part, self.text = item, part, text
        self._facets: frozenset[str] | None = None

    @property
    def facets(self) -> frozenset[str]:
        """Read when first needed: only the exact path's guard uses them, a large import never does."""
        if self._facets is None:
            self._facets = facets(self.text, self.item.kind)
        return self._facets


def _units(ordered: list[ThemeItem]) -> list[_Unit]:
    units = []
    for item in ordered:
        named = mentions(item.text, item.kind) if item.kind in NAMED_KINDS else []
        if len(named) > 1:
            units.extend(_Unit(item, part, mention.text) for part, mention in enumerate(named))
        else:
            units.append(_Unit(item, 0, item.text))
    return units


def _blocked(known: list[frozenset[str]]) -> np.ndarray:
    """n×n: True where two inputs name facets and share none (they may never be grouped)."""
    n = len(known)
    out = np.zeros((n, n), dtype=bool)
    for i in range(n):
        if known[i]:
            for j in range(i + 1, n):
                if apart(known[i], known[j]):
                    out[i, j] = out[j, i] = True
    return out


def shorten(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    """The text's own words, cut at a word boundary so it fits `limit` characters (with an ellipsis)."""
    words = text.split()
    whole = " ".join(words)
    if len(whole) <= limit:
        return whole
    kept = ""
    for word in words:
        candidate = f"{kept} {word}" if kept else word
        if len(candidate) + 1 > limit:
            break
        kept = candidate
    if not kept:  # a single word longer than the limit
        kept = words[0][: limit - 1]
    return kept.rstrip(" ,;:.-") + "…"


def _validated(items: Sequence[ThemeItem]) -> list[ThemeItem]:
    seen: set[int] = set()
    for item in items:
        if item.id in seen:
            raise PlanbotError(f"theme item {item.id}: the same id appears twice")
        seen.add(item.id)
        if item.kind not in _KINDS:
            expected = ", ".join(sorted(_KINDS))
            raise PlanbotError(f"theme item {item.id}: unknown kind {item.kind!r} (one of: {expected})")
        if not item.text.strip():
            raise PlanbotError(f"theme item {item.id}: the text is empty")
    return sorted(items, key=lambda item: item.id)


def _vectors(ordered: list[ThemeItem], units: list[_Unit], embeddings: Embeddings) -> np.ndarray:
    """Rows of unit vectors, one per unit in id order; only the items without a vector (and the mentions of a
    split input) are embedded, in one batch."""
    split = {unit.item.id for unit in units if unit.part > 0}
    missing = [unit.text for unit in units if unit.item.vector is None or unit.item.id in split]
    fresh = embeddings.embed_documents(missing) if missing else []
    if len(fresh) != len(missing):
        raise PlanbotError(f"embeddings: got {len(fresh)} vectors for {len(missing)} theme items")
    stored = [unit.item.vector for unit in units]
    if not missing and all(isinstance(v, bytes) for v in stored) and len({len(v) for v in stored}) == 1:
        # every vector as an input keeps it: one buffer, no per-row conversion (a 100k plan's /summary)
        flat = np.frombuffer(b"".join(stored), dtype=STORED_DTYPE).astype(np.float32)
        matrix = flat.reshape(len(units), -1)
        if not np.isfinite(matrix).all():
            raise PlanbotError("theme items: a vector holds a value that is not a finite number")
        return _unit(matrix)
    supply = iter(fresh)
    rows = [
        unit.item.numbers() if unit.item.vector is not None and unit.item.id not in split else next(supply)
        for unit in units
    ]
    dimensions = {len(row) for row in rows}
    if len(dimensions) != 1 or 0 in dimensions:
        raise PlanbotError(f"theme items: vectors must all have the same non-zero length, got {sorted(dimensions)}")
    matrix = np.asarray(rows, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise PlanbotError("theme items: a vector holds a value that is not a finite number")
    return _unit(matrix)


def _centred(matrix: np.ndarray) -> np.ndarray:
    """Unit rows with the shrunk mean direction of all the call's inputs removed (see CENTERING); `matrix`
    (the call's own array) is reused."""
    n = len(matrix)
    weight = CENTERING * n / (n + CENTERING_SHRINK)
    matrix -= np.float32(weight) * matrix.mean(axis=0, keepdims=True)
    return _unit(matrix)


def _unit(matrix: np.ndarray) -> np.ndarray:
    """The rows scaled to unit length, in place and block by block (the same sums as `np.linalg.norm`, without
    a temporary the size of the whole matrix)."""
    for start in range(0, len(matrix), _BLOCK):
        block = matrix[start : start + _BLOCK]
        norms = np.sqrt(np.add.reduce(block * block, axis=1, keepdims=True))
        block /= np.maximum(norms, 1e-12)
    return matrix


def _average_linkage(matrix: np.ndarray, threshold: float, blocked: np.ndarray | None = None) -> np.ndarray:
    """Merge the two most similar groups (mean pairwise cosine) until none reaches the threshold.

    Two groups holding a `blocked` pair are never merged. Ties go to the lowest index pair, i.e. the lowest ids,
    so the result is deterministic.
    """
    n = len(matrix)
    sims = (matrix @ matrix.T).astype(np.float64)
    np.fill_diagonal(sims, -np.inf)
    apart = np.zeros((n, n), dtype=bool) if blocked is None else blocked.copy()
    sizes = np.ones(n, dtype=np.float64)
    labels = np.arange(n)
    for _ in range(n - 1):
        flat = int(np.argmax(np.where(apart, -np.inf, sims)))
        i, j = divmod(flat, n)
        if apart[i, j] or sims[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        merged = (sizes[i] * sims[i] + sizes[j] * sims[j]) / (sizes[i] + sizes[j])
        sims[i, :] = merged
        sims[:, i] = merged
        sims[j, :] = -np.inf
        sims[:, j] = -np.inf
        sims[i, i] = -np.inf
        kept = apart[i] | apart[j]
        apart[i, :] = kept
        apart[:, i] = kept
        sizes[i] += sizes[j]
        labels[labels == j] = i
    return labels


def _leader(matrix: np.ndarray, threshold: float) -> np.ndarray:
    """Greedy pass in blocks: match a block against the themes so far, then found new themes in it.

    An input joins the theme whose members it is most similar to on average (its dot product with the
    theme's mean vector), the same criterion as the exact average-linkage, so one threshold means one thing.
    """
    n, d = matrix.shape
    labels = np.empty(n, dtype=np.int64)
    sums = np.zeros((0, d), dtype=np.float64)
    counts = np.zeros(0, dtype=np.float64)
    means = np.zeros((0, d), dtype=np.float32)
    for start in range(0, n, _BLOCK):
        block = matrix[start : start + _BLOCK]
        if len(means):
            sims = block @ means.T
            best = sims.argmax(axis=1)
            matched = sims[np.arange(len(block)), best] >= threshold
        else:
            best = np.zeros(len(block), dtype=np.int64)
            matched = np.zeros(len(block), dtype=bool)
        labels[start + np.flatnonzero(matched)] = best[matched]
        old_k = len(sums)
        new_sums: list[np.ndarray] = []
        new_counts: list[float] = []
        new_means = np.zeros((0, d), dtype=np.float32)
        for offset in np.flatnonzero(~matched):
            vector = block[offset]
            if len(new_means):
                local = new_means @ vector
                j = int(local.argmax())
                if local[j] >= threshold:
                    labels[start + offset] = old_k + j
                    new_sums[j] = new_sums[j] + vector
                    new_counts[j] += 1
                    new_means[j] = new_sums[j] / new_counts[j]
                    continue
            labels[start + offset] = old_k + len(new_sums)
            new_sums.append(vector.astype(np.float64))
            new_counts.append(1.0)
            new_means = np.vstack([new_means, vector[None, :]])
        if matched.any():
            sums += _group_sums(block[matched], best[matched], len(sums))
            counts += np.bincount(best[matched], minlength=len(counts))
        if new_sums:
            sums = np.vstack([sums, np.asarray(new_sums)])
            counts = np.concatenate([counts, new_counts])
        means = (sums / counts[:, None]).astype(np.float32)
    return labels


def _means(matrix: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean vectors of the non-empty clusters, and the labels renumbered 0..k-1 in first-seen order."""
    _, first, compact = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    compact = rank[compact.reshape(-1)]
    counts = np.bincount(compact, minlength=len(order)).astype(np.float64)
    return (_group_sums(matrix, compact, len(order)) / counts[:, None]).astype(np.float32), compact


def _group_sums(matrix: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Row sums per label (k×d, float64), each label's rows added in index order.

    Many rows: a one-hot sparse product, which needs no sorted float64 copy of the matrix (pass a float64 `matrix`
    when summing the same rows often). Few rows: a sort and `np.add.reduceat`, the same sums without importing
    scipy in a worker that never groups a large import.
    """
    order = np.argsort(labels, kind="stable")
    if len(labels) >= _SPARSE_SUMS_FROM:
        from scipy import sparse

        indptr = np.concatenate([[0], np.cumsum(np.bincount(labels, minlength=k))])
        one_hot = sparse.csr_matrix((np.ones(len(labels)), order, indptr), shape=(k, len(labels)))
        return np.asarray(one_hot @ np.asarray(matrix, dtype=np.float64))
    ordered = labels[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sums = np.zeros((k, matrix.shape[1]), dtype=np.float64)
    sums[ordered[starts]] = np.add.reduceat(np.asarray(matrix[order], dtype=np.float64), starts, axis=0)
    return sums


def _refine(matrix: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Move each input to the theme it is closest to on average (k-means steps), in blocks, until stable."""
    wide = matrix.astype(np.float64)  # the sums' precision, converted once for every step
    centroids, labels = _means(wide, labels)
    for _ in range(_REFINE_PASSES):
        moved = np.empty_like(labels)
        step = max(_BLOCK, _SIMS_BUDGET // max(len(centroids), 1))  # few large products: much faster than many
        for start in range(0, len(matrix), step):
            moved[start : start + step] = (matrix[start : start + step] @ centroids.T).argmax(axis=1)
        if np.array_equal(moved, labels):
            break
        centroids, labels = _means(wide, moved)
    return labels


def _themes(kind: str, units: list[_Unit], matrix: np.ndarray, labels: np.ndarray) -> list[Theme]:
    centroids, labels = _means(matrix, labels)
    closeness = np.einsum("ij,ij->i", matrix, centroids[labels])
    themes = []
    order = np.argsort(labels, kind="stable")  # stable: members stay in ascending id order
    bounds = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
    for start, end in itertools.pairwise(bounds):
        members = [units[i] for i in order[start:end]]
        first = {unit.item.id for unit in members if unit.part == 0}
        themes.append(
            Theme(
                kind=kind,
                label=label([unit.text for unit in members], kind, [float(closeness[i]) for i in order[start:end]]),
                item_ids=sorted({unit.item.id for unit in members}),
                person_ids=sorted({unit.item.person_id for unit in members}),
                shared_ids=sorted({unit.item.id for unit in members} - first),
            )
        )
    return themes
