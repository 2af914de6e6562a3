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
from bot.paths import knowledge_path
from bot.ports import INTERVIEW_TOPICS

TOPICS_FILE = knowledge_path("interview-topics.yaml")
_WORD = re.compile(r"\w+", re.UNICODE)


class Topic(BaseModel):
    key: str
    quote: str
    fallback_kind: InputKind


class TypedAnswers(BaseModel):
    """Words that stand for a button of the consent and profile questions when typed."""

    consent_yes: frozenset[str] = frozenset()
    consent_no: frozenset[str] = frozenset()
    consent_more: frozenset[str] = frozenset()
    alone: frozenset[str] = frozenset()
    self_words: frozenset[str] = frozenset()
    and_words: frozenset[str] = frozenset()
    number_words: dict[str, int] = {}
    size_words: dict[str, frozenset[str]] = {}
    size_min_people: dict[str, int] = {}
    role_words: dict[str, frozenset[str]] = {}


class InterviewData(BaseModel):
    document: str
    section: str
    topics: list[Topic]
    vague_max_words: int
    vague_phrases: frozenset[str]
    controls: dict[str, frozenset[str]]
    actor_types: list[str]
    sizes: list[str]
    dont_know: frozenset[str] = frozenset()
    typed: TypedAnswers = TypedAnswers()

    def control(self, text: str) -> str | None:
        """The interview control ("skip", "back", "why") a typed text stands for, if any."""
        cleaned = normalise(text)
        for action, words in self.controls.items():
            if cleaned in words or text.strip().casefold() in words:
                return action
        return None

    def is_dont_know(self, text: str) -> bool:
        """ "I don't know" in one of its forms, alone or with a word or two more ("sijui kabisa")."""
        cleaned = normalise(text)
        if cleaned in self.dont_know:
            return True
        words = cleaned.split()
        return any(
            cleaned.startswith(phrase + " ") and len(words) <= len(phrase.split()) + DONT_KNOW_EXTRA_WORDS
            for phrase in self.dont_know
        )

    def consent_word(self, text: str) -> str | None:
        """ "yes", "no" or "more" for a typed answer to the consent question, if it is one."""
        cleaned = normalise(text)
        for action, words in (
            ("yes", self.typed.consent_yes),
            ("no", self.typed.consent_no),
            ("more", self.typed.consent_more),
        ):
            if cleaned in words:
                return action
        return None

    def size_for(self, text: str) -> str | None:
        """The size a typed answer describes: "just me", "me and my daughter", "2 workers" -> micro."""
        typed = self.typed
        cleaned = normalise(text)
        words = cleaned.split()
        if not words:
            return None
        numbers = [int(w) for w in words if w.isdigit()] + [
            typed.number_words[w] for w in words if w in typed.number_words
        ]
        selves = any(w in typed.self_words for w in words)
        if numbers:
            people = sum(numbers) + (1 if selves else 0)
        elif any(_has_phrase(cleaned, phrase) for phrase in typed.alone):
            people = 1
        else:
            for size, names in typed.size_words.items():
                if any(_has_phrase(cleaned, name) for name in names):
                    return size
            if not selves:
                return None
            people = 1 + sum(1 for w in words if w in typed.and_words)
        fitting = [size for size in self.sizes if typed.size_min_people.get(size, 0) <= people]
        return fitting[-1] if fitting else None

    def role_for(self, text: str, roles: dict[str, str]) -> str | None:
        """The one role (key -> its label) a typed word names: its key, a word of its label or a known synonym;
        None when no role, or more than one equally, fits."""
        wanted = {_singular(w) for w in normalise(text).split() if w not in _ROLE_STOPWORDS}
        if not wanted:
            return None
        scores: dict[str, int] = {}
        for key, label in roles.items():
            names = set(normalise(key.replace("_", " ")).split()) | set(normalise(label).split())
            names |= {normalise(w) for w in self.typed.role_words.get(key, ())}
            names = {_singular(n) for n in names if n not in _ROLE_STOPWORDS}
            score = len(wanted & names)
            if score:
                scores[key] = score
        if not scores:
            return None
        best = max(scores.values())
        winners = [key for key, score in scores.items() if score == best]
        return winners[0] if len(winners) == 1 else None

    def is_vague(self, text: str) -> bool:
        """Too little to act on: a known vague phrase, or only a word or two."""
        words = _WORD.findall(text.casefold())
        return normalise(text) in self.vague_phrases or len(words) <= self.vague_max_words


DONT_KNOW_EXTRA_WORDS = 2
_ROLE_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "i",
        "am",
        "im",
        "we",
        "are",
        "my",
        "our",
        "or",
        "and",
        "of",
        "in",
        "body",
        "input",
        "mimi",
        "ni",
        "je",
        "suis",
        "un",
        "une",
        "de",
    }
)


def _has_phrase(cleaned: str, phrase: str) -> bool:
    return f" {normalise(phrase)} " in f" {cleaned} "


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


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
        dont_know=frozenset(normalise(p) for p in raw.get("dont_know", [])),
        typed=_typed(raw.get("typed") or {}),
    )


def _typed(raw: dict) -> TypedAnswers:
    def words(key: str) -> frozenset[str]:
        return frozenset(normalise(str(w)) for w in raw.get(key, []))

    return TypedAnswers(
        consent_yes=words("consent_yes"),
        consent_no=words("consent_no"),
        consent_more=words("consent_more"),
        alone=words("alone"),
        self_words=words("self_words"),
        and_words=words("and_words"),
        number_words={normalise(k): int(v) for k, v in (raw.get("number_words") or {}).items()},
        size_words={k: frozenset(normalise(w) for w in v) for k, v in (raw.get("size_words") or {}).items()},
        size_min_people={k: int(v) for k, v in (raw.get("size_min_people") or {}).items()},
        role_words={k: frozenset(normalise(w) for w in v or []) for k, v in (raw.get("role_words") or {}).items()},
    )
