"""The fast plumbing of `cluster` (columns, a numpy id sort, stored bytes read as one buffer, one BLAS thread for a
large import) groups exactly as the plain pipeline does: one input at a time, in id order, exact average-linkage."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

import bot.themes.clustering as clustering
from bench.bench_themes import NoEmbeddings, synthetic_items
from bot.themes import Theme, ThemeItem, cluster
from bot.themes.facets import facets
from bot.themes.mentions import NAMED_KINDS, mentions
from evals.themes_metrics import adjusted_rand_index, load_plans

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
DEV_PLANS = [DATASETS / "themes.dev.jsonl", DATASETS / "themes.heldout.dev.jsonl"]

Group = tuple[str, tuple[int, ...], tuple[int, ...]]  # kind, item ids, shared ids


class FixedEmbeddings(Embeddings):
    """The vectors of a real model, computed once in one batch: both pipelines then read the very same numbers
    (a model's output can move in the last digits with the batch it is computed in)."""

    def __init__(self, model: Embeddings, texts: Sequence[str]) -> None:
        unique = list(dict.fromkeys(texts))
        self.vectors = dict(zip(unique, model.embed_documents(unique), strict=True))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def split_texts(item: ThemeItem) -> list[str]:
    """The texts `cluster` groups for one input: its mentions when it names several players, else itself."""
    named = mentions(item.text, item.kind) if item.kind in NAMED_KINDS else []
    return [mention.text for mention in named] if len(named) > 1 else [item.text]


def plain_exact_groups(items: Sequence[ThemeItem], embeddings: Embeddings) -> set[Group]:
    """The plain pipeline, one input at a time in id order: mentions split, vectors read (split inputs' mentions
    embedded), centred, then per kind the facet rules and exact average-linkage."""
    units = [
        (item, part, text)
        for item in sorted(items, key=lambda it: it.id)
        for part, text in enumerate(split_texts(item))
    ]
    split = {item.id for item, part, _ in units if part}
    rows = [
        embeddings.embed_documents([text])[0] if item.vector is None or item.id in split else item.floats()
        for item, _, text in units
    ]
    matrix = clustering._centred(clustering._unit(np.asarray(rows, dtype=np.float32)))
    found: set[Group] = set()
    for kind in sorted({item.kind for item in items}):
        rows_of_kind = [index for index, (item, _, _) in enumerate(units) if item.kind == kind]
        blocked, shift = clustering._pair_rules([facets(units[i][2], kind) for i in rows_of_kind])
        labels = clustering._average_linkage(matrix[rows_of_kind], clustering.DEFAULT_THRESHOLD, blocked, shift)
        for label in sorted(set(labels.tolist())):
            members = [units[i] for i, own in zip(rows_of_kind, labels.tolist(), strict=True) if own == label]
            ids = {item.id for item, _, _ in members}
            first = {item.id for item, part, _ in members if part == 0}
            found.add((kind, tuple(sorted(ids)), tuple(sorted(ids - first))))
    return found


def groups_of(themes: Sequence[Theme]) -> set[Group]:
    return {(theme.kind, tuple(theme.item_ids), tuple(theme.shared_ids)) for theme in themes}


@pytest.mark.model
def test_dev_plans_group_exactly_as_the_plain_exact_pipeline(real_embeddings: Embeddings) -> None:
    plans = [plan for path in DEV_PLANS for plan in load_plans(path)]
    assert len(plans) >= 10
    items_of = {
        plan["id"]: [
            ThemeItem(id=row["id"], person_id=row["person"], kind=row["kind"], text=row["text"])
            for row in plan["inputs"]
        ]
        for plan in plans
    }
    every_text = [text for items in items_of.values() for it in items for text in [it.text, *split_texts(it)]]
    fixed = FixedEmbeddings(real_embeddings, every_text)
    shuffle = random.Random(15).shuffle
    split_somewhere = False
    for plan_id, items in items_of.items():
        # as /summary gives them: each input with its stored float32 bytes, here in a scrambled order
        stored = [it.model_copy(update={"vector": np.asarray(fixed.vectors[it.text], "<f4").tobytes()}) for it in items]
        shuffle(stored)
        expected = plain_exact_groups(items, fixed)
        assert groups_of(cluster(stored, fixed)) == expected, plan_id
        assert groups_of(cluster(items, fixed)) == expected, plan_id  # no vectors: all embedded
        split_somewhere |= any(shared for _, _, shared in expected)
    assert split_somewhere  # the split-input path was exercised too


def plain_greedy_groups(items: Sequence[ThemeItem]) -> set[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """The greedy pass and k-means steps on the plain per-kind matrices: (kind, item ids, person ids) per theme."""
    ordered = sorted(items, key=lambda it: it.id)
    matrix = clustering._centred(clustering._unit(np.asarray([it.floats() for it in ordered], dtype=np.float32)))
    found = set()
    for kind in sorted({it.kind for it in items}):
        rows = [i for i, it in enumerate(ordered) if it.kind == kind]
        assert len(rows) > clustering.EXACT_LIMIT
        labels, _ = clustering._refine(matrix[rows], clustering._leader(matrix[rows], clustering.DEFAULT_THRESHOLD))
        for label in set(labels.tolist()):
            members = [ordered[i] for i, own in zip(rows, labels.tolist(), strict=True) if own == label]
            ids, people = sorted(it.id for it in members), sorted({it.person_id for it in members})
            found.add((kind, tuple(ids), tuple(people)))
    return found


def test_a_5k_import_groups_exactly_as_the_plain_greedy_pipeline() -> None:
    """5,000 inputs (1,000 of each kind, over the exact limit), in a scrambled id order: the same themes, people and
    labels as the plain pipeline, and as the same inputs given as lists of floats in another order."""
    items = synthetic_items(5_000, dim=64, topics_per_kind=40, seed=3, stored=True)
    themes = cluster(items, NoEmbeddings())
    with clustering._one_blas_thread():  # the numbers `cluster` computes, to the last digit
        plain = plain_greedy_groups(items)
    assert {(t.kind, tuple(t.item_ids), tuple(t.person_ids)) for t in themes} == plain
    text_of = {it.id: it.text for it in items}
    assert all(t.label in {text_of[i] for i in t.item_ids} for t in themes)  # each label is a member's own words
    as_lists = [it.model_copy(update={"vector": it.floats()}) for it in reversed(items)]
    assert [t.model_dump() for t in cluster(as_lists, NoEmbeddings())] == [t.model_dump() for t in themes]


def test_a_5k_import_is_stable_under_the_blas_thread_count() -> None:
    """The plain pipeline on as many BLAS threads as it likes (its last digits may differ): ARI >= 0.99."""
    items = synthetic_items(5_000, dim=64, topics_per_kind=40, seed=4, stored=True)
    fast = {i: n for n, theme in enumerate(cluster(items, NoEmbeddings())) for i in theme.item_ids}
    plain = {i: n for n, (_, ids, _) in enumerate(sorted(plain_greedy_groups(items))) for i in ids}
    ids = sorted(plain)
    assert adjusted_rand_index([plain[i] for i in ids], [fast[i] for i in ids]) >= 0.99
