"""The interview's data: topics with their guidance quotes, vague-answer cues, control words, profile options.

Read from knowledge/interview-topics.yaml (data, not code), once per process.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from bot.domain import InputKind
from bot.ports import INTERVIEW_TOPICS

TOPICS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "interview-topics.yaml"
_WORD = re.compile(r"\w+", re.UNICODE)


class Topic(BaseModel):
    key: str
    quote: str
    fallback_kind: InputKind


class InterviewData(BaseModel):
    document: str
    section: str
    topics: list[Topic]
    vague_max_words: int
    vague_phrases: frozenset[str]
    controls: dict[str, frozenset[str]]
    actor_types: list[str]
    sizes: list[str]

    def control(self, text: str) -> str | None:
        """The interview control ("skip", "back", "why") a typed text stands for, if any."""
        cleaned = normalise(text)
        for action, words in self.controls.items():
            if cleaned in words or text.strip().casefold() in words:
                return action
        return None

    def is_vague(self, text: str) -> bool:
        """Too little to act on: a known vague phrase, or only a word or two."""
        words = _WORD.findall(text.casefold())
        return normalise(text) in self.vague_phrases or len(words) <= self.vague_max_words


def normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold().replace("'", "")))


def has_words(text: str) -> bool:
    """False for emoji-only or punctuation-only messages; letters of any script count."""
    return any(ch.isalnum() for ch in text)


@cache
def interview_data(path: Path = TOPICS_FILE) -> InterviewData:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = [Topic(key=key, **raw["topics"][key]) for key in INTERVIEW_TOPICS]
    return InterviewData(
        document=raw["document"],
        section=raw["section"],
        topics=[Topic(key=t.key, quote=" ".join(t.quote.split()), fallback_kind=t.fallback_kind) for t in topics],
        vague_max_words=int(raw["vague"]["max_words"]),
        vague_phrases=frozenset(normalise(p) for p in raw["vague"]["phrases"]),
        controls={k: frozenset(normalise(w) for w in v) for k, v in raw["controls"].items()},
        actor_types=list(raw["actor_types"]),
        sizes=list(raw["sizes"]),
    )
