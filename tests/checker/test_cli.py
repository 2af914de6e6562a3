"""`planbot check`: the contract's JSON shape, a readable table, one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.checker.rubric import load_rubric
from bot.cli.app import main
from bot.domain import CriterionId, Status


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_refused(clean_env: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert main(["check", text]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("planbot: TEXT: it is empty") and "\n" not in err


def test_over_4000_characters_is_refused(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "all hotels pay. " * 300, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "4800 characters is too long" in err and "4000" in err and "\n" not in err
    assert capsys.readouterr().out == ""


@pytest.mark.model
def test_json_shape_is_the_contract(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "loan to Nuru Cashew Processors Ltd to buy a new shelling line for their factory"
    assert main(["check", text, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"verdict", "criteria", "questions"}
    assert data["verdict"] == "not_recommended"
    assert [c["id"] for c in data["criteria"]] == [c.value for c in CriterionId]
    rubric = load_rubric()
    for item in data["criteria"]:
        assert set(item) == {"id", "status", "evidence", "citation"}
        quote = rubric.criterion(item["id"]).quote_for(Status(item["status"]))
        assert item["citation"] == {"document": "upgrading-plan-guidance", "quote": quote}
        assert (item["evidence"] is None) == (item["status"] == "unclear")
    industry = next(c for c in data["criteria"] if c["id"] == "industry_wide")
    assert industry["status"] == "not_met"  # one firm: it cites the passage it goes against
    assert industry["citation"]["quote"].startswith("avoid enterprise-level interventions unless")
    unclear = [c["id"] for c in data["criteria"] if c["status"] == "unclear"]
    assert [q["criterion"] for q in data["questions"]] == unclear


@pytest.mark.model
def test_table_shows_statuses_verdict_and_questions(
    clean_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    assert main(["check", "all hotels on the beach pay for bins, small guesthouses gain within a month"]) == 0
    out = capsys.readouterr().out
    assert "Verdict: recommended" in out
    assert "Promotes investment" in out and "Promote investment to relieve" in out
    assert "To settle the unclear criteria" in out
