"""The ARI the themes eval relies on, against values worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.themes_metrics import adjusted_rand_index, load_plans


def test_identical_partitions_score_one_whatever_the_label_names() -> None:
    assert adjusted_rand_index([0, 0, 1, 1], ["b", "b", "a", "a"]) == pytest.approx(1.0)


def test_hand_computed_values() -> None:
    # pairs: joint 2, rows 6, cols 3, of 15 -> expected 1.2, max 4.5 -> (2 - 1.2) / (4.5 - 1.2)
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.8 / 3.3)
    # joint 1, rows 2, cols 1, of 6 -> expected 1/3, max 1.5 -> (2/3) / (7/6) = 4/7
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    # a partition crossing the truth exactly: worse than chance
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_everything_in_one_cluster_scores_zero_against_singletons() -> None:
    assert adjusted_rand_index([1, 2, 3, 4], [0, 0, 0, 0]) == pytest.approx(0.0)


def test_length_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="length"):
        adjusted_rand_index([0, 1], [0])


def test_dataset_files_follow_the_contract() -> None:
    root = Path(__file__).resolve().parents[2] / "evals" / "datasets"
    chains = set()
    for split, minimum in (("test", 3), ("dev", 2)):
        plans = load_plans(root / f"themes.{split}.jsonl")
        assert len(plans) >= minimum
        for plan in plans:
            chains.add(plan["value_chain"])
            inputs = plan["inputs"]
            assert 25 <= len(inputs) <= 40
            assert 6 <= len({row["person"] for row in inputs}) <= 10
            assert {row["kind"] for row in inputs} <= {
                "constraint",
                "opportunity",
                "idea",
                "influential_actor",
                "aggregation_point",
            }
            sizes: dict[tuple[str, str], int] = {}
            for row in inputs:
                sizes[row["kind"], row["theme"]] = sizes.get((row["kind"], row["theme"]), 0) + 1
            assert max(sizes.values()) <= 6
            assert len({row["id"] for row in inputs}) == len(inputs)
    assert len(chains) >= 6


def test_malformed_dataset_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "inputs": [{"id": 1, "text": "t"}]}) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:1"):
        load_plans(path)


def test_pairwise_precision_and_recall_by_hand() -> None:
    from evals.themes_metrics import pair_counts, pairwise_precision, pairwise_recall

    gold = ["a", "a", "a", "b", "b"]
    merged = [0, 0, 0, 0, 0]  # 10 pairs put together, 3 + 1 of them right
    assert pair_counts(gold, merged) == (10, 4, 4)
    assert pairwise_precision(gold, merged) == pytest.approx(0.4)
    assert pairwise_recall(gold, merged) == pytest.approx(1.0)
    alone = [1, 2, 3, 4, 5]
    assert pairwise_precision(gold, alone) == 1.0 and pairwise_recall(gold, alone) == 0.0


def test_heldout_plans_follow_the_contract_and_are_new_value_chains() -> None:
    root = Path(__file__).resolve().parents[2] / "evals" / "datasets"
    heldout = load_plans(root / "themes.heldout.test.jsonl")
    seen = {plan["value_chain"] for split in ("dev", "test") for plan in load_plans(root / f"themes.{split}.jsonl")}
    assert len(heldout) >= 4
    for plan in heldout:
        assert plan["value_chain"] not in seen
        assert len(plan["inputs"]) >= 25
        assert len({row["id"] for row in plan["inputs"]}) == len(plan["inputs"])


def test_the_gate_holds_theme_precision_and_runs_the_heldout_plans_on_test_only() -> None:
    from evals.runner import SUITES, load_thresholds

    bounds = {suite: {b.metric: b for b in found} for suite, found in load_thresholds().items()}
    assert bounds["themes"]["pairwise_precision"].min >= 0.85
    assert {"mean_ari", "pairwise_precision"} <= set(bounds["themes_heldout"])
    assert SUITES["themes_heldout"].dataset == "themes.heldout" and SUITES["themes_heldout"].splits == ("test",)
