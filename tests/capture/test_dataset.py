"""The capture dataset's format, and the offline extractor measured on its TEST split with the real model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.capture import OfflineExtractor, load_lexicon
from bot.domain import InputKind
from bot.ports import INTERVIEW_TOPICS
from evals.metrics import confusion_matrix, empty_false_input_rate, macro_f1, multiset_prf

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
KINDS = [kind.value for kind in InputKind]


def load(split: str) -> list[dict]:
    path = DATASETS / f"capture.{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("split", ["dev", "test"])
def test_dataset_follows_the_contract(split: str) -> None:
    rows = load(split)
    assert len(rows) >= (90 if split == "test" else 45)
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert set(row) <= {"id", "text", "kinds", "question", "role"}, row["id"]
        assert set(row["kinds"]) <= set(KINDS), row["id"]
        assert row.get("question") in (None, *INTERVIEW_TOPICS), row["id"]
    empty = sum(1 for row in rows if not row["kinds"])
    assert empty / len(rows) >= 0.15
    assert sum(1 for row in rows if len(row["kinds"]) >= 2) >= 3


def test_prototypes_are_not_copied_from_the_test_split() -> None:
    prototypes = {p.lower() for examples in load_lexicon().prototypes.values() for p in examples}
    assert not prototypes & {row["text"].lower() for row in load("test")}


@pytest.mark.model
@pytest.mark.eval
def test_offline_extractor_on_the_test_split(real_extractor: OfflineExtractor) -> None:
    rows = load("test")
    gold = [row["kinds"] for row in rows]
    pred = [[item.kind.value for item in real_extractor.extract(row["text"], row.get("question"))] for row in rows]
    prf = multiset_prf(pred, gold, KINDS)
    score = macro_f1(prf)
    false_inputs = empty_false_input_rate(pred, gold)
    print(f"\ncapture test split: {len(rows)} messages, {sum(map(len, gold))} inputs")
    for kind, row in prf.items():
        print(f"  {kind:18} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f}")
    print(f"  macro-F1={score:.3f}; messages without input that produced one: {false_inputs:.1%}")
    print(f"  confusion (gold -> pred, off-diagonal): {_off_diagonal(confusion_matrix(pred, gold, KINDS))}")
    assert score >= 0.85
    assert false_inputs <= 0.10


def _off_diagonal(matrix: dict[str, dict[str, int]]) -> dict[str, int]:
    return dict(Counter({f"{g}->{p}": n for g, row in matrix.items() for p, n in row.items() if n and g != p}))
