"""`planbot propose --plan ID [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.app import main
from tests.engine.conftest import World


def test_unknown_plan_is_a_one_line_error_with_exit_2(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["propose", "--plan", "999", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == "planbot: --plan 999: no plan with this id" and captured.out == ""


@pytest.mark.model
def test_json_lists_proposals_in_the_contract_shape(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = World(f"sqlite:///{clean_env / 'data' / 'planbot.db'}")
    (clean_env / "data").mkdir(exist_ok=True)
    world.restart()
    fac = world.person("fatma")
    fac.send("/newplan Coast tourism")
    fac.send("tourism")
    fac.send("Kilifi")
    code = world.engine.enrol(1, "stakeholder")
    asha = world.person("asha")
    asha.send(f"/start {code}")
    for label in ("I agree", "Producer", "Micro", "Skip"):
        asha.tap(label)
    for line in [
        "roads are bad in rainy season",
        "tourists want clean beaches",
        "we should clean together",
        "the village chief",
        "the fish market",
    ]:
        asha.send(line)
    world.close()
    assert main(["propose", "--plan", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["proposals"]
    known = {a["input_id"] for p in data["proposals"] for a in p["answers"]}
    for proposal in data["proposals"]:
        assert set(proposal) == {
            "title", "text", "pattern", "qualities", "answers", "actors", "fields", "to_settle", "credit", "people",
            "check",
        }  # fmt: skip
        assert proposal["check"]["verdict"] in ("recommended", "revise")
        assert len(proposal["check"]["criteria"]) == 8
        assert set(proposal["check"]) == {"verdict", "criteria", "questions"}
        assert all(set(a) == {"input_id", "kind", "text"} for a in proposal["answers"])
        assert len(proposal["title"]) <= 70
        for name, field in proposal["fields"].items():
            if name == "mse_share":
                continue
            assert set(field) == {"value", "detail", "sources", "question"}
            if field["value"] is not None:  # every field lists the inputs it came from
                assert field["sources"] and set(field["sources"]) <= known, (name, field)
            elif name != "when":
                assert field["question"] in proposal["to_settle"]
