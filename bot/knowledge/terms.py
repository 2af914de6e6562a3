"""Words of a question as retrieval sees them: stems, content words, typo repair, and the everyday-word
expansions of knowledge/answer-expansions.yaml (everyday phrasings -> the guidance's own terms).

Pure text, no model: cheap, deterministic and testable on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import PlanbotError
from bot.paths import knowledge_path

EXPANSIONS_FILE = knowledge_path("answer-expansions.yaml")

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Words that say nothing about the topic of a question; kept short and generic on purpose.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from into about as is are was were be been being
    do does did doing have has had having can could should would will shall may might must it its this
    that these those there here what which who whom whose when where why how i me my we our us you your
    he she they them their his her not no yes so than then too very just also any some all each more
    most much many such own same other only get got make made give tell say said please thanks thank ok
    okay hi hello like want need know one two""".split()  # noqa: SIM905 - a word list reads best as words
)

# (suffix, replacement): the first that fits is taken off (with a doubled consonant before it), then a final
# "e", then the word is cut to 7 letters, so "trade", "traders", "trading" and "traded" share one stem, as do
# "company" and "companies", "fix" and "fixing", "stop" and "stopped". The
# expansions compare whole stems, uncut ("multiple" is not "multiplier" there).
_SUFFIXES = (
    ("ations", ""),
    ("ation", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ers", ""),
    ("ed", ""),
    ("er", ""),
    ("ly", ""),
    ("s", ""),
)
STEM_CHARS = 7


def stem(word: str, limit: int | None = STEM_CHARS) -> str:
    """A crude but consistent stem of a lower-case word, cut to `limit` letters (None: uncut)."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix in ("ing", "ed") else 4):
            if suffix == "s" and word.endswith("ss"):
                break
            word = word[: -len(suffix)] + replacement
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouylsz":
                word = word[:-1]  # "stopped", "putting" -> "stop", "put"
            break
    if len(word) >= 4 and word.endswith("e"):
        word = word[:-1]
    return word if limit is None else word[:limit]


def words(text: str) -> list[str]:
    """Every word of the text, lower case, in order (no numbers, no punctuation)."""
    return WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Lower-case word stems of the words that carry meaning."""
    return [stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 2]


# --------------------------------------------------------------------------------------------- typo repair


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (a swap of two neighbours is one edit), cut off above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def repair_word(word: str, vocabulary: frozenset[str] | set[str]) -> str:
    """The vocabulary word the word is an obvious typo of ("investmnt" -> "investment"), else the word.

    Only words of five letters or more that the vocabulary does not hold are repaired, only to a word with the
    same first letter, at one edit (two from nine letters on); the nearest wins, ties go to the first in order.
    """
    if len(word) < 5 or word in vocabulary or word in STOPWORDS:
        return word
    limit = 2 if len(word) >= 9 else 1
    best, best_distance = word, limit + 1
    for candidate in sorted(vocabulary):
        if len(candidate) < 4 or candidate[0] != word[0] or abs(len(candidate) - len(word)) > limit:
            continue
        found = _distance(word, candidate, limit)
        if found < best_distance:
            best, best_distance = candidate, found
    return best


def repair(text: str, vocabulary: frozenset[str] | set[str]) -> str:
    """The text with each obvious typo replaced by the vocabulary word it misspells (lower case)."""
    return " ".join(repair_word(word, vocabulary) for word in words(text))


# ---------------------------------------------------------------------------------------------- expansions


@dataclass(frozen=True)
class ExpansionRule:
    """Guidance terms, and the everyday phrasings (each a tuple of slots of alternative stems) that call them.

    A rule that `yields_to` other rules (by id) adds nothing when one of them matches too: "fund one shop" is
    about enterprise-level interventions, not about investment in general.
    """

    terms: str
    phrasings: tuple[tuple[frozenset[str], ...], ...]
    id: str | None = None
    yields_to: tuple[str, ...] = ()

    def matches(self, stems: set[str]) -> bool:
        return any(all(slot & stems for slot in phrasing) for phrasing in self.phrasings)


class Expansions:
    """The everyday-word -> guidance-term rules of knowledge/answer-expansions.yaml."""

    def __init__(self, rules: list[ExpansionRule], vocabulary: frozenset[str]) -> None:
        self.rules = rules
        self.vocabulary = vocabulary  # the words the rules are written in, for typo repair

    @classmethod
    def parse(cls, data: Any, source: str = "expansions") -> Expansions:
        """Rules from the file's data; a malformed rule is a one-line PlanbotError naming it."""
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise PlanbotError(f"{source}: expected a mapping with a list of rules")
        rules: list[ExpansionRule] = []
        ids: set[str] = set()
        vocabulary: set[str] = set()
        for number, raw in enumerate(data["rules"], start=1):
            where = f"{source}: rule {number}"
            if not isinstance(raw, dict) or not {"terms", "when"} <= set(raw) <= {"id", "terms", "when", "yields_to"}:
                raise PlanbotError(f"{where}: expected `terms` and `when` (and optionally `id`, `yields_to`)")
            terms, when = raw["terms"], raw["when"]
            rule_id, yields_to = raw.get("id"), raw.get("yields_to", [])
            if rule_id is not None and (not isinstance(rule_id, str) or rule_id in ids):
                raise PlanbotError(f"{where}: `id` must be a name no other rule has")
            if not isinstance(yields_to, list) or not all(isinstance(name, str) for name in yields_to):
                raise PlanbotError(f"{where}: `yields_to` must be a list of rule ids")
            if not isinstance(terms, str) or not content_words(terms):
                raise PlanbotError(f"{where}: `terms` must be words of the guidance")
            if not isinstance(when, list) or not when or not all(isinstance(p, str) and p.strip() for p in when):
                raise PlanbotError(f"{where}: `when` must be a list of phrasings")
            phrasings = []
            for phrasing in when:
                slots = []
                for slot in phrasing.split():
                    alternatives = [word for part in slot.split("|") for word in words(part)]
                    if not alternatives:
                        raise PlanbotError(f"{where}: {phrasing!r}: an empty slot")
                    vocabulary.update(alternatives)
                    slots.append(frozenset(stem(word, None) for word in alternatives))
                phrasings.append(tuple(slots))
            vocabulary.update(words(terms))
            rules.append(ExpansionRule(terms, tuple(phrasings), rule_id, tuple(yields_to)))
            if rule_id is not None:
                ids.add(rule_id)
        unknown = sorted({name for rule in rules for name in rule.yields_to} - ids)
        if unknown:
            raise PlanbotError(f"{source}: `yields_to` names no rule: {', '.join(unknown)}")
        return cls(rules, frozenset(vocabulary))

    @classmethod
    def load(cls, path: Path = EXPANSIONS_FILE) -> Expansions:
        if not path.is_file():
            raise PlanbotError(f"{path}: no such expansions file")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise PlanbotError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
        return cls.parse(data, str(path))

    def terms_for(self, text: str) -> list[str]:
        """The guidance terms of every rule one of whose phrasings the text matches, in the file's order."""
        stems = {stem(word, None) for word in words(text)}
        matched = [rule for rule in self.rules if rule.matches(stems)]
        fired = {rule.id for rule in matched if rule.id is not None}
        return [rule.terms for rule in matched if not fired.intersection(rule.yields_to)]


@cache
def default_expansions() -> Expansions:
    """The shipped rules, read once per process."""
    return Expansions.load()
