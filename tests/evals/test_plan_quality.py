"""The plan_quality suite's dataset: a malformed plan is refused in one line naming the file and the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import PlanbotError
from evals.datasets import dataset_path
from evals.runner import SUITES, load_thresholds
from evals.suites import plan_quality, proposals

GOOD = {
    "id": "x-honey",
    "name": "Test honey",
    "value_chain": "honey",
    "region": "Tabora",
    "stakeholders": [
        {"name": "Asha", "role": "producer", "size": "micro", "answers": ["skip"] * 8},
    ],
}


def _write(tmp_path: Path, rows: list[object]) -> Path:
    path = tmp_path / "plan_quality.test.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def _one_line_error(path: Path, line: int) -> str:
    with pytest.raises(PlanbotError) as caught:
        plan_quality.load(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    return message


def test_a_plan_with_seven_answers_is_named_by_file_and_line(tmp_path: Path) -> None:
    short = json.loads(json.dumps(GOOD))
    short["stakeholders"][0]["answers"] = ["skip"] * 7
    message = _one_line_error(_write(tmp_path, [GOOD, short]), 2)
    assert "Asha: answers must be 8 non-empty strings" in message


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ("{not json", "not valid JSON"),
        ({k: v for k, v in GOOD.items() if k != "stakeholders"}, "missing stakeholders"),
        ({**GOOD, "stakeholders": [{**GOOD["stakeholders"][0], "role": "wizard"}]}, "unknown role 'wizard'"),
        ({**GOOD, "stakeholders": [{**GOOD["stakeholders"][0], "size": "huge"}]}, "unknown size 'huge'"),
        ({**GOOD, "region": " "}, "region must be a non-empty string"),
    ],
)
def test_other_malformed_plans_are_one_line_errors(tmp_path: Path, broken: object, reason: str) -> None:
    assert reason in _one_line_error(_write(tmp_path, [GOOD, GOOD, broken]), 3)


def test_the_held_out_plans_are_registered_gated_and_new() -> None:
    spec = SUITES["plan_quality"]
    assert spec.splits == ("test",)
    gated = {bound.metric for bound in load_thresholds()["plan_quality"]}
    assert {
        "inputs_in_draft",
        "kind_given_question",
        "counts_match",
        "plan_check_contradictions",
        "clean_slot_share",
    } <= gated
    plans = spec.load(dataset_path(spec.dataset, "test"))
    assert len(plans) >= 4
    assert all(5 <= len(plan["stakeholders"]) <= 7 for plan in plans)
    seen = {row["value_chain"] for split in ("dev", "test") for row in proposals.load(dataset_path("plans", split))}
    seen.add(proposals.demo_row()["value_chain"])
    assert not {plan["value_chain"] for plan in plans} & seen
