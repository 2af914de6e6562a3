"""Theme clustering as the facilitator sees it: duplicates grouped, kinds apart, most-shared first."""

from __future__ import annotations

import random

import numpy as np
import pytest

import bot.themes.clustering as clustering
from bot.domain import InputKind
from bot.errors import PlanbotError
from bot.themes import Theme, ThemeItem, cluster, shorten
from tests.fakes.embeddings import HashingEmbeddings


class CountingEmbeddings(HashingEmbeddings):
    """Records what it was asked to embed, to show precomputed vectors are reused."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def item(id: int, person: int, text: str, kind: str = "constraint") -> ThemeItem:
    return ThemeItem(id=id, person_id=person, kind=kind, text=text)


ROADS = [
    item(1, 1, "road to market very bad in rainy season"),
    item(4, 2, "road to market bad when rainy season come"),
    item(6, 3, "in rainy season road to the market is very bad"),
]
OTHERS = [
    item(2, 4, "no credit from bank for small farmers"),
    item(3, 5, "bank credit for small farmers not available"),
    item(5, 6, "electricity cut every evening"),
]


def groups(themes: list[Theme]) -> set[frozenset[int]]:
    return {frozenset(theme.item_ids) for theme in themes}


def test_empty_input_gives_no_themes() -> None:
    assert cluster([], HashingEmbeddings()) == []


def test_near_duplicates_from_different_people_form_one_theme() -> None:
    themes = cluster(ROADS + OTHERS, HashingEmbeddings(), threshold=0.3)
    assert groups(themes) == {frozenset({1, 4, 6}), frozenset({2, 3}), frozenset({5})}
    roads = themes[0]
    assert roads.item_ids == [1, 4, 6] and roads.person_ids == [1, 2, 3]
    assert roads.kind == "constraint"


def test_default_threshold_groups_the_obvious_duplicates() -> None:
    assert frozenset({1, 4, 6}) in groups(cluster(ROADS + OTHERS, HashingEmbeddings()))


def test_a_constraint_and_an_idea_with_the_same_words_are_never_merged() -> None:
    items = [
        item(1, 1, "fix the road to market", kind="constraint"),
        item(2, 2, "fix the road to market", kind="idea"),
        item(3, 3, "fix the road to the market", kind=InputKind.idea),
    ]
    themes = cluster(items, HashingEmbeddings(), threshold=-1.0)  # would merge anything of one kind
    assert {(t.kind, tuple(t.item_ids)) for t in themes} == {("constraint", (1,)), ("idea", (2, 3))}


def test_three_people_once_rank_above_one_person_three_times() -> None:
    items = [
        item(1, 7, "cold room for fish missing"),  # "cold…" sorts before "fuel…": only people decide
        item(2, 7, "cold room for fish missing, fish spoil"),
        item(3, 7, "cold room for fish missing again"),
        item(4, 1, "fuel price too high for boats"),
        item(5, 2, "fuel price for boats too high"),
        item(6, 3, "high fuel price, boats stop"),
    ]
    themes = cluster(items, HashingEmbeddings(), threshold=0.3)
    assert [t.item_ids for t in themes] == [[4, 5, 6], [1, 2, 3]]
    assert [t.person_ids for t in themes] == [[1, 2, 3], [7]]


def test_equal_people_rank_by_size_then_label() -> None:
    items = [
        item(1, 1, "zebra crossing missing"),
        item(2, 2, "apple trees old"),
        item(3, 3, "milk goes sour fast"),
        item(4, 3, "milk goes sour very fast"),
    ]
    themes = cluster(items, HashingEmbeddings(), threshold=0.5)
    assert [t.item_ids for t in themes] == [[3, 4], [2], [1]]


def test_same_items_in_any_order_give_the_same_themes() -> None:
    items = ROADS + OTHERS
    expected = cluster(items, HashingEmbeddings(), threshold=0.3)
    for seed in range(5):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert cluster(shuffled, HashingEmbeddings(), threshold=0.3) == expected


def test_label_is_a_short_phrase_of_the_inputs_own_words_never_a_cut_quote() -> None:
    long = "the road to the market is very bad in the rainy season and trucks cannot pass at all"
    items = [
        item(1, 1, long),
        item(2, 2, long),
        item(3, 3, "road to market bad in rainy season, trucks stuck"),
    ]
    (theme,) = cluster(items, HashingEmbeddings(), threshold=0.2)
    assert len(theme.label) <= 60 and "…" not in theme.label
    assert theme.label == "the road to the market is very bad in the rainy season"  # ends before "and trucks"
    words = theme.label.split()
    assert words == long.split()[: len(words)]  # the text's own words, none cut in half or invented


def test_shorten_keeps_short_text_whole_and_collapses_spaces() -> None:
    assert shorten("  milk   spoils  ") == "milk spoils"
    assert len(shorten("x" * 80)) <= 60


def test_precomputed_vectors_are_not_embedded_again() -> None:
    fake = CountingEmbeddings()
    vectors = HashingEmbeddings().embed_documents([ROADS[0].text, ROADS[1].text])
    items = [
        ROADS[0].model_copy(update={"vector": vectors[0]}),
        ROADS[1].model_copy(update={"vector": vectors[1]}),
        ROADS[2],
    ]
    themes = cluster(items, fake, threshold=0.3)
    assert fake.embedded == [ROADS[2].text]
    assert groups(themes) == {frozenset({1, 4, 6})}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([item(1, 1, "a"), item(1, 2, "b")], "item 1: the same id appears twice"),
        ([item(1, 1, "a", kind="complaint")], "item 1: unknown kind 'complaint'"),
        ([item(2, 1, "   ")], "item 2: the text is empty"),
        (
            [
                ThemeItem(id=1, person_id=1, kind="idea", text="a", vector=[1.0, 0.0]),
                ThemeItem(id=2, person_id=1, kind="idea", text="b", vector=[1.0]),
            ],
            "same non-zero length",
        ),
    ],
)
def test_bad_items_are_refused_with_one_clear_line(items: list[ThemeItem], message: str) -> None:
    with pytest.raises(PlanbotError, match=message) as error:
        cluster(items, HashingEmbeddings())
    assert "\n" not in str(error.value)


def test_threshold_out_of_range_is_refused() -> None:
    with pytest.raises(PlanbotError, match="threshold"):
        cluster(ROADS, HashingEmbeddings(), threshold=1.5)


def synthetic(n_topics: int, per_topic: int, seed: int = 0) -> tuple[list[ThemeItem], list[int]]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_topics, 64))
    items, truth = [], []
    ids = rng.permutation(n_topics * per_topic)
    for n, identifier in enumerate(ids):
        topic = n % n_topics
        vector = centres[topic] / np.linalg.norm(centres[topic]) + rng.normal(scale=0.05, size=64)
        items.append(ThemeItem(id=int(identifier), person_id=n % 9, kind="idea", text=f"t{n}", vector=vector.tolist()))
        truth.append(topic)
    return items, truth


def test_large_inputs_use_the_greedy_pass_and_still_recover_the_topics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items, truth = synthetic(n_topics=20, per_topic=15)
    assert len(items) <= clustering.EXACT_LIMIT
    exact = cluster(items, HashingEmbeddings(), threshold=0.5)
    monkeypatch.setattr(clustering, "EXACT_LIMIT", 10)  # force the block-wise leader path
    greedy = cluster(items, HashingEmbeddings(), threshold=0.5)
    by_topic: dict[int, set[int]] = {}
    for it, topic in zip(items, truth, strict=True):
        by_topic.setdefault(topic, set()).add(it.id)
    expected = {frozenset(ids) for ids in by_topic.values()}
    assert groups(exact) == expected
    assert groups(greedy) == expected
