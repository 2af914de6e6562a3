"""`render(draft, fmt)` and the file name the bot and the CLI suggest."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from bot.errors import PlanbotError
from bot.export import filename, render, slug
from bot.export.draft import Draft


def test_each_format_gives_its_file(rich_draft: Draft) -> None:
    assert zipfile.is_zipfile(io.BytesIO(render(rich_draft, "docx")))
    assert render(rich_draft, "md").decode("utf-8").startswith("# Njombe Dairy Upgrading 2027")
    assert json.loads(render(rich_draft, "json"))["schema"] == "planbot.draft/2"
    assert render(rich_draft, "Markdown") == render(rich_draft, "md")


def test_file_name_suggestion(rich_draft: Draft) -> None:
    assert filename(rich_draft, "docx") == "njombe-dairy-upgrading-2027-draft-2027-03-14.docx"
    assert filename(rich_draft, "markdown") == "njombe-dairy-upgrading-2027-draft-2027-03-14.md"
    assert filename(rich_draft, "json").endswith("-draft-2027-03-14.json")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Café de Kigoma / Coffee!", "cafe-de-kigoma-coffee"),
        ("../../etc/passwd", "etc-passwd"),
        ("ቡና", "plan"),
        ("x" * 200, "x" * 60),
    ],
)
def test_slug_is_safe_in_a_file_name(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_unknown_format_is_named(rich_draft: Draft) -> None:
    with pytest.raises(PlanbotError, match=r"^--format pdf: unknown format; use one of docx, json, md$"):
        render(rich_draft, "pdf")
