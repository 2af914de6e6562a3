"""The charts in the drafts an editor gets: three pictures in the DOCX under "The picture", three PNGs beside the
Markdown draft linked with alt text, and the JSON draft unchanged (data only)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from docx import Document

from bot.export import render_json
from bot.messages import catalogue
from bot.services import Services

pytestmark = pytest.mark.slow
IMAGE = re.compile(r"!\[([^\]]+)\]\(([^)\s]+)\)")


def test_the_docx_shows_the_three_charts_under_the_picture(demo: tuple[Services, int]) -> None:
    services, plan_id = demo
    exported = services.drafts.export(plan_id, "docx")
    document = Document(io.BytesIO(exported.content))
    assert len(document.inline_shapes) == 3
    images = [rel for rel in document.part.rels.values() if rel.reltype.endswith("/image")]
    assert len(images) == 3 and all(rel.target_part.blob.startswith(b"\x89PNG") for rel in images)
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for shape in document.inline_shapes:
        assert 0 < shape.width <= text_width  # fits the page
        assert shape._inline.docPr.get("descr")  # alt text for screen readers
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    picture = catalogue().text("charts.section")
    assert headings.index(picture) == 1  # right after the vision, before how the input was gathered
    pictures = [n for n, p in enumerate(document.paragraphs) if p._p.xpath(".//pic:pic")]
    start = next(n for n, p in enumerate(document.paragraphs) if p.text == picture)
    end = next(n for n, p in enumerate(document.paragraphs) if p.text == headings[2])
    assert len(pictures) == 3 and start < min(pictures) and max(pictures) < end


def test_the_markdown_links_its_charts_and_they_are_written_beside_it(
    demo: tuple[Services, int], out_dir: Path
) -> None:
    services, plan_id = demo
    exported = services.drafts.export(plan_id, "md")
    markdown = exported.content.decode("utf-8")
    links = IMAGE.findall(markdown)
    assert [name for _, name in links] == [c.name for c in exported.companions]
    assert all(alt.strip() for alt, _ in links)
    assert [c.name for c in exported.companions] == [
        exported.name.removesuffix(".md") + f"-{chart}.png" for chart in ("themes", "coverage", "progress")
    ]
    written = exported.write(out_dir / exported.name)
    assert sorted(p.name for p in written) == sorted([exported.name, *(c.name for c in exported.companions)])
    for _, name in links:
        assert (out_dir / name).read_bytes().startswith(b"\x89PNG")
    assert not list(out_dir.glob("*.part"))
    assert f"## {catalogue().text('charts.section')}" in markdown


def test_the_json_draft_has_no_charts(demo: tuple[Services, int]) -> None:
    services, plan_id = demo
    exported = services.drafts.export(plan_id, "json")
    assert exported.companions == ()
    with services.db.session() as session:
        assert exported.content == render_json(services.drafts.draft(plan_id, session)).encode("utf-8")
    assert "png" not in exported.content.decode("utf-8").lower()
    assert "charts" not in json.loads(exported.content)
