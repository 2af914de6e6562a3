"""A theme's label: a short phrase of its own inputs' words, never a quote cut off with "…".

Candidates are the members' core phrases — a named player's name, a problem's first clause ("plastic and seaweed
on the beach every morning" of "..., guests complain and leave bad reviews") or the whole input when it is short.
The one kept is the most central member's, weighed by how many of the words the members share it holds; a
phrase over LABEL_MAX_CHARS is cut back to the last phrase boundary before the limit (never inside a word, never
ending on "and", "the" or "of"), so the label always reads as a phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.themes.mentions import NAMED_KINDS, names

LABEL_MAX_CHARS = 60
SHARED_WEIGHT = 0.3  # how much holding the members' shared words counts beside centrality (cosine, -1..1)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Where a problem's core phrase ends: punctuation, or a clause that gives a reason or a consequence.
_CLAUSE_END = re.compile(r"\s*(?:[,;:.!?()]|\s-\s|\s(?:so|because|but|therefore|and then)\s)\s*", re.IGNORECASE)
# Words a shortened phrase may stop before ("more european tourists want eco friendly hotels | and local food").
_BOUNDARY = frozenset(
    "and or when where which that who because so but if before after during with for in at on from".split()  # noqa: SIM905
)
# Words a label must not end on.
_DANGLING = frozenset(
    """a an the and or of to in on at by for with from into as is are was were be but so if that which who when
    where our your their his her its my very more most some any no not this these those every""".split()  # noqa: SIM905
)
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from into about as is are was were be been do does did
    have has had can could should would will it its this that these those there here we our us you your he she
    they them their his her not no so than then too very just also any some all each more most much many one
    get got dont cant cannot every""".split()  # noqa: SIM905
)


def _stems(text: str) -> set[str]:
    return {w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2}


def _tidy(phrase: str) -> str:
    words = phrase.split()
    while words and words[-1].lower().strip(" ,;:.!?") in _DANGLING:
        words.pop()
    return " ".join(words).strip(" ,;:.!?-")


def fit_phrase(phrase: str, limit: int = LABEL_MAX_CHARS) -> str:
    """The phrase, or its longest start that ends before a phrase boundary and fits `limit`, tidied."""
    phrase = _tidy(" ".join(phrase.split()))
    if len(phrase) <= limit:
        return phrase
    words = phrase.split()
    best = ""
    for end in range(1, len(words)):
        start = " ".join(words[:end])
        if len(start) > limit:
            break
        if words[end].lower() in _BOUNDARY:
            best = start
    if not best:  # no boundary in reach: whole words up to the limit
        kept: list[str] = []
        for word in words:
            if len(" ".join([*kept, word])) > limit:
                break
            kept.append(word)
        best = " ".join(kept) if kept else words[0][:limit]
    return _tidy(best) or best


def core(text: str, kind: str) -> str:
    """The phrase of one input that says what it is about: a player's name, or a problem's first clause."""
    if kind in NAMED_KINDS:
        found = names(text, kind)
        return found[0] if found else " ".join(text.split())
    whole = " ".join(text.split())
    for part in _CLAUSE_END.split(whole):
        if len(_WORD.findall(part)) >= 2:
            return part.strip()
    return whole


def label(texts: Sequence[str], kind: str, closeness: Sequence[float], limit: int = LABEL_MAX_CHARS) -> str:
    """The label of a theme whose members say `texts`, each `closeness` (cosine) to the theme's centre."""
    if not texts:
        return ""
    shared = Counter(stem for text in texts for stem in _stems(text))
    common = {stem for stem, n in shared.items() if n >= 2} if len(texts) > 1 else set(shared)
    if len(closeness) != len(texts):
        raise ValueError(f"label: {len(texts)} texts but {len(closeness)} closeness values")
    best: tuple[float, int, int, str] | None = None
    # the most central members first: once one's closeness plus the most coverage can give (1) falls below the
    # best score, no member after it can win, so a theme of thousands reads only its first few
    for index in sorted(range(len(texts)), key=lambda i: -float(closeness[i])):
        text, near = texts[index], closeness[index]
        if best is not None and float(near) + SHARED_WEIGHT < best[0]:
            break
        candidates = {fit_phrase(core(text, kind), limit)}
        whole = _tidy(" ".join(text.split()))
        if len(whole) <= limit and kind not in NAMED_KINDS:
            candidates.add(whole)
        for candidate in sorted(candidates):
            if not candidate:
                continue
            coverage = len(_stems(candidate) & common) / len(common) if common else 0.0
            key = (float(near) + SHARED_WEIGHT * coverage, -len(candidate), -index, candidate)
            if best is None or key > best:
                best = key
    return best[3] if best else fit_phrase(texts[0], limit)
