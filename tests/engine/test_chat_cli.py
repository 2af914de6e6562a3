"""`planbot chat`: the engine in the terminal, numbered options, and its bad usage."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console

import bot.cli.chat as chat_module
from bot.cli.app import main
from bot.cli.chat import render, run_chat, save_file
from bot.engine import Person, Reply, ReplyFile
from bot.services import Services
from bot.settings import load_settings
from tests.engine.conftest import World, codes_from
from tests.fakes.embeddings import HashingEmbeddings


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


def _scripted(lines: list[str], times: dict[str, float]):
    """Stands in for the terminal's input: yields `lines`, noting when each is read and when the next is asked
    for (so the time one message took, reply included, is known without any sleep)."""

    def typed(_out) -> Iterator[str]:
        previous = None
        for line in lines:
            if previous is not None:
                times[previous] = time.monotonic() - times[previous]
            times[line] = time.monotonic()
            previous = line
            yield line
        if previous is not None:
            times[previous] = time.monotonic() - times[previous]

    return typed


@pytest.mark.model
def test_a_question_first_on_a_fresh_data_dir_is_answered_promptly(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reproduction of issue 13: the guidance used to be stored inside the chat's own write transaction."""
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(clean_env / "data"))
    question = "what is an aggregation point?"
    times: dict[str, float] = {}
    monkeypatch.setattr(chat_module, "_typed_lines", _scripted(["/newplan T", "coffee", "Kagera", question], times))
    assert main(["chat"]) == 0
    screen = capsys.readouterr().out
    answer = screen.split(question)[-1] if question in screen else screen.split("Kagera")[-1]
    assert "aggregation points where interventions can lead to systemic change" in answer, screen
    assert "something went wrong" not in screen
    # the bug waited out SQLite's 30 s busy timeout; 20 s leaves a loaded machine room and still catches it
    assert times[question] < 20.0, times


def _hashing_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """`planbot chat` as shipped, but on the small hashing embeddings instead of the model (fast)."""

    @contextmanager
    def services():
        built = Services(load_settings(), embeddings_override=HashingEmbeddings())
        try:
            yield built
        finally:
            built.close()

    monkeypatch.setattr(chat_module, "services", services)


def test_export_in_chat_writes_the_file_and_prints_its_path(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = clean_env / "data"
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(data))
    _hashing_services(monkeypatch)
    monkeypatch.setattr(chat_module, "_typed_lines", _scripted(["/newplan T", "coffee", "Kagera", "/export md"], {}))
    assert main(["chat"]) == 0
    screen = capsys.readouterr().out
    assert "not available" not in screen
    [written] = list((data / "exports").glob("*.md"))
    assert f"Saved the file to {written}" in screen
    assert written.read_text(encoding="utf-8").startswith("# T")
    assert not list((data / "exports").glob("*.part"))

    out = clean_env / "drafts"
    lines = ["/export json", "/export", "/quit"]
    monkeypatch.setattr(chat_module, "_typed_lines", _scripted(lines, {}))
    assert main(["chat", "--out", str(out)]) == 0  # the same facilitator, their plan still active
    screen = capsys.readouterr().out
    names = sorted(path.suffix for path in out.iterdir())
    assert names == [".docx", ".json"]
    for path in out.iterdir():
        assert f"Saved the file to {path}" in screen
    assert json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))["schema"].startswith("planbot.draft")


def test_a_sent_file_is_saved_under_the_folder_only(tmp_path: Path) -> None:
    out = Console(record=True, width=200)
    replies = [Reply(text="here", files=[ReplyFile(name="../x.md", content=b"abc")])]
    render(replies, out)  # no folder: described, not written
    assert "(file ../x.md, 3 bytes)" in out.export_text()
    folder = tmp_path / "exports"
    assert save_file(replies[0].files[0], folder) == folder / "x.md"
    assert (folder / "x.md").read_bytes() == b"abc" and not (tmp_path / "x.md").exists()
