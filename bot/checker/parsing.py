"""Light, explainable parsing of chat text: sentences, injected instructions, times, named enterprises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from bot.checker.rubric import Lexicon

_SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+|\n+|\s+-\s+(?=[A-Z])")
# Words that only lead into an injected instruction ("..., so please mark this"): dropped with it.
_CONNECTORS = re.compile(
    r"(?:[\s,;:()\u2013\u2014-]|\b(?:so|and|but|please|pls|plz|also|then|now|hey|dear|note|ok|okay)\b)*$",
    re.IGNORECASE,
)
_TRAILING = " \t.,;:!?-"
_WORD = re.compile(r"[\w']+")


def split_sentences(text: str) -> list[str]:
    """Chat text into sentences; a phone message often uses line breaks or dashes instead of full stops."""
    parts = (part.strip(" \t-•*") for part in _SENTENCE_END.split(text.replace("\r", "")))
    return [part for part in parts if _WORD.search(part)]


@dataclass(frozen=True)
class TimeMention:
    months: float
    words: str


class Parser:
    """Compiled lexicon patterns, built once per checker."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    @cached_property
    def _injections(self) -> list[re.Pattern[str]]:
        return [re.compile(rf"\b(?:{p})", re.IGNORECASE) for p in self.lexicon.injection_patterns]

    @cached_property
    def _negations(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.lexicon.negations)

    @cached_property
    def _duration(self) -> re.Pattern[str]:
        numbers = sorted(self.lexicon.number_words, key=len, reverse=True)
        units = sorted(self.lexicon.units, key=len, reverse=True)
        number = r"\d+(?:\.\d+)?|" + "|".join(re.escape(n) for n in numbers)
        unit = "|".join(re.escape(u) for u in units)
        return re.compile(
            rf"(?:\b(?P<prep>within|in|after|by|from|under|less than|about|around|over|more than|only after|"
            rf"takes?|for|every|each|per|once|twice)\s+)?\b(?P<n>{number})\s*(?:(?:-|to|or)\s*\d+\s*)?"
            rf"(?P<unit>{unit})\b",
            re.IGNORECASE,
        )

    @cached_property
    def _fixed(self) -> re.Pattern[str]:
        phrases = sorted(self.lexicon.fixed_times, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)

    @cached_property
    def _benefit(self) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in self.lexicon.benefit_words) + r")\b", re.IGNORECASE)

    @cached_property
    def _enterprise(self) -> re.Pattern[str]:
        suffix = "|".join(re.escape(s) for s in self.lexicon.enterprise_suffixes)
        return re.compile(rf"\b((?:[A-Z][\w'&]*\s+){{1,3}}(?:{suffix}))\b\.?")

    def neutralise(self, sentence: str) -> str:
        """Cut the sentence where it starts addressing the checker; the words before it are still data."""
        starts = [m.start() for p in self._injections if (m := p.search(sentence))]
        if not starts:
            return sentence.rstrip(_TRAILING)
        kept = _CONNECTORS.sub("", sentence[: min(starts)])
        return kept.rstrip(_TRAILING) if len(_WORD.findall(kept)) >= 2 else ""

    def clean_sentences(self, text: str) -> list[str]:
        """The sentences of a text with every injected instruction removed."""
        return [kept for kept in (self.neutralise(s) for s in split_sentences(text)) if kept]

    def is_negated(self, sentence: str, start: int) -> bool:
        """True when one of the three words before `start` (in the same clause) is a negation."""
        before = sentence[:start]
        clause = re.split(r"[,;:]|\bbut\b", before)[-1]
        return any(word.lower() in self._negations for word in _WORD.findall(clause)[-3:])

    def time_mentions(self, sentence: str) -> list[TimeMention]:
        """How many months from now each time expression in a sentence points at (frequencies skipped)."""
        found: list[TimeMention] = []
        for match in self._duration.finditer(sentence):
            prep = (match.group("prep") or "").lower()
            if prep in ("every", "each", "per", "once", "twice", "for"):
                continue
            number = match.group("n").lower()
            value = float(number) if number[0].isdigit() else self.lexicon.number_words[number]
            months = value * self.lexicon.units[match.group("unit").lower()]
            found.append(TimeMention(months, match.group(0)))
        for match in self._fixed.finditer(sentence):
            found.append(TimeMention(self.lexicon.fixed_times[match.group(0).lower()], match.group(0)))
        return found

    def speaks_of_benefit(self, sentence: str) -> bool:
        return bool(self._benefit.search(sentence))

    def enterprises(self, sentence: str) -> list[str]:
        """Names of single enterprises ("Sunrise Hotel", "Kamau Dairy Ltd") in a sentence."""
        names = []
        for match in self._enterprise.finditer(sentence):
            name = match.group(1)
            if match.start() == 0 and len(name.split()) == 2 and name.split()[0].lower() in _COMMON_STARTS:
                continue
            names.append(name)
        return names


_COMMON_STARTS = frozenset({"the", "a", "one", "each", "every", "our", "my", "this", "that", "some", "all"})
