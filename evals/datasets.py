"""Where the eval datasets live (JSON Lines; read them with `evals.suites.common.read_rows`)."""

from __future__ import annotations

from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"


def dataset_path(name: str, split: str = "test") -> Path:
    return DATASETS_DIR / f"{name}.{split}.jsonl"
