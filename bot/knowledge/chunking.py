"""Splitting Markdown into passages that keep bullets and sentences whole and know their section."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, TextSplitter

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“(A-Z0-9•-])")
_BULLET_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Passage:
    """A chunk before it is stored: its text, section heading and position in the document."""

    text: str
    section: str | None
    position: int

    @property
    def text_hash(self) -> str:
        return content_hash(self.text)


def content_hash(text: str) -> str:
    """SHA-256 of the text with line endings and trailing space normalised (same words, same hash)."""
    normalised = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _blocks(text: str) -> list[str]:
    """Paragraphs and bullets as units: a bullet with its continuation lines is one block."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(" ".join(part.strip() for part in current).strip())
            current.clear()

    for line in text.split("\n"):
        if not line.strip():
            flush()
        elif _BULLET_LINE.match(line):
            flush()
            current.append(line)
        elif current and _BULLET_LINE.match(current[0]) and line[:1] not in (" ", "\t"):
            flush()  # an unindented line after a bullet starts a new paragraph
            current.append(line)
        else:
            current.append(line)
        if line.endswith("  "):  # MarkdownHeaderTextSplitter marks a paragraph end with a hard break
            flush()
    flush()
    return [block for block in blocks if block]


class StructureAwareSplitter(TextSplitter):
    """Each paragraph or bullet is a passage; a long one is cut between sentences, never inside one.

    Very short blocks (a lead-in such as "Designers need to identify:") are joined to the next block, so a
    passage always reads as a statement.
    """

    def __init__(self, max_chars: int = 900, min_chars: int = 60, **kwargs: object) -> None:
        super().__init__(chunk_size=max_chars, chunk_overlap=0, **kwargs)
        self.max_chars = max_chars
        self.min_chars = min_chars

    def split_text(self, text: str) -> list[str]:
        pieces: list[str] = []
        for block in _blocks(text):
            if len(block) <= self.max_chars:
                pieces.append(block)
                continue
            current = ""
            for sentence in _SENTENCE_END.split(block):
                if current and len(current) + 1 + len(sentence) > self.max_chars:
                    pieces.append(current)
                    current = sentence
                else:
                    current = f"{current} {sentence}".strip()
            if current:
                pieces.append(current)
        merged: list[str] = []
        carry = ""
        for piece in pieces:
            if carry:
                piece = f"{carry}\n{piece}"
                carry = ""
            if len(piece) < self.min_chars:
                carry = piece
            else:
                merged.append(piece)
        if carry:
            if merged:
                merged[-1] = f"{merged[-1]}\n{carry}"
            else:
                merged.append(carry)
        return merged


def split_markdown(markdown: str, max_chars: int = 900) -> list[Passage]:
    """Passages of a Markdown document in reading order, each with its nearest section heading."""
    sections = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(markdown)
    splitter = StructureAwareSplitter(max_chars=max_chars)
    passages: list[Passage] = []
    for section in sections:
        heading = None
        for _, key in reversed(_HEADERS):
            if section.metadata.get(key):
                heading = section.metadata[key]
                break
        for piece in splitter.split_text(section.page_content):
            passages.append(Passage(text=piece, section=heading, position=len(passages)))
    return passages
