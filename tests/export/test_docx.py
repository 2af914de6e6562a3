"""The Word draft reopened as an editor would: real heading, list and table styles, inert stakeholder text."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from bot.export import render_docx
from bot.export.draft import Draft
from tests.export.conftest import HOSTILE
from tests.export.test_markdown import SECTIONS


def reopen(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_headings_use_word_styles(rich_draft: Draft) -> None:
    document = reopen(render_docx(rich_draft))
    assert styled(document, "Title") == ["Njombe Dairy Upgrading 2027: draft upgrading plan"]
    assert styled(document, "Heading 1") == SECTIONS
    assert "1. low price, dairy pays late" in styled(document, "Heading 3")  # appendix 1
    assert [h for h in styled(document, "Heading 3") if h.endswith(("(accepted)", "(proposed)"))] == [
        "1. Shared cooler at Ikuna collection centre (accepted)",
        "2. Grading milk at the collection centre (proposed)",
        "3. New processing line for one dairy (proposed)",
    ]


def test_core_properties(rich_draft: Draft) -> None:
    props = reopen(render_docx(rich_draft)).core_properties
    assert props.title == "Njombe Dairy Upgrading 2027: draft upgrading plan"
    assert props.subject == "Upgrading plan of the dairy value chain, Njombe"
    assert props.author == "planbot"


def test_tables_and_scorecards(rich_draft: Draft) -> None:
    document = reopen(render_docx(rich_draft))
    # participants, constraints, opportunities, influential, aggregation, 3 scorecards, plan check, appendix 2
    assert len(document.tables) == 10
    assert {t.style.name for t in document.tables} == {"Light Grid Accent 1"}
    scorecards = [
        t for t in document.tables if [c.text for c in t.rows[0].cells] == ["Criterion", "Status", "Evidence"]
    ]
    assert len(scorecards) == 3
    assert [len(t.rows) for t in scorecards] == [9, 4, 3]  # the criteria settled; open ones are questions
    statuses = [row.cells[1].text for row in scorecards[2].rows[1:]]
    assert statuses == ["met", "not met"]
    assert len(document.tables[-1].rows) == 1 + 8  # the appendix lists every criterion, with its guidance
    guidance = [c.quote for c in rich_draft.criteria]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert all(cells.count(quote) == 1 for quote in guidance)  # quoted once, in the appendix


def test_lists_use_list_styles_and_numbering_restarts(rich_draft: Draft) -> None:
    data = render_docx(rich_draft)
    document = reopen(data)
    assert '"dairy pay after 2 month, we cant wait" (a small producer)' in styled(document, "List Bullet")
    steps = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in steps][:4] == [
        "agree shares",
        "buy cooler",
        "train two operators",
        "start evening collection",
    ]
    num_ids = {p._p.pPr.numPr.numId.val for p in steps}
    assert len(num_ids) == 2  # the two initiatives with steps each number from 1


def test_empty_plan_says_so(empty_draft: Draft) -> None:
    document = reopen(render_docx(empty_draft))
    assert styled(document, "Heading 1") == SECTIONS
    assert sum(p.text == "No input gathered yet." for p in document.paragraphs) == 9
    assert len(document.tables) == 1


def test_hostile_text_is_literal_run_text(hostile_draft: Draft) -> None:
    data = render_docx(hostile_draft)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in xml and "instrText" not in xml and "fldChar" not in xml
    assert "<script>" not in xml  # escaped by the XML writer
    document = reopen(data)
    runs = [r.text for p in document.paragraphs for r in p.runs]
    assert HOSTILE in runs  # the vision: one run, exactly the words written, control characters gone
    assert any(p.text == "2. " + HOSTILE for p in document.paragraphs if p.style.name == "Heading 3")
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert HOSTILE in cells


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.slow
def test_libreoffice_converts_every_draft(
    tmp_path: Path, rich_draft: Draft, empty_draft: Draft, hostile_draft: Draft
) -> None:
    for name, draft in (("rich", rich_draft), ("empty", empty_draft), ("hostile", hostile_draft)):
        (tmp_path / f"{name}.docx").write_bytes(render_docx(draft))
    files = [str(tmp_path / f"{name}.docx") for name in ("rich", "empty", "hostile")]
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    done = subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *files],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    for name in ("rich", "empty", "hostile"):
        pdf = tmp_path / f"{name}.pdf"
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "hostile.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "{ MERGEFIELD x }" in text and "<script>alert(1)</script>" in text
