"""`planbot chat`: the engine in the terminal, numbered options, and its bad usage."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from bot.cli.app import main
from bot.cli.chat import run_chat
from bot.engine import Person
from tests.engine.conftest import World, codes_from


def test_chat_numbers_options_and_a_number_picks_one(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    out = Console(record=True, width=200)
    lines = ["1", "6", "2", "Kahawa lodge", "the road to the beach is bad", "/quit", "never sent"]
    run_chat(world.engine, Person(key="cli:stakeholder", display_name="Zawadi"), lines, out, first=f"/start {code}")
    screen = out.export_text()
    assert "  1. I agree" in screen and "  6. Hotel / tourism" in screen
    assert "Question 2 of 8" in screen
    summary = facilitator.send("/summary")[0].text
    assert "the road to the beach is bad" in summary and "Hotel / tourism 1" in summary and "MSE share 1/1" in summary


def test_chat_with_an_unknown_plan_is_a_one_line_error(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "--plan", "999", "--as", "stakeholder"]) == 2
    assert capsys.readouterr().err.strip() == "planbot: --plan 999: no plan with this id"


def test_chat_as_facilitator_of_an_existing_plan(world: World, new_plan) -> None:
    new_plan()
    code = world.engine.enrol(1, "facilitator")
    out = Console(record=True, width=200)
    run_chat(world.engine, Person(key="cli:facilitator"), ["1", "/invite"], out, first=f"/start {code}")
    screen = out.export_text()
    assert "now a facilitator" in screen
    codes_from(screen.split("planbot: ")[-1])
