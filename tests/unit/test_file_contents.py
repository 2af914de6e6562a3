"""A file that is not what its extension says gets one clear line, and no library's warnings."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.errors import PlanbotError
from bot.knowledge.loaders import load_document

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 40 + b"This program cannot be run"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", EXE * 20, "report.pdf: not a PDF file: its contents are a Windows program (.exe)"),
        ("analysis.docx", b"%PDF-1.7\n" + b"x" * 50, "analysis.docx: not a Word (.docx) file: its contents are a PDF"),
        ("notes.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "notes.txt: not a plain text file: its contents are a PNG image"),
        ("notes.md", b"# notes\x00\x01\x02", "notes.md: not a Markdown text file: its contents are binary data"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old Word (.doc) document"),
    ],
)
def test_contents_that_do_not_match_the_extension_are_named(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanbotError) as caught:
        load_document(path, 10_000_000)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_text_that_happens_to_start_like_a_program_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "mz.txt"
    path.write_text("MZ and GIF8 are the first letters of these meeting notes.\n")
    assert "meeting notes" in load_document(path, 10_000).page_content


def test_an_exe_renamed_pdf_is_one_line_on_stderr_without_pypdf_warnings(
    tmp_path: Path, monkeypatch, capsys, caplog
) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "report.pdf"
    path.write_bytes(EXE * 100)
    caplog.set_level(logging.DEBUG, logger="pypdf")
    assert main(["ingest", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"planbot: {path}: not a PDF file: its contents are a Windows program (.exe); "
        "send the document itself, saved as PDF\n"
    )
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_a_pdf_that_is_broken_inside_says_so_without_pypdf_warnings(tmp_path: Path, capsys, caplog) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 200)  # the right header, then nothing a reader can use
    caplog.set_level(logging.DEBUG, logger="pypdf")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(PlanbotError, match=r"cannot read it as \.pdf"):
            load_document(path, 10_000_000)
    assert not caught, [str(w.message) for w in caught]
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert capsys.readouterr().err == ""
