"""`planbot demo`: the whole workshop through the real bot, offline, leaving drafts an editor can open."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from bot.cli.app import main

pytestmark = [pytest.mark.model, pytest.mark.telegram, pytest.mark.slow]


def test_demo_writes_drafts_with_the_captured_themes_and_checked_initiatives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    files = sorted(out.iterdir())
    assert sorted({path.suffix for path in files}) == [".docx", ".json", ".md", ".png"]
    for path in files:
        assert str(path) in printed  # the files are named at the end
    markdown_text = next(p for p in files if p.suffix == ".md").read_text()
    for chart in (p for p in files if p.suffix == ".png"):
        assert f"]({chart.name})" in markdown_text  # every chart the Markdown links is beside it

    draft = json.loads(next(p for p in files if p.suffix == ".json").read_text())
    assert draft["schema"] == "planbot.draft/2"
    assert draft["gathering"]["inputs"] > 20
    labels = " ".join(theme["label"] for theme in draft["themes"]).lower()
    assert "beach" in labels and "ice" in labels  # the stakeholders' top constraints
    checked = [i for i in draft["initiatives"] if len(i["scorecard"]) == 8 and i["verdict"]]
    assert len(checked) >= 3
    assert sum(i["accepted"] for i in draft["initiatives"]) >= 2
    assert draft["plan_check"]

    document = docx.Document(str(next(p for p in files if p.suffix == ".docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("Initiatives" in heading for heading in headings)
    assert len(document.tables) >= 3
    markdown = next(p for p in files if p.suffix == ".md").read_text()
    assert "| Criterion |" in markdown or "| criterion |" in markdown.lower()
