"""The draft upgrading plan and its renderings: DOCX for the editors, Markdown for reading, JSON to round-trip."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.errors import PlanbotError
from bot.export.draft import SCHEMA, Draft
from bot.export.jsonio import load_json, render_json
from bot.export.markdown import escape_markdown, render_markdown
from bot.export.word import render_docx
from bot.messages import catalogue

if TYPE_CHECKING:
    from bot.charts import Chart

FORMATS: dict[str, str] = {"docx": "docx", "md": "md", "markdown": "md", "json": "json"}
MEDIA_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}


def export_format(fmt: str) -> str:
    """The canonical format name (`docx`, `md`, `json`); anything else is a one-line error."""
    found = FORMATS.get(fmt.strip().lower().lstrip("."))
    if found is None:
        raise PlanbotError(
            catalogue().text("export.errors.format", given=fmt, formats=", ".join(sorted(set(FORMATS.values()))))
        )
    return found


def render(draft: Draft, fmt: str, charts: Sequence[Chart] = (), files: Mapping[str, str] | None = None) -> bytes:
    """The draft in one format, as the bytes of the file; DOCX embeds the `charts`, Markdown links them (`files`:
    each chart's PNG name beside the .md), JSON is data only and never has them."""
    kind = export_format(fmt)
    if kind == "docx":
        return render_docx(draft, charts=charts)
    if kind == "md":
        return render_markdown(draft, charts=charts, files=files).encode("utf-8")
    return render_json(draft).encode("utf-8")


def slug(text: str, limit: int = 60) -> str:
    """ASCII, lower case, words joined by hyphens: safe in a file name on every system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or "plan"


def filename(draft: Draft, fmt: str) -> str:
    """`<plan-slug>-draft-<date>.<ext>`."""
    return f"{slug(draft.title.plan)}-draft-{draft.title.date.isoformat()}.{export_format(fmt)}"


def chart_filename(document: str, chart: str) -> str:
    """`<plan-slug>-draft-<date>-<chart>.png`: a chart's PNG written beside the Markdown draft that links it."""
    return f"{document.rsplit('.', 1)[0]}-{chart}.png"


__all__ = [
    "MEDIA_TYPES",
    "SCHEMA",
    "Draft",
    "chart_filename",
    "escape_markdown",
    "export_format",
    "filename",
    "load_json",
    "render",
    "render_docx",
    "render_json",
    "render_markdown",
    "slug",
]
