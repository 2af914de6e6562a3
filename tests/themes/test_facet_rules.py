"""Facets as evidence: a shared place or product word is weak, the problem words must agree (issue 13, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.themes import ThemeItem, cluster
from bot.themes.facets import apart, facets
from evals.themes_metrics import load_plans
from tests.fakes.embeddings import HashingEmbeddings

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"


def _pair(first: str, second: str, angle: float) -> list[ThemeItem]:
    """Two constraints whose vectors are `angle` radians apart (given, so the embeddings are never asked)."""
    vectors = [[1.0, 0.0, 0.0], [float(np.cos(angle)), float(np.sin(angle)), 0.0]]
    return [
        ThemeItem(id=n, person_id=n, kind="constraint", text=text, vector=vector)
        for n, (text, vector) in enumerate(zip((first, second), vectors, strict=True), start=1)
    ]


def _grouped(items: list[ThemeItem]) -> bool:
    return len(cluster(items, HashingEmbeddings())) == 1


def test_the_longest_facet_word_decides_and_whole_words_do_not_match_longer_ones() -> None:
    assert facets("interest rate too high at the bank", "constraint") == {"finance"}  # not "rat": a pest
    assert facets("pesticides sold are fake", "constraint") == {"inputs", "fake"}  # not a pest problem
    assert "delay" not in facets("store the sesame and sell later", "idea")
    assert "delay" in facets("money for cotton come very late", "constraint")


def test_a_shared_input_word_does_not_join_two_different_problems_about_it() -> None:
    fake = facets("pesticides sold are fake or diluted", "constraint")
    failing = facets("insects attack the cotton, the spray is not working", "constraint")
    assert fake & failing == {"inputs"} and apart(fake, failing)
    # an input naming only the thing, no problem, may still join either
    assert not apart(facets("people catch small fish with bad nets", "constraint"), failing)


def test_an_input_naming_a_problem_joins_one_naming_none_only_on_a_much_closer_match() -> None:
    angle = 1.15  # centred cosine about 0.25: above the threshold, below it plus the one-sided penalty
    assert _grouped(_pair("we walk far to the borehole with the herd", "the herd walks far every day", angle))
    assert not _grouped(_pair("thieves steal goats at night", "we walk far to the borehole with the herd", angle))


def test_sharing_a_problem_counts_where_the_embeddings_are_unsure() -> None:
    angle = 1.45  # centred cosine about -0.06: below the threshold, above it less the shared-facet bonus
    assert _grouped(_pair("thieves steal goats at night", "raiders take our animals", angle))
    assert not _grouped(_pair("we walk far to the borehole with the herd", "the herd walks far every day", angle))


@pytest.mark.model
def test_different_problems_of_one_herd_stay_apart_and_a_paraphrase_joins(real_embeddings) -> None:
    """The goat plan of the held-out dev set, where the embeddings alone put theft beside the borehole walk."""
    (plan,) = [p for p in load_plans(DATASETS / "themes.heldout.dev.jsonl") if p["value_chain"] == "goat"]
    rows = [row for row in plan["inputs"] if row["kind"] == "constraint"]
    items = [ThemeItem(id=row["id"], person_id=row["person"], kind=row["kind"], text=row["text"]) for row in rows]
    theme_of = {i: n for n, theme in enumerate(cluster(items, real_embeddings)) for i in theme.item_ids}
    by_text = {row["text"]: theme_of[row["id"]] for row in rows}
    for first, second in [
        ("raiders take our animals", "we walk far to the borehole with the herd"),
        ("thieves steal goats at night", "goats die of PPR every dry season"),
        ("council collect too many fees at the livestock market", "the road to the livestock market very bad"),
        ("no grass left near the village", "no water for animals in dry season"),
    ]:
        assert by_text[first] != by_text[second], (first, second)
    assert by_text["thieves steal goats at night"] == by_text["raiders take our animals"]
    assert by_text["price of goats very low"] == by_text["traders pay little for our goats at the market"]


def test_the_heldout_dev_plans_are_value_chains_of_no_other_set() -> None:
    plans = load_plans(DATASETS / "themes.heldout.dev.jsonl")
    others = {
        json.loads(line)["value_chain"]
        for path in DATASETS.glob("*.jsonl")
        if path.name.startswith(("themes.", "plans.")) and path.name != "themes.heldout.dev.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert len(plans) == 8
    assert len({plan["value_chain"] for plan in plans}) == 8 and not {plan["value_chain"] for plan in plans} & others
    for plan in plans:
        inputs = plan["inputs"]
        assert 25 <= len(inputs) <= 40 and len({row["id"] for row in inputs}) == len(inputs)
        assert 6 <= len({row["person"] for row in inputs}) <= 10
        assert len({(row["kind"], row["theme"]) for row in inputs}) < len(inputs)  # some themes are shared
