"""Theme clustering of stakeholder inputs, one kind at a time.

Why two algorithms: a plan has tens to a few hundred inputs of a kind, where exact average-linkage groups best
and its n×n matrix is tiny (≤ EXACT_LIMIT). A large import must not build that matrix, so above the limit a
greedy leader pass compares each input with the current theme means only, in numpy blocks — O(n·k·d) time and
O(B·k + k·d) memory — and k-means steps then move inputs to their nearest final theme, which removes most of
the greedy order dependence. Both use the same criterion (mean similarity to a theme's members), and inputs
are always processed in id order, so the result does not depend on the caller's ordering.

Two inputs whose facets (bot/themes/facets.py: price, roads, credit, waste, ...) are both known and share none are
never grouped (a cannot-link guard, in the exact path), so "the road to the reef beach is bad" stays apart from
"plastic on the beach" however alike the embeddings find them: the shared place or product ("beach") is weak
evidence, the problem words must agree. Facets also shift the similarity the embeddings give: sharing one counts
for the pair, and an input naming a problem joins one that names none only on a much closer match ("raiders
take our animals" is not "we walk far to the borehole with the herd"). An input naming several players ("the village
chief and the hotel association chairman") is split into its mentions first (bot/themes/mentions.py), and counts
in the theme of each.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.domain import InputKind
from bot.errors import PlanbotError
from bot.themes.facets import OBJECTS, facets
from bot.themes.labels import LABEL_MAX_CHARS, label
from bot.themes.mentions import NAMED_KINDS, mentions
from bot.themes.models import STORED_DTYPE, Theme, ThemeItem

# Cosine similarity (of centred vectors, see CENTERING) at which two groups of inputs merge into one theme, before
# the facet rules (ONE_SIDED_PENALTY, SHARED_FACET_BONUS) shift each pair. Tuned on the dev plans only
# (evals/datasets/themes.dev.jsonl and themes.heldout.dev.jsonl, 11 plans, 8 of them value chains of no other set)
# with the packaged all-MiniLM-L6-v2 model. Mean ARI / pairwise precision / recall, dev then held-out dev:
# 0.08 with the rules 0.841 / 0.922 / 0.825 and 0.793 / 0.851 / 0.755 (0.12: same dev, 0.787 / 0.857 / 0.735;
# 0.16: 0.841 / 0.922 / 0.825 and 0.789 / 0.876 / 0.725); the guard alone (no shift, the old lexicon) gave
# 0.831 / 0.900 / 0.790 and 0.588 / 0.553 / 0.643. The test and held-out test plans are only measured.
DEFAULT_THRESHOLD = 0.08

# The facet rules of the exact path (see `_pair_rules`), on the same dev plans at 0.08 (held-out dev ARI / precision
# / recall): a pair where only one input names a problem needs this much more similarity (0: 0.779 / 0.748 / 0.816,
# 0.25: 0.780 / 0.815 / 0.765, 0.5: 0.787 / 0.849 / 0.745), and a pair sharing a facet this much less (0: 0.721 /
# 0.863 / 0.643, 0.12: 0.780 / 0.855 / 0.725).
ONE_SIDED_PENALTY = 0.35
SHARED_FACET_BONUS = 0.2

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
    units = _units(items)
    matrix = _centred(_vectors(units, embeddings))
    themes: list[Theme] = []
    names = sorted(set(units.kinds))
    code = {kind: number for number, kind in enumerate(names)}
    codes = np.fromiter(map(code.__getitem__, units.kinds), dtype=np.int64, count=len(units))
    for number, kind in enumerate(names):
        rows = np.flatnonzero(codes == number)
        block = matrix[rows]  # one copy per kind, shared by the grouping and the themes
        if len(rows) <= EXACT_LIMIT:
            blocked, shift = (
                _pair_rules([facets(units.texts[i], kind) for i in rows.tolist()]) if guard else (None, None)
            )
            labels, centroids = _average_linkage(block, limit, blocked, shift), None
        else:  # a large import: no facets are read
            with _one_blas_thread():
                labels, centroids = _refine(block, _leader(block, limit))
        themes.extend(_themes(kind, units, rows, block, labels, centroids))
    themes.sort(key=lambda t: (-len(t.person_ids), -len(t.item_ids), t.label, t.item_ids[0]))
    return themes


class _Units:
    """What is grouped, in id order, as columns: each input, or each player it names (`parts` > 0 for the second
    and later; `later` holds their indices).

    Columns rather than one object per unit: a large import then costs a few passes over lists.
    """

    __slots__ = ("ids", "kinds", "later", "parts", "persons", "texts", "vectors")

    def __init__(self, columns: list[list], parts: list[int]) -> None:
        self.ids, self.persons, self.kinds, self.texts, self.vectors = columns
        self.parts = parts
        self.later = {index for index, part in enumerate(parts) if part}

    def __len__(self) -> int:
        return len(self.ids)


# A superset of what `mentions` splits at (",", ";", "/", "&", "and", "plus"): a text with none of them names one
# player, and a large import skips the parse of most of its inputs.
_MAY_SPLIT = re.compile(r"[,;/&]|and|plus", re.IGNORECASE)


def _units(items: Sequence[ThemeItem]) -> _Units:
    """The valid items' units in id order, whatever the caller's order; a bad item raises a one-line error."""
    columns = _columns(items)
    _, _, kinds, texts, _ = columns
    found = {
        index: [mention.text for mention in named]
        for index, (kind, text) in enumerate(zip(kinds, texts, strict=True))
        if kind in NAMED_KINDS and _MAY_SPLIT.search(text) and len(named := mentions(text, kind)) > 1
    }
    if not found:
        return _Units(columns, [0] * len(texts))
    spread: list[list] = [[] for _ in columns]
    parts = []
    for index, (id_, person, kind, text, vector) in enumerate(zip(*columns, strict=True)):
        for part, said in enumerate(found.get(index, [text])):
            for column, value in zip(spread, (id_, person, kind, said, vector), strict=True):
                column.append(value)
            parts.append(part)
    return _Units(spread, parts)


def _columns(items: Sequence[ThemeItem]) -> list[list]:
    """[ids, person ids, kinds, texts, vectors], sorted by id.

    Each field is read in the caller's order (the order the items lie in memory) and the lists are then put in id
    order, by a numpy sort: reading 100k items' fields in id order instead costs a cache miss each.
    """
    ids = [item.id for item in items]
    kinds = [item.kind for item in items]
    texts = [item.text for item in items]
    if len(set(ids)) != len(ids) or not set(kinds) <= _KINDS or not all(t and not t.isspace() for t in texts):
        _refuse(items)
    persons = [item.person_id for item in items]
    vectors = [item.vector for item in items]
    try:
        keys = np.fromiter(ids, dtype=np.int64, count=len(ids))
        people = np.fromiter(persons, dtype=np.int64, count=len(persons))
    except OverflowError:  # ids beyond 64 bits: a slower sort of the lists themselves
        order = sorted(range(len(ids)), key=ids.__getitem__)
        return [[column[i] for i in order] for column in (ids, persons, kinds, texts, vectors)]
    if len(keys) < 2 or bool((keys[1:] > keys[:-1]).all()):  # already in id order, as a plan's rows come
        return [ids, persons, kinds, texts, vectors]
    order = np.argsort(keys, kind="stable")
    at = order.tolist()
    return [
        keys[order].tolist(),
        people[order].tolist(),
        *([column[i] for i in at] for column in (kinds, texts, vectors)),
    ]


def _pair_rules(known: list[frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(blocked, shift), both n×n, from the units' facets.

    blocked: the two may never be grouped (`facets.apart`: both name facets and share none, or both name a problem
    and share no problem). shift, subtracted from their similarity: ONE_SIDED_PENALTY where only one of the two
    names a problem (the embeddings alone then need a much closer match), minus SHARED_FACET_BONUS where they
    share a facet (agreeing words are evidence the embeddings of short messy texts miss).
    """
    names = sorted(set().union(*known))
    index = {name: column for column, name in enumerate(names)}
    table = np.zeros((len(known), max(len(names), 1)), dtype=np.float32)
    for row, found in enumerate(known):
        table[row, [index[name] for name in found]] = 1.0
    problems = table[:, [column for column, name in enumerate(names) if name not in OBJECTS]]
    has, named = table.any(axis=1), problems.any(axis=1)
    both_named = named[:, None] & named[None, :]
    both_known = has[:, None] & has[None, :]
    blocked = np.where(both_named, (problems @ problems.T) == 0, both_known & ((table @ table.T) == 0))
    shift = np.where(named[:, None] ^ named[None, :], ONE_SIDED_PENALTY, 0.0)
    shift -= np.where(both_known & ~blocked, SHARED_FACET_BONUS, 0.0)
    return blocked, shift


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


def _refuse(items: Sequence[ThemeItem]) -> None:
    """Raise the error of the first bad item, in the caller's order."""
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


def _vectors(units: _Units, embeddings: Embeddings) -> np.ndarray:
    """Rows of unit vectors, one per unit in id order; only the items without a vector (and the mentions of a
    split input) are embedded, in one batch."""
    stored = units.vectors
    if not units.later and set(map(type, stored)) == {bytes} and len(set(map(len, stored))) == 1:
        # every vector as an input keeps it, none split: one writable buffer read as it is, no per-row conversion
        # and no copy on a little-endian machine (a 100k plan's /summary)
        flat = np.frombuffer(bytearray().join(stored), dtype=STORED_DTYPE).astype(np.float32, copy=False)
        matrix = flat.reshape(len(units), -1)
        if not _finite(matrix):
            raise PlanbotError("theme items: a vector holds a value that is not a finite number")
        return _unit(matrix)
    split = {units.ids[index] for index in units.later}
    given = [vector is not None and id_ not in split for vector, id_ in zip(stored, units.ids, strict=True)]
    missing = [text for text, known in zip(units.texts, given, strict=True) if not known]
    fresh = embeddings.embed_documents(missing) if missing else []
    if len(fresh) != len(missing):
        raise PlanbotError(f"embeddings: got {len(fresh)} vectors for {len(missing)} theme items")
    supply = iter(fresh)
    rows = [_numbers(vector) if known else next(supply) for vector, known in zip(stored, given, strict=True)]
    dimensions = {len(row) for row in rows}
    if len(dimensions) != 1 or 0 in dimensions:
        raise PlanbotError(f"theme items: vectors must all have the same non-zero length, got {sorted(dimensions)}")
    matrix = np.asarray(rows, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise PlanbotError("theme items: a vector holds a value that is not a finite number")
    return _unit(matrix)


def _numbers(vector: list[float] | bytes) -> list[float] | np.ndarray:
    """A given vector as `ThemeItem.numbers` reads it: the floats, or the stored bytes as a float32 array."""
    return np.frombuffer(vector, dtype=STORED_DTYPE) if isinstance(vector, bytes) else vector


def _finite(matrix: np.ndarray) -> bool:
    """Whether every number is finite, checked block by block (no boolean copy of a whole large import)."""
    return all(np.isfinite(matrix[start : start + _BLOCK]).all() for start in range(0, len(matrix), _BLOCK))


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


def _average_linkage(
    matrix: np.ndarray, threshold: float, blocked: np.ndarray | None = None, shift: np.ndarray | None = None
) -> np.ndarray:
    """Merge the two most similar groups (mean pairwise cosine, less each pair's `shift`) until none reaches the
    threshold.

    Two groups holding a `blocked` pair are never merged. Ties go to the lowest index pair, i.e. the lowest ids,
    so the result is deterministic.
    """
    n = len(matrix)
    sims = (matrix @ matrix.T).astype(np.float64)
    if shift is not None:
        sims -= shift
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


def _refine(matrix: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each input to the theme it is closest to on average (k-means steps), in blocks, until stable.

    Returns the labels (0..k-1 in first-seen order) and the themes' mean vectors, which `_themes` reuses.
    """
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
    return labels, centroids


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run the large-import path's matrix products on one BLAS thread.

    Why: the greedy pass makes many small products (a block of inputs × the themes so far), where OpenBLAS's
    thread hand-off costs more than the product, 4× on this 2-core machine when other work shares it; one thread
    also gives the same numbers whatever the core count. threadpoolctl comes with scikit-learn; without it, as is.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn, a dependency, brings it
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _themes(
    kind: str,
    units: _Units,
    rows: np.ndarray,
    matrix: np.ndarray,
    labels: np.ndarray,
    centroids: np.ndarray | None = None,
) -> list[Theme]:
    """The themes of one kind: `rows` are its units, `matrix` their vectors; `centroids`, when given, are the
    means `_means` gives for `labels` (the large path has them already)."""
    if centroids is None:
        centroids, labels = _means(matrix, labels)
    closeness = np.einsum("ij,ij->i", matrix, centroids[labels])
    themes = []
    order = np.argsort(labels, kind="stable")  # stable: members stay in ascending id order
    bounds = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True]).tolist()
    texts, ids, persons, later = units.texts, units.ids, units.persons, units.later
    members_of, near = rows[order].tolist(), closeness[order].tolist()
    for start, end in itertools.pairwise(bounds):
        members = members_of[start:end]
        item_ids = {ids[i] for i in members}
        first = {ids[i] for i in members if i not in later} if later else item_ids
        themes.append(
            Theme(
                kind=kind,
                label=label([texts[i] for i in members], kind, near[start:end]),
                item_ids=sorted(item_ids),
                person_ids=sorted({persons[i] for i in members}),
                shared_ids=sorted(item_ids - first),
            )
        )
    return themes
