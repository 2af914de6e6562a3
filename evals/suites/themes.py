"""The themes suite: does clustering group inputs the way the people who labelled them meant (ARI)?

Baselines: everything of one kind in one theme, and every input alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.errors import PlanbotError
from evals.suites.common import SuiteResult, rounded
from evals.themes_metrics import adjusted_rand_index, load_plans, score_plans


def load(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise PlanbotError(f"{path}: no such dataset")
    try:
        plans = load_plans(path)
    except ValueError as exc:
        raise PlanbotError(str(exc)) from None
    if not plans:
        raise PlanbotError(f"{path}: the dataset is empty")
    return plans


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def run_themes(embeddings: Embeddings, path: Path, threshold: float | None = None) -> SuiteResult:
    """Mean and lowest ARI of `bot.themes.cluster` over the scripted plans of a themes dataset."""
    plans = load(path)
    scores = score_plans(plans, embeddings, threshold)
    one_per_kind: list[float] = []
    singletons: list[float] = []
    for plan in plans:
        gold = [(row["kind"], row["theme"]) for row in plan["inputs"]]
        one_per_kind.append(adjusted_rand_index(gold, [row["kind"] for row in plan["inputs"]]))
        singletons.append(adjusted_rand_index(gold, [row["id"] for row in plan["inputs"]]))
    values = list(scores.values())
    return SuiteResult(
        suite="themes",
        dataset=str(path),
        cases=len(plans),
        metrics=rounded({"mean_ari": _mean(values), "min_ari": min(values)}),
        baselines={
            "one_theme_per_kind": rounded({"mean_ari": _mean(one_per_kind), "min_ari": min(one_per_kind)}),
            "every_input_alone": rounded({"mean_ari": _mean(singletons), "min_ari": min(singletons)}),
        },
        details={
            "ari_per_plan": rounded(scores),
            "inputs": sum(len(plan["inputs"]) for plan in plans),
        },
    )
