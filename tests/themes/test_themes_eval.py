"""The themes eval on the test split, with the real packaged model: does it find the themes people meant?"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.embeddings import SentenceTransformerEmbeddings
from bot.themes import ThemeItem, cluster
from evals.themes_metrics import load_plans, score_plans

TEST_SPLIT = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "themes.test.jsonl"
MIN_MEAN_ARI = 0.6


@pytest.mark.model
@pytest.mark.eval
def test_mean_ari_on_the_test_split(real_embeddings: SentenceTransformerEmbeddings) -> None:
    scores = score_plans(load_plans(TEST_SPLIT), real_embeddings)
    mean = sum(scores.values()) / len(scores)
    print("themes ARI:", {plan: round(score, 3) for plan, score in scores.items()}, f"mean={mean:.3f}")
    assert mean >= MIN_MEAN_ARI


@pytest.mark.model
def test_rain_and_road_complaints_in_patchy_english_are_one_theme(
    real_embeddings: SentenceTransformerEmbeddings,
) -> None:
    texts = [
        "roads are bad in rainy season",
        "transport to market is hard when it rains",
        "when rain come the road to market is mud",
        "bank dont give loan to small farmer",
        "no credit from bank for us small farmers",
        "price of maize too low at harvest",
        "the fertiliser is too expensive",
    ]
    items = [ThemeItem(id=n, person_id=n, kind="constraint", text=t) for n, t in enumerate(texts, start=1)]
    themes = cluster(items, real_embeddings)
    assert themes[0].item_ids == [1, 2, 3]
    assert [4, 5] in [theme.item_ids for theme in themes]
