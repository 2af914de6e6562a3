"""Named players split into mentions, theme labels as short phrases, the facet guard and the answering rule."""

from __future__ import annotations

import pytest

from bot.themes import ThemeItem, answering, cluster, mentions, names
from bot.themes.answering import gist
from bot.themes.facets import apart, facets
from bot.themes.labels import LABEL_MAX_CHARS, core, fit_phrase, label
from tests.fakes.embeddings import HashingEmbeddings

ACTOR = "influential_actor"
POINT = "aggregation_point"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "the village chief and the hotel association chairman",
            ["the village chief", "the hotel association chairman"],
        ),
        ("the sheha and the company field officer", ["the sheha", "the company field officer"]),
        ("the chief farmer, the purchasing clerk", ["the chief farmer", "the purchasing clerk"]),
        (
            "the chairman of the hotel association, all the big hotels follow him",
            ["the chairman of the hotel association"],
        ),
        ("the village chief, people listen to him about the beach", ["the village chief"]),
        ("the hotel and restaurant association chairman", ["the hotel and restaurant association chairman"]),
        ("the lead fisherman Bakari, the young fishers copy what he does", ["the lead fisherman Bakari"]),
        ("the cooperative chairman", ["the cooperative chairman"]),
    ],
)
def test_an_actor_answer_is_split_into_the_players_it_names(text: str, expected: list[str]) -> None:
    assert names(text, ACTOR) == expected


def test_a_description_keeps_what_follows_it_and_other_kinds_are_never_split() -> None:
    # "and the cooperative" belongs to the description of the branch, not a second aggregation point
    assert names("our branch, we finance most of the hotels and the cooperative", POINT) == ["our branch"]
    assert names("the Saturday market and the fish landing site", POINT) == [
        "the Saturday market",
        "the fish landing site",
    ]
    assert len(mentions("roads and bridges are bad", "constraint")) == 1
    split = mentions("the village chief and the hotel association chairman, they decide", ACTOR)
    assert [m.text for m in split] == ["the village chief", "the hotel association chairman, they decide"]


def test_a_joint_mention_counts_for_each_actor_and_is_scored_under_the_first() -> None:
    items = [
        ThemeItem(id=1, person_id=1, kind=ACTOR, text="the village chief"),
        ThemeItem(id=2, person_id=2, kind=ACTOR, text="the hotel association chairman"),
        ThemeItem(id=3, person_id=3, kind=ACTOR, text="the village chief and the hotel association chairman"),
    ]
    themes = {t.label: t for t in cluster(items, HashingEmbeddings(), threshold=0.3)}
    assert set(themes) == {"the village chief", "the hotel association chairman"}
    assert themes["the village chief"].item_ids == [1, 3] and themes["the village chief"].shared_ids == []
    chairman = themes["the hotel association chairman"]
    assert chairman.item_ids == [2, 3] and chairman.person_ids == [2, 3] and chairman.shared_ids == [3]


def test_core_phrases_are_a_name_or_a_first_clause() -> None:
    assert core("no ice at the landing site, fish spoil before the hotels buy it", "constraint") == (
        "no ice at the landing site"
    )
    assert core("small firms have no records so we cannot give them loans", "constraint") == (
        "small firms have no records"
    )
    assert core("the district tourism officer, he gives the licences", ACTOR) == "the district tourism officer"


def test_a_long_phrase_is_cut_back_to_a_phrase_boundary_never_inside_a_word() -> None:
    long = "more european tourists want eco friendly hotels and local food from the region every week"
    cut = fit_phrase(long)
    assert cut == "more european tourists want eco friendly hotels"  # "... and local food" is 62 characters
    assert len(cut) <= LABEL_MAX_CHARS and "…" not in cut
    assert fit_phrase("the road to the beach and the") == "the road to the beach"  # never ends on "and the"
    assert len(fit_phrase("x" * 80)) <= LABEL_MAX_CHARS


def test_a_label_prefers_the_central_member_holding_the_shared_words() -> None:
    texts = [
        "plastic and seaweed on the beach every morning, guests complain and leave bad reviews",
        "the beach near us is dirty with plastic so guests go to the big hotels",
        "no waste collection on the beach",
    ]
    chosen = label(texts, "constraint", [0.9, 0.7, 0.6])
    assert chosen == "plastic and seaweed on the beach every morning"
    assert label(texts, "constraint", [0.1, 0.9, 0.2]) == "the beach near us is dirty with plastic"


def test_facets_keep_a_road_apart_from_plastic_on_the_same_beach() -> None:
    road = facets("the road to the reef beach is very bad in rainy season, tourists cancel trips", "constraint")
    plastic = facets("plastic and seaweed on the beach every morning, guests complain", "constraint")
    assert "transport" in road and "waste" in plastic and apart(road, plastic)
    assert not apart(road, facets("tourists cant reach us when rain come, road is mud", "constraint"))
    assert not apart(road, frozenset())  # an input naming no facet is never guarded


def test_the_guard_keeps_two_problems_apart_that_the_embeddings_would_merge() -> None:
    items = [
        ThemeItem(id=1, person_id=1, kind="constraint", text="the road to the beach is bad"),
        ThemeItem(id=2, person_id=2, kind="constraint", text="the plastic on the beach is bad"),
    ]
    themes = cluster(items, HashingEmbeddings(), threshold=-1.0)  # would merge anything not guarded
    assert sorted(t.item_ids for t in themes) == [[1], [2]]


def test_an_initiative_answers_the_theme_it_is_close_to_and_not_one_it_shares_no_facet_with() -> None:
    items = [
        ThemeItem(id=1, person_id=1, kind="constraint", text="plastic rubbish on the beach"),
        ThemeItem(id=2, person_id=2, kind="constraint", text="rubbish and plastic all over the beach"),
        ThemeItem(id=3, person_id=3, kind="constraint", text="the road to the beach is broken"),
        ThemeItem(id=4, person_id=4, kind="constraint", text="no loans from the bank for small groups"),
    ]
    initiatives = [
        ("Beach clean-up", "hotels clear the plastic rubbish from the beach together"),
        ("Group loans", "the bank gives small loans to groups"),
        ("Grading", "grade the fish before selling"),
    ]
    found = answering([[1, 2], [3], [4]], items, initiatives, HashingEmbeddings())
    assert found == [[0], [], [1]]
    assert answering([[1, 2]], items, [], HashingEmbeddings()) == [[]]


def test_an_initiative_is_compared_on_its_title_and_first_sentence() -> None:
    body = "All hotels clean the beach. Where: the fish landing site.\nFirst step: an ice box."
    assert gist("Clean the beach together", body) == "Clean the beach together. All hotels clean the beach."
    typed = "Every month the hotels meet to plan a beach clean-up; the association pays for bins."
    assert gist("Every month the hotels meet…", typed) == typed
    assert gist("Only a title", "") == "Only a title"
