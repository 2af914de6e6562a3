"""A small offline phrase extractor: noun phrases, names, places, actions, times, numbers and pledges.

Stakeholders type short, lower-case, loosely punctuated answers on a phone ("the fish landing site, all 200
fishers sell there"). The proposer needs the *entities and facts* in them, never the whole sentence: the
place ("the fish landing site"), the reach ("all 200 fishers"), the action ("clean the beach together"), the
time ("before the high season in July"), who pledges what ("the cooperative: some savings"). Everything here is
word lists and regular rules on the words: deterministic, explainable, no model and no download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def word_set(text: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(text.split())


_TOKEN = re.compile(r"[A-Za-z0-9\u00c0-\u024f][\w'\u2019&\-]*(?:\.\d+)?|[,;:.!?()\"]")
PUNCT = frozenset(',;:.!?()"')

DETERMINERS = word_set(
    """
    the a an our my their his her its this that these those every each all some any most many few
    several more other another both no
    """
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "thousand": 1000, "few": 3, "couple": 2, "half": 0.5,
}  # fmt: skip
PREPOSITIONS = word_set(
    """
    of in at on for from to with by near around along about into through between across under over
    before after during within per as without than
    """
)
PRONOUNS = word_set(
    """
    we i you he she they it us me him them everybody everyone nobody somebody someone others people
    one's there here
    """
)
FIRST_PERSON = word_set("we i us me our my ours mine ourselves myself")
CLAUSE_STARTERS = word_set(
    """
    where who whom which whose when because so but if since while though although unless until whereas
    then
    """
)
MODALS = word_set(
    """
    can could should would will must may might shall cannot can't cant wont won't lets let's need needs
    want wants
    """
)
COPULAS = word_set("is are was were be been am isn't aren't")
AUXILIARIES = COPULAS | word_set("has have had do does did don't doesn't didnt dont")
FILLERS = word_set("yes yeah ok okay maybe well so and also just please i think")
ADVERBS = word_set("together jointly also only first then really very too still always often again")

# Verbs that are (almost) never nouns in these answers: a verb wherever they stand.
VERBS = word_set(
    """
    add agree arrive ask bring build bulk buy certify clean clear collect come complain contribute copy
    crack create cut deliver demonstrate earn export finance fix follow form give go grade grow help
    hire hold improve install invest join keep lend listen live look make meet move offer open organise
    organize pay post pre-finance prefinance produce promote provide put raise reach register rent
    repair replant run save see sell send set show sign spoil spray start supply take teach try use win
    rot drop cancel harass find lack lose pass visit repay serve support expand reject charge buys sells
    gives takes makes lends pays puts brings gets get got went said told know choose bought sold gave
    paid lent put built took made kept saves invests finances follows listens copies trusts meets
    arrives complains spoils rots drops leaves cancels wants needs asks comes goes helps holds teaches
    trains cleans grades contributes provides offers supplies collects delivers joins runs shows starts
    tries uses works keeps sends
    """
)
# Words that are verbs or nouns: a verb only first in an answer, after a modal or "to", or after a plural subject.
AMBIGUOUS_VERBS = word_set(
    """
    market store process list test train sort share cook trust work fear walk trip visit record dry land
    pack fish farm bank cost price plan check tour guide book head group stock order plant
    """
)
PLURAL_SUBJECTS = word_set(
    """
    farmers traders guides hotels women people fishers fishermen group groups members growers
    guesthouses buyers cooperatives we they everyone everybody all youth operators processors producers
    suppliers owners firms businesses families households villagers boats exporters
    """
)
# Words that tell an "idea" stated as a thing (a committee, a website) which verb a facilitator would put first.
SETUP_VERBS = {
    "offer": word_set("loan loans credit product products scheme insurance"),
    "form": word_set("committee committees group groups association associations union cooperative team"),
    "run": word_set("training trainings course courses competition competitions day days campaign tour tours"),
}
DEFAULT_SETUP_VERB = "set up"

TIME_NOUNS = word_set(
    """
    day days week weeks weekend weekends month months season seasons year years harvest harvests morning
    mornings evening evenings night nights easter christmas ramadan eid holiday holidays holidays rains
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday
    """
)
TIME_LEADS = word_set(
    """
    before by in within during for from after until till at on this next every each once twice per the a
    an first coming high low rainy dry tourist main same last few couple of
    """
)
CALENDAR = word_set(
    """
    easter christmas ramadan eid january february march april june july august september october
    november december monday tuesday wednesday thursday friday saturday sunday
    """
)
PROPER_WORDS = CALENDAR | word_set(
    "european europe india indian vietnam dar nairobi mombasa kampala kisumu moshi arusha"
)
MONTHS_PER_UNIT = {
    "day": 1 / 30, "days": 1 / 30, "week": 0.25, "weeks": 0.25, "weekend": 0.25, "weekends": 0.25,
    "month": 1.0, "months": 1.0, "season": 6.0, "seasons": 6.0, "harvest": 6.0, "year": 12.0, "years": 12.0,
}  # fmt: skip
FREQUENCY_LEADS = word_set("every each once twice per")

GROUP_NOUNS = word_set(
    """
    fishers fishermen fisherwomen farmers growers guesthouses hotels guides traders women youth people
    firms businesses boats members producers smallholders families households villages suppliers vendors
    operators cooperatives groups beekeepers processors owners shops kiosks lodges
    """
)
SMALL_WORDS = word_set("small micro smallholder petty young women youth local village family poor")
PLEDGE_VERBS = [
    "pre-finance",
    "prefinance",
    "invest",
    "contribute",
    "lend",
    "give",
    "put",
    "pay",
    "save",
    "share",
    "buy",
    "build",
    "provide",
    "finance",
    "offer",
    "donate",
    "rent",
]
NEGATIONS = word_set("not no never cannot can't cant don't dont won't wont")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(" ".join(text.replace("\u2019", "'").split()))


def join(words: list[str]) -> str:
    out = ""
    for word in words:
        if word in PUNCT and word not in '("':
            out += word
        else:
            out += (" " if out and not out.endswith(("(", '"')) else "") + word
    return out.strip()


def _low(word: str) -> str:
    return word.lower()


def is_verb(words: list[str], at: int) -> bool:
    """Whether the word at `at` is the clause's verb (a small lexicon, and where an ambiguous word stands)."""
    word = _low(words[at])
    previous = _low(words[at - 1]) if at > 0 else ""
    following = _low(words[at + 1]) if at + 1 < len(words) else ""
    if (following == "by" and word.endswith(("ed", "en"))) or (following == "by" and word == "run"):
        return False  # "the landing site run by the cooperative": a participle
    if previous in DETERMINERS or previous in ("with", "of"):
        return False  # "a shared cold room", "with shared risk"
    if at > 0 and word in _PARTICIPLES - {"run"} and previous.isalpha() and previous not in _SUBJECT_OR_AUX:
        return False  # "a label made in Huye", "loans paid back after harvest": a participle after a noun
    if word in VERBS or (word in MODALS and at > 0):
        return True
    base = word[:-1] if word.endswith("s") and word[:-1] in AMBIGUOUS_VERBS else word
    if base in AMBIGUOUS_VERBS and following == "to":
        return False  # "farmers group to spray together": the noun, before what it is for
    if at == 0 and base in _NOUN_MODIFIERS and _plural(following):
        return False  # "group loans for racks", "bank loans": a noun before a noun
    if base in AMBIGUOUS_VERBS:
        # "women group process together": a verb; "the women group leader": a noun before a noun
        before_noun = (
            following.isalpha()
            and following
            not in (DETERMINERS | PREPOSITIONS | PRONOUNS | ADVERBS | CLAUSE_STARTERS | {"and", "or", "not"})
            and number_of(following) is None
        )
        after_subject = (
            (previous in PLURAL_SUBJECTS or (at > 1 and _plural(previous)))  # "small mills share one filter"
            and not {_low(w) for w in words[:at]} & PREPOSITIONS
            and not before_noun
        )
        return at == 0 or previous in MODALS or previous == "to" or after_subject
    return False


_NOUN_MODIFIERS = word_set("group bank farm price cost stock head")
_SUBJECT_OR_AUX = PRONOUNS | MODALS | AUXILIARIES | word_set("to and not never")


def _plural(word: str) -> bool:
    """A plural noun as typed ("loans", "mills"): ends in s, not in ss, not a small function word."""
    low = _low(word)
    return (
        len(low) > 3
        and low.isalpha()
        and low.endswith("s")
        and not low.endswith(("ss", "us", "is"))
        and low not in DETERMINERS | PREPOSITIONS | PRONOUNS | AUXILIARIES | MODALS | CLAUSE_STARTERS
    )


def is_clause_start(words: list[str], at: int) -> bool:
    word = _low(words[at])
    return word in CLAUSE_STARTERS or word in PRONOUNS - {"one's"} or word in AUXILIARIES


def _has_verb(words: list[str]) -> bool:
    return any(
        is_verb(words, n) or _low(w) in AUXILIARIES or _low(w) in MODALS for n, w in enumerate(words) if w not in PUNCT
    )


def clauses(text: str) -> list[list[str]]:
    """The text's clauses: split at full stops and semicolons, and at a comma (or "so", "but", "because") that
    starts a new clause; a comma inside a list ("boats, cold rooms and guesthouse rooms") does not split."""
    words = tokens(text)
    out: list[list[str]] = []
    current: list[str] = []
    for n, word in enumerate(words):
        low = _low(word)
        if word in ".;!?:":
            if current:
                out.append(current)
            current = []
            continue
        if word == ",":
            rest = _until_comma(words, n + 1)
            tail = n + 1 + len(rest) >= len(words) and len(rest) <= 3 and not {"and", "or"} & set(map(_low, rest))
            if rest and (_has_verb(rest) or is_clause_start(rest, 0) or tail):
                if current:
                    out.append(current)
                current = []
            else:
                current.append(word)
            continue
        if low in ("so", "but", "because", "whereas") and current:
            out.append(current)
            current = []
            continue
        current.append(word)
    if current:
        out.append(current)
    return [c for c in (_strip_punct(c) for c in out) if c]


def _until_comma(words: list[str], start: int) -> list[str]:
    out = []
    for word in words[start:]:
        if word in ",.;!?:":
            break
        out.append(word)
    return out


def _strip_punct(words: list[str]) -> list[str]:
    while words and (words[0] in PUNCT or _low(words[0]) in ("and", "or")):
        words = words[1:]
    while words and (words[-1] in PUNCT or _low(words[-1]) in ("and", "or")):
        words = words[:-1]
    return words


def _drop_fillers(words: list[str]) -> list[str]:
    while words and _low(words[0]) in FILLERS and not (len(words) > 1 and _low(words[1]) in MODALS):
        words = words[1:]
    return words


# The commonest French and Swahili function words of mixed-language answers ("acheter le manioc ensemble au moment
# de la récolte", "mafuta ya boat"): a phrase never stops on one, and none takes an English article.
FOREIGN_FUNCTION_WORDS = word_set("le la les un une des du de au aux et pour avec sur dans en l' d' ya wa za kwa na")


def tidy(words: list[str]) -> list[str]:
    """No dangling words at the ends: a phrase never stops on "the", "of", "and" or a comma."""
    words = _strip_punct(list(words))
    dangling = DETERMINERS | PREPOSITIONS | CLAUSE_STARTERS | FOREIGN_FUNCTION_WORDS
    dangling |= {"and", "or", "not", "to", "very", "too"}
    while words and (_low(words[-1]) in dangling or words[-1] in PUNCT):
        words = words[:-1]
    while words and (words[0] in PUNCT or _low(words[0]) in {"and", "or", "to"}):
        words = words[1:]
    return words


def proper(words: list[str]) -> list[str]:
    """Calendar words and a few place adjectives capitalised, as a facilitator would write them."""
    return [w.capitalize() if _low(w) in PROPER_WORDS and w.islower() else w for w in words]


def text_of(words: list[str]) -> str:
    return join(proper(tidy(words)))


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# ---- times and numbers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimePhrase:
    text: str
    start: int
    end: int
    months: float | None  # months from now when the words say it ("in the next three months"); None otherwise
    frequency: bool = False  # "once a week", "every two weeks"


def number_of(word: str) -> float | None:
    low = _low(word).replace(",", "")
    if re.fullmatch(r"\d+(\.\d+)?", low):
        return float(low)
    return NUMBER_WORDS.get(low)


def times(words: list[str]) -> list[TimePhrase]:
    """Time expressions: a time noun ("season", "July", "weeks") with the words that lead to it ("for the high
    season in July", "in the next three months", "once a week", "before easter")."""
    found: list[TimePhrase] = []
    n = 0
    while n < len(words):
        if _low(words[n]) not in TIME_NOUNS or (_low(words[n]) == "may" and n > 0 and _low(words[n - 1]) != "in"):
            n += 1
            continue
        start = n
        while start > 0 and (_low(words[start - 1]) in TIME_LEADS or number_of(words[start - 1]) is not None):
            start -= 1
        while start < n and _low(words[start]) in ("the", "a", "an", "of"):
            start += 1
        following = _low(words[n + 1]) if n + 1 < len(words) else ""
        compound = following.isalpha() and following not in TIME_NOUNS | PREPOSITIONS | CLAUSE_STARTERS | {
            "and",
            "or",
            "now",
            "not",
            "a",
            "first",
            "only",
        }
        if start == n or compound:  # "Saturday market", "clean up day", "day trips": not a time
            n += 1
            continue
        end = n + 1
        # "one day a week", "for the high season in july": the frequency or the month that follows
        while end + 1 < len(words) + 1 and end < len(words):
            nxt = _low(words[end])
            if nxt in ("a", "per", "in", "of", "every") and end + 1 < len(words) and _low(words[end + 1]) in TIME_NOUNS:
                end += 2
                continue
            if nxt in TIME_NOUNS:
                end += 1
                continue
            break
        span = words[start:end]
        lows = [_low(w) for w in span]
        frequency = bool(set(lows) & FREQUENCY_LEADS) or (len(lows) > 2 and lows[-2] in ("a", "per"))
        found.append(TimePhrase(join(proper(span)), start, end, None if frequency else _months(lows), frequency))
        n = end
    return found


def _months(lows: list[str]) -> float | None:
    if lows and lows[0] in ("for", "every", "each", "since"):
        return None
    unit = next((w for w in reversed(lows) if w in MONTHS_PER_UNIT), None)
    if unit is None:
        return None
    numbers = [number_of(w) for w in lows if number_of(w) is not None]
    if numbers:
        return numbers[0] * MONTHS_PER_UNIT[unit]
    if set(lows) & {"next", "this", "first", "coming", "same"}:
        return MONTHS_PER_UNIT[unit] if unit not in ("season", "seasons", "harvest") else 6.0
    return None


def without_times(words: list[str]) -> list[str]:
    """The words with their time expressions taken out (and what dangles after that)."""
    spans = times(words)
    keep = [w for n, w in enumerate(words) if not any(t.start <= n < t.end for t in spans)]
    return tidy(keep)


def first_time(text: str, *, frequency: bool = False) -> TimePhrase | None:
    for phrase in times(tokens(text)):
        if phrase.frequency == frequency or frequency:
            return phrase
    return None


# ---- noun phrases, names, places ---------------------------------------------------------------------------


def noun_phrase(words: list[str], limit: int = 7) -> list[str]:
    """The noun phrase the words start with: it ends where a clause, a verb, a pronoun or a comma begins."""
    words = _drop_fillers(list(words))
    out: list[str] = []
    for n, word in enumerate(words):
        low = _low(word)
        if word in PUNCT:
            break
        if n > 0 and (low in CLAUSE_STARTERS or low in PRONOUNS or low in AUXILIARIES or low in MODALS):
            break
        if n > 0 and is_verb(words, n) and low not in ("run",):
            break
        if low == "that" and n > 0:
            break
        out.append(word)
    out = tidy(out)
    if len(out) > limit:
        cut = max((n for n in range(1, limit + 1) if _low(out[n - 1]) not in PREPOSITIONS | DETERMINERS), default=limit)
        prepositions = [n for n in range(1, cut) if _low(out[n]) in PREPOSITIONS]
        out = tidy(out[: prepositions[-1]] if prepositions else out[:cut])
    return out


def _without_pronoun_phrases(words: list[str]) -> list[str]:
    """Drop a trailing prepositional phrase about the speaker ("near us", "for me")."""
    out = list(words)
    for n in range(len(out) - 1, 0, -1):
        if _low(out[n]) in FIRST_PERSON and _low(out[n - 1]) in PREPOSITIONS:
            out = out[: n - 1] + out[n + 1 :]
    return tidy(out)


def _speaker_possessive(words: list[str], speaker: str | None) -> list[str]:
    """ "our branch" -> "the bank branch" (the speaker's kind), "our dairy plant" -> "the dairy plant"."""
    if not words or _low(words[0]) not in ("our", "my"):
        return words
    rest = words[1:]
    if speaker and len(rest) == 1 and _low(speaker) not in _low(rest[0]):
        return ["the", speaker, *rest]
    return ["the", *rest]


_TITLE_WORDS = word_set("mr mrs ms dr mzee mama baba bwana chief sheikh pastor father sister madam")


def _name_first(words: list[str]) -> list[str]:
    """ "the lead fisherman Bakari" -> "Bakari, the lead fisherman"; a person's name first, then their role."""
    if len(words) < 3:
        return words
    for n in range(1, len(words)):
        name = words[n:]
        head = words[:n]
        proper_name = all(w[:1].isupper() or _low(w) in _TITLE_WORDS for w in name) and any(
            w[:1].isupper() for w in name
        )
        if (
            proper_name
            and _low(head[0]) in ("the", "a", "lead", "big")
            and all(not w[:1].isupper() for w in head)
            and _low(head[-1]) not in PREPOSITIONS  # "the big buyers agents from Dar": a place, not a name
        ):
            role = head if _low(head[0]) == "the" else ["the", *head]
            return [*[w.capitalize() if _low(w) in _TITLE_WORDS else w for w in name], ",", *role]
    # "mzee Omari the beach management chairman"
    if _low(words[0]) in _TITLE_WORDS and len(words) > 2 and words[1][:1].isupper():
        at = next((n for n, w in enumerate(words) if _low(w) == "the"), None)
        if at is not None and at > 1:
            return [words[0].capitalize(), *words[1:at], ",", *words[at:]]
    return words


def names(text: str, speaker: str | None = None) -> list[str]:
    """Clean names of the influential actors an answer names: "the village chief and the hotel association
    chairman" is two; "the lead fisherman Bakari, the young fishers copy what he does" is "Bakari, the lead
    fisherman"."""
    first = clauses(text)
    if not first:
        return []
    words = _drop_fillers(first[0])
    parts: list[list[str]] = [[]]
    for n, word in enumerate(words):
        nxt = _low(words[n + 1]) if n + 1 < len(words) else ""
        if _low(word) == "and" and (nxt in DETERMINERS or nxt in _TITLE_WORDS or nxt == "lead"):
            parts.append([])
            continue
        parts[-1].append(word)
    found = []
    for part in parts:
        phrase = _without_pronoun_phrases(_speaker_possessive(noun_phrase(part), speaker))
        if phrase and any(_low(w) not in DETERMINERS for w in phrase):
            found.append(join(_name_first(phrase)))
    return found


def place(text: str, speaker: str | None = None) -> str | None:
    """The aggregation point an answer names, as a clean noun phrase ("the fish landing site")."""
    for clause in clauses(text)[:1]:
        words = [w for n, w in enumerate(clause) if not any(t.start <= n < t.end for t in times(clause))]
        phrase = _without_pronoun_phrases(_speaker_possessive(noun_phrase(words), speaker))
        if phrase and any(_low(w) not in DETERMINERS for w in phrase):
            return join(proper(phrase))
    return None


def key_of(phrase: str) -> frozenset[str]:
    """Words that identify an entity whatever the order: "the chairman of the hotel association" and "the hotel
    association chairman" are one."""
    return frozenset(
        w for w in (_low(t) for t in tokens(phrase)) if w not in DETERMINERS | PREPOSITIONS | PUNCT and w != ","
    )


# ---- actions, topics, groups, pledges -----------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """An idea as a verb phrase: who (when said) and what they do ("clean the beach together once a week")."""

    subject: str | None
    verb_phrase: str
    stated_as_thing: bool = False  # the idea was a noun phrase ("a beach management committee")
    thing: str | None = None  # that noun phrase, without the verb put before it


def _verb_index(words: list[str]) -> int | None:
    """Where the clause's verb is; in a run of candidates ("women group process") the last one wins."""
    for n in range(len(words)):
        if is_verb(words, n) and _low(words[n]) not in MODALS:
            if n + 1 < len(words) and _low(words[n]) in AMBIGUOUS_VERBS and is_verb(words, n + 1):
                continue
            return n
    return None


_COMPARATIVES = word_set("better more less quick quicker higher lower cheaper faster")


def _head_noun(words: list[str]) -> str:
    """The head noun of a noun phrase: its last word before the first preposition (adverbs and times aside)."""
    head = ""
    for word in without_times(words):
        low = _low(word)
        if low in PREPOSITIONS:
            break
        if low not in ADVERBS and low not in DETERMINERS:
            head = low
    return head


def compress(words: list[str], limit: int) -> list[str]:
    """At most `limit` words: a prepositional phrase in the middle goes first ("grade coffee at the station and
    sell to different buyers" -> "grade coffee and sell to different buyers"), then the end is cut before a
    preposition, so the phrase still reads as a whole."""
    words = list(words)
    while len(words) > limit:
        spans = []
        for n in range(1, len(words)):
            if _low(words[n]) in PREPOSITIONS - {"of"}:
                end = n + 1
                while end < len(words) and _low(words[end]) not in PREPOSITIONS | {"and", "or", ","}:
                    end += 1
                if end < len(words) and end - n <= 5:
                    spans.append((n, end))
        if not spans:
            break
        start, end = spans[0]
        words = words[:start] + words[end:]
    return _shorten(tidy(words), limit)


def action(text: str, limit: int = 9) -> Action | None:
    """The idea of an answer as a verb phrase in the facilitator's voice."""
    for clause in clauses(text)[:1]:
        words = _drop_fillers(clause)
        # "start with X" / "try X" keep their verb; modals and "to" lead into the verb
        verb_at = _verb_index(words)
        if verb_at is None:
            thing = _first_person_out(_head_phrase(noun_phrase(words, limit=limit)))
            if not thing:
                return None
            head = _head_noun(thing)
            verb = next((v for v, nouns in SETUP_VERBS.items() if head in nouns), None)
            if verb is None and head in GROUP_NOUNS | PLURAL_SUBJECTS | _PERSON_NOUNS:
                return None  # "the boat owners", "the lead fisherman": people, not something to set up
            verb = verb or DEFAULT_SETUP_VERB
            if _foreign_phrase(thing):  # "une coopérative pour vendre ensemble": said in French, kept as said
                return Action(None, join(proper(thing)), stated_as_thing=True, thing=join(proper(thing)))
            if _low(thing[0]) == "a" and len(thing) > 1 and (head.endswith("ing") or head.endswith("s")):
                thing = thing[1:]  # "contract farming", "demonstration plots": no article
            elif (
                _low(thing[0]) not in DETERMINERS | _COMPARATIVES
                and number_of(thing[0]) is None
                and not head.endswith("s")
                and not head.endswith("ing")  # "set up contract farming", not "a contract farming"
            ):
                thing = ["an" if _low(thing[0])[:1] in "aeiou" else "a", *thing]
            return Action(None, join([verb, *proper(thing)]), stated_as_thing=True, thing=join(proper(thing)))
        subject = tidy([w for w in words[:verb_at] if _low(w) not in MODALS and _low(w) not in ("to",)])
        rest = words[verb_at:]
        cut = len(rest)
        for n, word in enumerate(rest):
            low = _low(word)
            if n > 0 and (low in CLAUSE_STARTERS or low == "not" or (word in PUNCT and word != ",")):
                cut = n
                break
            if low == "and" and n + 1 < len(rest) and _low(rest[n + 1]) in PRONOUNS:
                cut = n
                break
        verb_phrase = _first_person_out(tidy(rest[:cut]))
        verb_phrase = compress(verb_phrase, limit)
        if not verb_phrase or not content_words(join(without_times(verb_phrase[1:]))) - ADVERBS:
            return None  # "meet every friday", "work together": a verb with no object says no idea
        subject_text = join(subject) if subject and not set(map(_low, subject)) & FIRST_PERSON else None
        return Action(subject_text, join(proper(verb_phrase)))
    return None


_PERSON_NOUNS = word_set(
    """
    chief chairman chairwoman chairperson fisherman farmer officer leader leaders owner owners president mayor
    manager agent agents broker brokers trader buyer chair secretary elder elders pastor imam teacher
    """
)


def _foreign_phrase(words: list[str]) -> bool:
    """Whether a phrase is in French or Swahili: it starts with, or mostly holds, their function words."""
    lows = [_low(w) for w in words if w not in PUNCT]
    if not lows:
        return False
    if lows[0] in FOREIGN_FUNCTION_WORDS or (len(lows) > 1 and lows[1] in FOREIGN_FUNCTION_WORDS - {"na"}):
        return True
    return sum(w in FOREIGN_FUNCTION_WORDS for w in lows) * 3 >= len(lows)


def _head_phrase(words: list[str]) -> list[str]:
    """A thing without its trailing "with ..." / "run by ..." tail: "a beach management committee"."""
    for n, word in enumerate(words):
        if (n > 1 or (n == 1 and _low(word) in _PARTICIPLES)) and (
            _low(word) in _PARTICIPLES or _low(word) == "with" or (word.endswith("ed") and n > 2)
        ):
            return tidy(words[:n])
    return words


_PARTICIPLES = word_set("run managed owned repaid paid made sold bought caught thrown built given kept led")


def _first_person_out(words: list[str]) -> list[str]:
    """ "sell our rooms" -> "sell their rooms"; "send us guests" -> "send guests"."""
    out = []
    for word in words:
        low = _low(word)
        if low in ("our", "my"):
            out.append("their")
        elif low in ("us", "me"):
            continue
        else:
            out.append(word)
    return out


def _shorten(words: list[str], limit: int) -> list[str]:
    """At most `limit` words, cut before a preposition so the phrase still reads as a whole."""
    if len(words) <= limit:
        return words
    breaks = PREPOSITIONS | FOREIGN_FUNCTION_WORDS | {"and"}
    cuts = [n for n in range(2, limit + 1) if n < len(words) and _low(words[n]) in breaks]
    return tidy(words[: cuts[-1]] if cuts else words[:limit])


_ADJECTIVES = word_set(
    """
    bad dirty low poor high expensive mixed late slow weak broken old muddy unsafe dangerous unreliable
    cheap scarce rising growing
    """
)


_STATES = word_set("sour rotten bad spoiled spoilt dry wet cold warm stale mouldy moldy dirty worse lost")


def topic(text: str, limit: int = 8) -> str | None:
    """What a problem or chance is about, as a noun phrase: "plastic and seaweed on the beach", "the bad road to
    the reef beach", "the lack of ice at the landing site", "demand for fresh fish"; None when the words do not
    make one (the proposer then names the problem by a short clause of its own)."""
    for clause in clauses(text)[:1]:
        words = without_times(_drop_fillers(clause))
        words = tidy([w for w in words if _low(w) not in ("now", "here", "today")])
        lows = [_low(w) for w in words]
        if not words:
            return None
        if lows[:2] in (["there", "is"], ["there", "are"]):
            words, lows = words[2:], lows[2:]
        if lows and lows[0] == "no" and len(words) > 1:
            return _lack(words[1:], limit)
        for n, low in enumerate(lows):
            if n == 0:
                continue
            if low in ("lack", "lacks") or (low == "no" and lows[n - 1] not in PREPOSITIONS):
                return _lack(words[n + 1 :], limit)
            if low in ("have", "has") and n + 1 < len(lows) and lows[n + 1] == "no":
                return _lack(words[n + 2 :], limit)
            if low in ("want", "wants", "need", "needs") or (low in ("ask", "asks") and lows[n + 1 : n + 2] == ["for"]):
                wanted = noun_phrase(words[n + (2 if low.startswith("ask") else 1) :], limit - 2)
                return join(proper(["demand", "for", *_first_person_out(wanted)])) if wanted else None
            if low in ("go", "goes", "get", "gets", "turn", "turns", "become", "becomes") and n + 1 < len(lows):
                if lows[n + 1] not in _ADJECTIVES | _STATES:
                    return None  # "dagaa get sand and rain": no noun phrase says it (not "sand dagaa")
                subject = noun_phrase(words[:n], limit)
                return join(proper([lows[n + 1], *subject])) if subject else None
            if low in COPULAS:
                subject = _without_pronoun_phrases(noun_phrase(words[:n], limit))
                predicate = [w for w in lows[n + 1 :] if w not in ("very", "too", "so", "really", "not")]
                if subject and predicate and predicate[0] in _ADJECTIVES:
                    bare = subject[1:] if _low(subject[0]) in ("the", "a", "an") else subject
                    lead = [] if predicate[0] in ("rising", "growing") else ["the"]
                    return join(proper([*lead, predicate[0], *bare]))
                return join(proper(subject)) if subject else None
            if is_verb(words, n) or low in MODALS or low in AUXILIARIES:
                return None  # "beach boys harass tourists": no noun phrase says it
        phrase = _without_pronoun_phrases(noun_phrase(words, limit))
        if phrase and _low(phrase[-1]) in _ADJECTIVES and len(phrase) > 1:
            phrase = ["the", phrase[-1], *phrase[:-1]]
        return join(proper(phrase)) if phrase else None
    return None


def _lack(words: list[str], limit: int) -> str | None:
    phrase = _without_pronoun_phrases(noun_phrase(words, limit - 2))
    return join(proper(["the", "lack", "of", *phrase])) if phrase else None


def short_clause(text: str, limit: int = 8) -> str | None:
    """The first clause of an answer in at most `limit` words, times and fillers out ("beach boys harass
    tourists"): how a problem is named when no noun phrase says it."""
    for clause in clauses(text)[:1]:
        words = compress(_first_person_out(without_times(_drop_fillers(clause))), limit)
        return join(proper(words)) or None
    return None


def benefit(text: str, limit: int = 8) -> str | None:
    """The benefit an answer to the quick-win question names, its time taken out: "a clean beach" (from "a clean
    beach for the high season in july")."""
    for clause in clauses(text)[:1]:
        words = compress(_first_person_out(without_times(_drop_fillers(clause))), limit)
        return join(proper(words)) or None
    return None


def groups(text: str) -> list[str]:
    """Groups of people or firms an answer names, with what marks them small or many: "all 200 fishers",
    "small guesthouses", "young people from the village", "groups of small firms"."""
    words = tokens(text)
    found: list[str] = []
    for n, word in enumerate(words):
        if _low(word) not in GROUP_NOUNS:
            continue
        start = n
        while start > 0 and (
            _low(words[start - 1]) in SMALL_WORDS
            or number_of(words[start - 1]) is not None
            or _low(words[start - 1]) in ("all", "the", "most", "many", "big", "boat", "fish", "dairy", "coffee")
        ):
            start -= 1
        while start < n and _low(words[start]) in ("the",):
            start += 1
        span = words[start : n + 1]
        if (
            n + 2 < len(words)
            and _low(words[n + 1]) in ("of", "from")
            and _low(words[n + 2]) in (SMALL_WORDS | {"the"})
        ):
            tail = noun_phrase(words[n + 1 :], 4)
            if tail and _low(tail[-1]) not in PREPOSITIONS:
                span = span + tail
        lows = {_low(w) for w in span}
        marked = bool(lows & SMALL_WORDS) or any(number_of(w) is not None for w in span)
        if marked and len(span) >= 2 and not lows & {"big", "large"}:
            phrase = join(proper(tidy(span)))
            if phrase and phrase not in found:
                found.append(phrase)
    return found


@dataclass(frozen=True)
class Pledge:
    """Who offers to put what in, as said ("the cooperative" / "some savings" / "if the bank gives a loan")."""

    who: str | None  # None: the speaker ("we can pay ...")
    verb: str
    what: str
    condition: str | None = None


def pledges(text: str) -> list[Pledge]:
    """What an answer to the investment question offers: one pledge per "we can VERB X" clause."""
    found: list[Pledge] = []
    words = _drop_fillers(tokens(text))
    # split into clauses at "but", "and" + verb, commas that start a clause
    parts: list[list[str]] = [[]]
    for n, word in enumerate(words):
        low = _low(word)
        nxt = words[n + 1 :]
        if low in ("but", ";", ".") or (low == "and" and nxt and (is_verb(words, n + 1) or _low(nxt[0]) in PRONOUNS)):
            parts.append([])
            continue
        parts[-1].append(word)
    who: list[str] | None = None
    for part in parts:
        part = _strip_punct(part)
        lows = [_low(w) for w in part]
        verb_at = next((n for n, low in enumerate(lows) if any(low == v or low == v + "s" for v in PLEDGE_VERBS)), None)
        if verb_at is None:
            continue
        if set(lows[:verb_at]) & NEGATIONS or (verb_at > 0 and lows[verb_at - 1] in NEGATIONS):
            continue  # "we cannot pay much": not a pledge
        subject = tidy([w for w in part[:verb_at] if _low(w) not in MODALS and _low(w) not in ("also", "would")])
        if subject and not set(map(_low, subject)) & FIRST_PERSON:
            who = noun_phrase(subject, 5) or who
        elif subject:
            who = None
        verb = lows[verb_at]
        rest = part[verb_at + 1 :]
        condition: list[str] = []
        if "if" in [_low(w) for w in rest]:
            at = [_low(w) for w in rest].index("if")
            condition = _first_person_out(tidy(rest[at:]))
            rest = rest[:at]
        if rest and _low(rest[0]) in ("for", "in", "to") and verb in ("pay", "pays", "invest", "invests"):
            rest = rest[1:]
        if rest and _low(rest[0]) in ("the", "a") and len(rest) > 1 and _low(rest[1]) in ("cost", "costs"):
            rest = rest[2:] if len(rest) > 2 and _low(rest[2]) != "of" else rest[3:]
            verb = "share the cost of"
        if rest and _low(rest[0]) in ("cost", "costs") and verb in ("share", "shares"):
            rest = rest[2:] if len(rest) > 1 and _low(rest[1]) == "of" else rest[1:]
            verb = "share the cost of"
        what = _shorten(_first_person_out(tidy(rest)), 8)
        if not what or all(_low(w) in ("much", "some", "small", "little") for w in what):
            continue
        found.append(
            Pledge(
                who=join(who) if who else None,
                verb=verb,
                what=join(proper(what)),
                condition=join(_shorten(condition, 7)) if len(condition) > 1 else None,
            )
        )
    return found


# ---- checks of the proposer's own output (used by the tests and the evals) -----------------------------------


_NOUN_PHRASE_BREAKERS = (PRONOUNS | CLAUSE_STARTERS | AUXILIARIES | MODALS) - {"there"}


def is_clean_noun_phrase(text: str) -> bool:
    """A value a facilitator would write in a "who leads" or "where" box: a noun phrase of at most eight words,
    no clause in it (no pronoun, verb, modal or "where ..."), not cut (no trailing "the", "of", "and"), no
    quotation marks or ellipsis. A person's name may be followed by their role after one comma."""
    if not text or "\u2026" in text or "..." in text or '"' in text:
        return False
    words = [w for w in tokens(text) if w != ","]
    if not words or len(words) > 8 or text.count(",") > 1:
        return False
    lows = [_low(w) for w in words]
    if lows[-1] in DETERMINERS | PREPOSITIONS | {"and", "or"} or lows[0] in {"and", "or", "but", "so"}:
        return False
    if set(lows) & _NOUN_PHRASE_BREAKERS - {"one's"}:
        return False
    return not any(lows[n] in VERBS and lows[n] not in ("run", "set") for n in range(1, len(lows)))


def is_clause_like(text: str) -> bool:
    """A "topic" that is really a clause and reads badly after "work on" in a title: "farmers recycle seed",
    "illegal nets catch small fish", "quality not same", "containers for oil very expensive"."""
    words = [_low(w) for w in tokens(text) if w not in PUNCT]
    if set(words) & {"not", "never", "no longer"}:
        return True
    if any(w in ("very", "too") and n + 1 < len(words) for n, w in enumerate(words)):
        return True
    joiners = DETERMINERS | PREPOSITIONS | CLAUSE_STARTERS | {"and", "or", "of"}
    for n in range(len(words) - 1):
        after = words[n + 1]
        if (
            _plural(words[n])
            and after.isalpha()
            and after not in joiners
            and not _plural(after)
            and number_of(after) is None
            and n + 2 <= len(words)
        ):
            return True  # a plural noun and then a bare word: a subject and its verb
    return False


def copied_run(value: str, source: str) -> int:
    """The longest run of consecutive words `value` shares with `source` (case and punctuation ignored)."""
    a = [_low(w) for w in tokens(value) if w not in PUNCT]
    b = [_low(w) for w in tokens(source) if w not in PUNCT]
    if not a or not b:
        return 0
    best = 0
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


_PLAIN = word_set("small big good better more less new old high low much very want wants")


def content_words(text: str) -> set[str]:
    """Lower-case content words, crudely singular, for overlap between answers ("bins" ~ "bin")."""
    out = set()
    for word in tokens(text):
        low = _low(word)
        if word in PUNCT or low in DETERMINERS | PREPOSITIONS | PRONOUNS | MODALS | AUXILIARIES | FILLERS:
            continue
        if low in CLAUSE_STARTERS or low in _PLAIN or low in NUMBER_WORDS or len(low) < 3:
            continue
        out.add(low[:-1] if low.endswith("s") and len(low) > 3 else low)
    return out
