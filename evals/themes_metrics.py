"""Agreement between two clusterings of the same items, for the themes eval (no sklearn needed)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.themes import ThemeItem, cluster


def _pairs(count: int) -> float:
    return count * (count - 1) / 2


def adjusted_rand_index(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """Hubert–Arabie adjusted Rand index: 1 for identical partitions, about 0 for chance, can go below 0.

    Label values are arbitrary names; only which items share a label matters.
    """
    if len(labels_true) != len(labels_pred):
        raise ValueError(f"label sequences differ in length: {len(labels_true)} vs {len(labels_pred)}")
    n = len(labels_true)
    if n < 2:
        return 1.0
    joint = sum(_pairs(c) for c in Counter(zip(labels_true, labels_pred, strict=True)).values())
    rows = sum(_pairs(c) for c in Counter(labels_true).values())
    cols = sum(_pairs(c) for c in Counter(labels_pred).values())
    expected = rows * cols / _pairs(n)
    best = (rows + cols) / 2
    if best == expected:  # both all-singletons or both one cluster: the partitions can only agree
        return 1.0
    return (joint - expected) / (best - expected)


def pair_counts(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> tuple[int, int, int]:
    """(pairs put together, of those the pairs that truly belong together, pairs that truly belong together)."""
    if len(labels_true) != len(labels_pred):
        raise ValueError(f"label sequences differ in length: {len(labels_true)} vs {len(labels_pred)}")
    joint = sum(c * (c - 1) // 2 for c in Counter(zip(labels_true, labels_pred, strict=True)).values())
    together = sum(c * (c - 1) // 2 for c in Counter(labels_pred).values())
    truly = sum(c * (c - 1) // 2 for c in Counter(labels_true).values())
    return together, joint, truly


def pairwise_precision(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """Share of the pairs put together that truly belong together; 1.0 when no pair is put together."""
    together, joint, _ = pair_counts(labels_true, labels_pred)
    return joint / together if together else 1.0


def pairwise_recall(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """Share of the pairs that truly belong together that were put together; 1.0 when none belongs together."""
    _, joint, truly = pair_counts(labels_true, labels_pred)
    return joint / truly if truly else 1.0


def load_plans(path: Path) -> list[dict[str, Any]]:
    """The scripted plans of a themes dataset (contract: one plan a line, inputs labelled with a theme)."""
    plans = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            plan = json.loads(line)
            inputs = plan["inputs"]
            for row in inputs:
                missing = {"id", "person", "kind", "text", "theme"} - set(row)
                if missing:
                    raise KeyError(", ".join(sorted(missing)))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a themes plan ({type(exc).__name__}: {exc})") from None
        plans.append(plan)
    return plans


def predicted_labels(
    plan: dict[str, Any], embeddings: Embeddings, threshold: float | None = None, guard: bool = True
) -> tuple[list[Hashable], list[Hashable]]:
    """(gold, predicted) theme of each input of one plan, in the plan's order; gold themes are scoped by kind.

    An input naming several players counts in each of their themes; it is scored in the theme of the player it
    names first (the one that does not list it in `shared_ids`), and its gold theme is that player's.
    """
    items = [
        ThemeItem(id=row["id"], person_id=row["person"], kind=row["kind"], text=row["text"]) for row in plan["inputs"]
    ]
    predicted: dict[int, int] = {}
    for n, theme in enumerate(cluster(items, embeddings, threshold, guard=guard)):
        for item_id in theme.item_ids:
            if item_id not in theme.shared_ids or item_id not in predicted:
                predicted[item_id] = n
    rows = plan["inputs"]
    return [(row["kind"], row["theme"]) for row in rows], [predicted[row["id"]] for row in rows]


def score_plans(
    plans: list[dict[str, Any]], embeddings: Embeddings, threshold: float | None = None
) -> dict[str, float]:
    """ARI of `cluster` against the labelled themes, per plan id; gold themes are scoped by kind."""
    scores = {}
    for plan in plans:
        gold, predicted = predicted_labels(plan, embeddings, threshold)
        scores[plan["id"]] = adjusted_rand_index(gold, predicted)
    return scores
