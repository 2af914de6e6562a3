"""A lost Chroma folder: `planbot reindex` rebuilds it from SQL, and `planbot ask` answers as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli.app import main
from tests.engine.conftest import World, codes_from

pytestmark = [pytest.mark.model, pytest.mark.slow]

PLAN_DOCUMENT = """# Meru dairy mapping, March

## Cooling

The Kithoka cooling centre closes at five, so the evening milk of forty farmers is sold to hawkers at half price.
"""
QUESTIONS = [
    (["--plan", "1"], "When does the Kithoka cooling centre close?"),
    (["--plan", "1"], "Who are influential actors?"),
    ([], "How to keep stakeholders committed?"),
]


def _ask(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    answers = []
    for options, question in QUESTIONS:
        assert main(["ask", question, "--json", *options]) == 0
        answers.append(json.loads(capsys.readouterr().out))
    return answers


def test_reindex_after_the_chroma_folder_is_lost_gives_the_same_answers_and_citations(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(data))
    world = World(f"sqlite:///{data / 'planbot.db'}")  # a plan in use: a facilitator and a stakeholder's answer
    facilitator = world.person("fatma")
    facilitator.send("/newplan Dairy")
    facilitator.send("dairy")
    code, _ = codes_from(facilitator.send("Meru")[-1].text)
    farmer = world.person("wanjiru")
    farmer.send(f"/start {code}")
    for label in ("I agree", "Producer", "Micro", "Skip"):
        farmer.tap(label)
    farmer.send("the cooling centre closes too early")
    world.close()
    document = tmp_path / "mapping.md"
    document.write_text(PLAN_DOCUMENT)
    assert main(["ingest", str(document), "--plan", "1"]) == 0
    capsys.readouterr()

    before = _ask(capsys)
    assert before[0]["covered"] and before[0]["citations"][0]["document"] == "mapping"
    assert all(answer["covered"] and answer["citations"] for answer in before)

    shutil.rmtree(data / "chroma")
    assert main(["reindex"]) == 0
    assert "Reindexed" in capsys.readouterr().out
    assert (data / "chroma").is_dir()
    assert _ask(capsys) == before  # the same answer text, the same chunks cited with the same scores
