"""Document loaders (LangChain `BaseLoader`) that turn .md, .txt, .docx and .pdf into Markdown text.

Everything is normalised to Markdown so one splitter keeps headings, bullets and sentences for every format.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from bot.errors import PlanbotError
from bot.messages import catalogue

SUPPORTED_SUFFIXES = (".md", ".txt", ".docx", ".pdf")

_BULLET = re.compile(r"^\s*(?:[•·▪◦‣●○■□–—*+-]|\d{1,2}[.)])\s+")
_NUMBERED_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+\S.{0,100}$")


def plain_text_to_markdown(text: str) -> str:
    """Mark up the structure plain text shows by convention: numbered headings and bullet characters."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        if not stripped:
            lines.append("")
        elif _NUMBERED_HEADING.match(stripped) and not stripped.endswith((".", ";", ",", ":")):
            lines.append(f"# {stripped}")
        elif bullet := _BULLET.match(raw):
            if re.match(r"\d", stripped):
                lines.append(stripped)  # a numbered list keeps its numbers
            else:
                lines.append(f"- {raw[bullet.end() :].strip()}")
        else:
            lines.append(stripped)
    return "\n".join(lines).strip() + "\n"


class _FileLoader(BaseLoader):
    def __init__(self, path: Path) -> None:
        self.path = path

    def _markdown(self) -> str:
        raise NotImplementedError

    def lazy_load(self) -> Iterator[Document]:
        yield Document(page_content=self._markdown(), metadata={"source": self.path.name, "title": self.path.stem})


class MarkdownLoader(_FileLoader):
    def _markdown(self) -> str:
        return self.path.read_text(encoding="utf-8-sig")


class PlainTextLoader(_FileLoader):
    def _markdown(self) -> str:
        return plain_text_to_markdown(self.path.read_text(encoding="utf-8-sig", errors="replace"))


class DocxLoader(_FileLoader):
    """Word headings become Markdown headings and list paragraphs become bullets; tables become rows."""

    def _markdown(self) -> str:
        import docx

        document = docx.Document(str(self.path))
        lines: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(self._paragraph(docx.text.paragraph.Paragraph(block, document)))
            elif tag == "tbl":
                table = docx.table.Table(block, document)
                for row in table.rows:
                    cells = [cell.text.strip() for cell in row.cells]
                    if any(cells):
                        lines.append("- " + " | ".join(cells))
                lines.append("")
        return "\n".join(lines).strip() + "\n"

    @staticmethod
    def _paragraph(paragraph) -> str:
        text = paragraph.text.strip()
        if not text:
            return ""
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith("Heading") and style[7:].strip().isdigit():
            return "\n" + "#" * min(int(style[7:].strip()), 6) + " " + text + "\n"
        if style == "Title":
            return "\n# " + text + "\n"
        is_list = "List" in style or (paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None)
        if is_list or _BULLET.match(text):
            return "- " + _BULLET.sub("", text)
        return text + "\n"


class PdfLoader(_FileLoader):
    def _markdown(self) -> str:
        from pypdf import PdfReader

        reader = PdfReader(str(self.path))
        pages = [page.extract_text() or "" for page in reader.pages]
        return plain_text_to_markdown("\n\n".join(pages))


_LOADERS: dict[str, type[_FileLoader]] = {
    ".md": MarkdownLoader,
    ".txt": PlainTextLoader,
    ".docx": DocxLoader,
    ".pdf": PdfLoader,
}


def load_document(path: Path, max_bytes: int) -> Document:
    """Read one file as a Markdown `Document`, or raise a PlanbotError naming the file and the reason."""
    messages = catalogue()
    suffix = path.suffix.lower()
    if not path.is_file():
        raise PlanbotError(messages.text("errors.file_missing", path=path))
    if suffix not in _LOADERS:
        raise PlanbotError(messages.text("errors.file_type", path=path, suffix=suffix or "extension-less"))
    size = path.stat().st_size
    if size > max_bytes:
        raise PlanbotError(messages.text("errors.file_too_large", path=path, size=size, limit=max_bytes))
    try:
        document = _LOADERS[suffix](path).load()[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, UnicodeError) as exc:
        raise PlanbotError(
            messages.text("errors.file_corrupt", path=path, suffix=suffix, reason=_reason(exc))
        ) from None
    except Exception as exc:
        raise PlanbotError(
            messages.text("errors.file_corrupt", path=path, suffix=suffix, reason=_reason(exc))
        ) from None
    if not document.page_content.strip():
        raise PlanbotError(messages.text("errors.file_empty", path=path))
    return document


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
