"""The themes suite: does clustering group inputs the way the people who labelled them meant?

Metrics: the adjusted Rand index per plan (mean and lowest), and pairwise precision and recall pooled over the
plans' input pairs (precision: of the pairs put in one theme, the share that truly belong together; recall: of
the pairs that belong together, the share put in one theme). Baselines: everything of one kind in one theme,
every input alone (precision 1 by convention: no pair is put together), and the embeddings alone as planbot
grouped before the facet guard (threshold 0.15, no guard).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.errors import PlanbotError
from evals.suites.common import SuiteResult, rounded
from evals.themes_metrics import adjusted_rand_index, load_plans, pair_counts, predicted_labels

EMBEDDINGS_ONLY_THRESHOLD = 0.15  # the threshold planbot used before the facet guard


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


class _Tally:
    """ARI per plan and input pairs pooled over the plans, for one way of grouping."""

    def __init__(self) -> None:
        self.ari: dict[str, float] = {}
        self.together = self.right = self.truly = 0

    def add(self, plan_id: str, gold: list, predicted: list) -> None:
        self.ari[plan_id] = adjusted_rand_index(gold, predicted)
        together, right, truly = pair_counts(gold, predicted)
        self.together, self.right, self.truly = self.together + together, self.right + right, self.truly + truly

    def metrics(self) -> dict[str, float]:
        values = list(self.ari.values())
        return rounded(
            {
                "mean_ari": _mean(values),
                "min_ari": min(values),
                "pairwise_precision": self.right / self.together if self.together else 1.0,
                "pairwise_recall": self.right / self.truly if self.truly else 1.0,
            }
        )


def run_themes(embeddings: Embeddings, path: Path, threshold: float | None = None) -> SuiteResult:
    """ARI and pairwise precision / recall of `bot.themes.cluster` over the scripted plans of a themes dataset."""
    plans = load(path)
    planbot, one_per_kind, singletons, embeddings_only = _Tally(), _Tally(), _Tally(), _Tally()
    per_plan_precision: dict[str, float] = {}
    for plan in plans:
        gold, predicted = predicted_labels(plan, embeddings, threshold)
        planbot.add(plan["id"], gold, predicted)
        together, right, _ = pair_counts(gold, predicted)
        per_plan_precision[plan["id"]] = right / together if together else 1.0
        one_per_kind.add(plan["id"], gold, [row["kind"] for row in plan["inputs"]])
        singletons.add(plan["id"], gold, [row["id"] for row in plan["inputs"]])
        embeddings_only.add(plan["id"], *predicted_labels(plan, embeddings, EMBEDDINGS_ONLY_THRESHOLD, guard=False))
    return SuiteResult(
        suite="themes",
        dataset=str(path),
        cases=len(plans),
        metrics=planbot.metrics(),
        baselines={
            "one_theme_per_kind": one_per_kind.metrics(),
            "every_input_alone": singletons.metrics(),
            "embeddings_only": embeddings_only.metrics(),
        },
        details={
            "ari_per_plan": rounded(planbot.ari),
            "pairwise_precision_per_plan": rounded(per_plan_precision),
            "inputs": sum(len(plan["inputs"]) for plan in plans),
        },
    )
