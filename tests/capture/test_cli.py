"""`planbot extract`: the contract's JSON shape and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.app import main


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_refused(clean_env: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert main(["extract", text]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("planbot: TEXT: it is empty")
    assert "\n" not in err


def test_unknown_question_key_names_the_valid_keys(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "no road", "--question", "weather"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--question weather" in err
    assert "aggregation_points" in err and "quick_win" in err
    assert "\n" not in err


@pytest.mark.model
def test_json_shape_is_the_contract(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "extract",
                "no cooler for the milk; we could buy one together",
                "--question",
                "constraints",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"inputs"}
    assert [item["kind"] for item in data["inputs"]] == ["constraint", "idea"]
    for item in data["inputs"]:
        assert set(item) == {"kind", "text", "summary", "confidence"}
        assert 0 <= item["confidence"] <= 1


@pytest.mark.model
def test_table_and_no_input_messages(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "The chief of the village, everyone follows him"]) == 0
    assert "influential actor" in capsys.readouterr().out
    assert main(["extract", "what does this plan mean for me?"]) == 0
    assert "question to the assistant" in capsys.readouterr().out
    assert main(["extract", "Hello 👋", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"inputs": []}
