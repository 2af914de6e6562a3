"""Splitting a message into atomic inputs, keeping each piece's words exactly as written."""

from __future__ import annotations

import re

from pydantic import BaseModel

SUMMARY_LIMIT = 80

# A list marker at the start of a line: "-", "*", "•", "1)", "2.", "a)".
_BULLET = re.compile(r"^\s*(?:[-*•·‣◦–—>]+\s*|\(?\d{1,2}[.)]\s+|\(?[a-zA-Z]\)\s+)")
# Inline numbering inside one line: "1) no cold room 2) transport".
_INLINE_NUMBER = re.compile(r"(?:(?<=\s)|(?<=^))\(?\d{1,2}\)\s+")
# Sentence ends; abbreviations such as "Mr." do not end a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?])(?=[A-Z])(?<![A-Z]\.)")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:mr|mrs|ms|dr|st|no|vs|etc|e\.g|i\.e|approx)\.$", re.IGNORECASE)
# Clause joints that start a new input: ";", "and also", ", also", ", but".
_CLAUSE_JOINT = re.compile(r"\s*;\s*|\s*,?\s+and\s+also\s+|\s*,\s*also\s+|\s*,\s*but\s+", re.IGNORECASE)
# "and"/"plus" before a new subject ("... are low and the chemicals are fake"): two clauses, two inputs, when
# each side has at least MIN_CLAUSE_WORDS words ("milk and eggs" stays one).
_AND_CLAUSE = re.compile(
    r",?\s+(?:and|plus|na)\s+(?=(?:the|our|we|they|there|it|its|i|my|their|no|not|many|most|some|every|all|this|"
    r"that|these|those|he|she|you|nobody|none|prices?|buyers?|also)\b)",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 3
_LEADING_JOINER = re.compile(r"^(?:and\s+also|also|and|but|plus|then)\b[\s,]*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class Segment(BaseModel):
    """One atomic piece of a message: `text` is a verbatim slice of the message."""

    text: str
    start: int
    end: int


def _spans(text: str, pattern: re.Pattern[str], start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in pattern.finditer(text, start, end):
        if match.start() > cursor:
            spans.append((cursor, match.start()))
        cursor = max(cursor, match.end())
    if cursor < end:
        spans.append((cursor, end))
    return spans


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for piece_start, piece_end in _spans(text, _SENTENCE_END, start, end):
        if spans and _ABBREVIATION.search(text[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], piece_end)
        else:
            spans.append((piece_start, piece_end))
    return spans


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause joints first; then an "and" before a new subject, where both sides are clauses of their own."""
    out: list[tuple[int, int]] = []
    for clause_start, clause_end in _spans(text, _CLAUSE_JOINT, start, end):
        cursor = clause_start
        for match in _AND_CLAUSE.finditer(text, clause_start, clause_end):
            left, right = text[cursor : match.start()], text[match.end() : clause_end]
            if _words(left) >= MIN_CLAUSE_WORDS and _words(right) >= MIN_CLAUSE_WORDS:
                out.append((cursor, match.start()))
                cursor = match.end()
        out.append((cursor, clause_end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span to its words: no surrounding spaces, list markers or joiners like "and also"."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    for pattern in (_BULLET, _LEADING_JOINER):
        match = pattern.match(text[start:end])
        if match and 0 < match.end() < end - start:
            start += match.end()
    return start, end


def split_message(text: str, continuations: re.Pattern[str] | None = None) -> list[Segment]:
    """Lines, list items, sentences and clause joints, each a segment; an explanation joins the one before."""
    segments: list[Segment] = []
    for line_start, line_end in _spans(text, re.compile(r"[\r\n]+"), 0, len(text)):
        bullet = _BULLET.match(text[line_start:line_end])
        body_start = line_start + bullet.end() if bullet else line_start
        for item_start, item_end in _spans(text, _INLINE_NUMBER, body_start, line_end):
            for sent_start, sent_end in _sentences(text, item_start, item_end):
                for clause_start, clause_end in _clauses(text, sent_start, sent_end):
                    start, end = _trim(text, clause_start, clause_end)
                    if not any(ch.isalnum() for ch in text[start:end]):
                        continue
                    piece = text[start:end]
                    if segments and continuations is not None and continuations.match(piece):
                        previous = segments[-1]
                        segments[-1] = Segment(text=text[previous.start : end], start=previous.start, end=end)
                        continue
                    segments.append(Segment(text=piece, start=start, end=end))
    return segments


def summarise(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """A short clean version of the words: no list marker, no trailing punctuation, at most `limit` chars."""
    cleaned = _SPACE.sub(" ", text).strip()
    cleaned = _BULLET.sub("", cleaned, count=1)
    cleaned = _LEADING_JOINER.sub("", cleaned, count=1).strip() or cleaned
    cleaned = cleaned.rstrip(" .,;:!-–—").strip() or cleaned
    if cleaned and cleaned[0].islower():
        cleaned = cleaned[0].upper() + cleaned[1:]
    if len(cleaned) <= limit:
        return cleaned
    cut = cleaned[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" .,;:!-–—") + "…"
