"""Named players in one input: "the village chief and the hotel association chairman" names two actors.

A stakeholder asked whom people listen to (or where many meet) often names several in one answer. Themes count
each of them, so such an input is split into its mentions before grouping; a description that follows a name
("the village chief, people listen to him") stays with it and is not a mention of its own. Only influential actors
and aggregation points are split; capture keeps the input as it was said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.themes.facets import PLACES, ROLES

NAMED_KINDS = frozenset({"influential_actor", "aggregation_point"})
MAX_NAME_WORDS = 8

# Where one mention may end and the next begin: a comma, a semicolon, a slash, "&", "and", "plus".
_SEPARATOR = re.compile(r"(\s*[,;/&]\s*|\s+(?:and|plus)\s+)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Words that make a segment a clause about someone ("people listen to him"), not a name.
_CLAUSE = frozenset(
    """he she him they them we us you i it people everybody everyone all who which whom is are was were can will
    would could does do did listen listens follow follows copy copies trust trusts respect respects obey obeys
    know knows give gives sell sells buy buys meet meets decide decides come comes go goes has have""".split()  # noqa: SIM905
)
_EXTRA_ROLE_WORDS = "head pastor imam priest teacher elders mama mr mrs dr councillor mayor"
_EXTRA_PLACE_WORDS = "site centre center shed point hall yard"


def _prefixes(*tables: dict[str, str], extra: str = "") -> tuple[str, ...]:
    return tuple(sorted({w for table in tables for ws in table.values() for w in ws.split()} | set(extra.split())))


_NAME_WORDS = {
    "influential_actor": _prefixes(ROLES, extra=_EXTRA_ROLE_WORDS),
    "aggregation_point": _prefixes(PLACES, extra=_EXTRA_PLACE_WORDS),
}


@dataclass(frozen=True)
class Mention:
    """One named player: its name (the words before any description) and its text (name and description)."""

    name: str
    text: str


def _is_clause(segment: str) -> bool:
    words = [w.lower() for w in _WORD.findall(segment)]
    return len(words) > MAX_NAME_WORDS or any(w in _CLAUSE for w in words)


def _is_name(segment: str, kind: str) -> bool:
    words = _WORD.findall(segment)
    if not words or _is_clause(segment):
        return False
    if any(w[0].isupper() for w in words[1:]):  # a proper name: "Bakari", "Mr Diallo", "Kariakoo"
        return True
    prefixes = _NAME_WORDS.get(kind, ())
    return any(w.lower().startswith(prefixes) for w in words)


def mentions(text: str, kind: str) -> list[Mention]:
    """The players an input names, in order; one mention (the whole text) unless it names several.

    Names are split only where each side is a name of its own; "the hotel and restaurant association" stays
    whole, and everything after a description ("our branch, we finance the hotels and the cooperative")
    belongs to that description.
    """
    whole = " ".join(text.split())
    if kind not in NAMED_KINDS or not whole or not _SEPARATOR.search(whole):
        return [Mention(name=whole, text=whole)]
    pieces = _SEPARATOR.split(whole)
    found: list[list[str]] = []  # per mention: [name, text]
    described = False
    for index in range(0, len(pieces), 2):
        segment = pieces[index].strip()
        separator = pieces[index - 1] if index else ""
        if not segment:
            continue
        if not found:
            found.append([segment, segment])
            described = _is_clause(segment)
            continue
        if described or _is_clause(segment):
            described = True
            found[-1][1] += separator + segment
        elif _is_name(segment, kind) and _is_name(found[-1][0], kind):
            found.append([segment, segment])
        else:  # "the hotel" + "and restaurant association chairman": one name
            found[-1][0] += separator + segment
            found[-1][1] += separator + segment
    if len(found) < 2:
        return [Mention(name=found[0][0] if found else whole, text=whole)]
    return [Mention(name=name.strip(" ,;"), text=part.strip(" ,;")) for name, part in found]


def names(text: str, kind: str) -> list[str]:
    """Just the names an input gives ("the chairman of the hotel association" for "..., all hotels follow him")."""
    return [mention.name for mention in mentions(text, kind) if mention.name]
