"""The draft as CommonMark with GFM pipe tables, every piece of text escaped so none of it becomes markup."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.export.draft import Draft
from bot.export.layout import Block, Field, Figure, Heading, ItemList, Paragraph, Table, clean, layout
from bot.messages import Catalogue

if TYPE_CHECKING:
    from bot.charts import Chart

# Backslash-escape every ASCII punctuation mark that can open or close an inline or block construct.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#!|<>~&@])")
# These only mean something at the start of a line: a list item, a thematic break, an ordered list.
_BULLET_START = re.compile(r"^([-+=])")
_ORDERED_START = re.compile(r"^(\d+)([.)])")
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|www)([:.])")


def escape_markdown(text: str) -> str:
    """One line of inert text: no emphasis, link, image, HTML, code, heading, list, quote or table cell break.

    Line breaks become spaces (a newline could start a heading, list or setext underline), and GFM's bare
    autolinks (`http://`, `www.`) are broken by escaping their separator.
    """
    line = " ".join(clean(text).split())
    line = _PUNCTUATION.sub(r"\\\1", line)
    line = _AUTOLINK.sub(r"\1\\\2", line)
    line = _BULLET_START.sub(r"\\\1", line)
    return _ORDERED_START.sub(r"\1\\\2", line)


def _cell(text: str) -> str:
    return escape_markdown(text) or " "


def _block(block: Block, files: Mapping[str, str]) -> str:
    if isinstance(block, Figure):
        # the file name is ours (a slug and the chart's name), never stakeholder text; the alt text is escaped
        return f"![{escape_markdown(block.alt)}]({files.get(block.name, block.name + '.png')})"
    if isinstance(block, Heading):
        return f"{'#' * (block.level + 1)} {escape_markdown(block.text)}"
    if isinstance(block, Paragraph):
        return escape_markdown(block.text)
    if isinstance(block, Field):
        value = escape_markdown(block.value)
        return f"**{escape_markdown(block.label)}:** {value}".rstrip()
    if isinstance(block, ItemList):
        return "\n".join(
            f"{n}. {escape_markdown(item)}" if block.ordered else f"- {escape_markdown(item)}"
            for n, item in enumerate(block.items, start=1)
        )
    if isinstance(block, Table):
        lines = ["| " + " | ".join(_cell(h) for h in block.header) + " |"]
        lines.append("|" + "|".join(" --- " for _ in block.header) + "|")
        width = len(block.header)
        for row in block.rows:
            cells = (list(row) + [""] * width)[:width]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines)
    raise TypeError(f"unknown block {type(block).__name__}")


def render_markdown(
    draft: Draft,
    messages: Catalogue | None = None,
    charts: Sequence[Chart] = (),
    files: Mapping[str, str] | None = None,
) -> str:
    """`charts` are linked as images; `files` names each chart's PNG beside the .md (default `<name>.png`)."""
    found = files or {}
    return "\n\n".join(_block(block, found) for block in layout(draft, messages, charts)) + "\n"
