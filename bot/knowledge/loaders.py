"""Document loaders (LangChain `BaseLoader`) that turn .md, .txt, .docx and .pdf into Markdown text.

Everything is normalised to Markdown so one splitter keeps headings, bullets and sentences for every format.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
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


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs (and warns) about every oddity it reads past; planbot reports one line of its own instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


class PdfLoader(_FileLoader):
    def _markdown(self) -> str:
        from pypdf import PdfReader

        with _quiet_pypdf():
            reader = PdfReader(str(self.path))
            pages = [page.extract_text() or "" for page in reader.pages]
        return plain_text_to_markdown("\n\n".join(pages))


_LOADERS: dict[str, type[_FileLoader]] = {
    ".md": MarkdownLoader,
    ".txt": PlainTextLoader,
    ".docx": DocxLoader,
    ".pdf": PdfLoader,
}


_SIGNATURES = (  # what a file's first bytes say it is
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
)


def _contents_kind(head: bytes) -> str | None:
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"%PDF-" in head[:1024]:  # readers accept a PDF header a little way in
        return "pdf"
    return None


def _mismatch(path: Path, suffix: str) -> str | None:
    """Why the file's bytes are not what its extension says, or None when they may be."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        return None  # empty: said so below
    found = _contents_kind(head)
    expected = {".pdf": "pdf", ".docx": "zip"}.get(suffix)
    if expected is not None:
        return None if found == expected else (found or "other")
    # .md, .txt: text holds no NUL byte (every program does); a text may well start with "MZ" or "GIF8"
    if b"\x00" in head or found in ("pdf", "zip", "doc", "png", "jpeg", "elf"):
        return found or "binary"
    return None


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
    actual = _mismatch(path, suffix)
    if actual is not None:  # e.g. a program renamed .pdf: one clear line, before any library reads it
        kind = messages.text(f"errors.file_kinds.{suffix.lstrip('.')}")
        actual_text = messages.text(f"errors.file_contents.{actual}")
        raise PlanbotError(messages.text("errors.file_mismatch", path=path, kind=kind, actual=actual_text))
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
