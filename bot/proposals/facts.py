"""The plan's facts: each input read by the phrase extractor, and the named actors and aggregation points
merged across inputs ("the chairman of the hotel association" and "the hotel association chairman" are one).

What an input is *for* a proposal (its role) comes from the words first ("start with ..." is a small step
whatever question it answered), then the interview question it answered, then its captured kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.domain import InputKind
from bot.proposals import phrases
from bot.proposals.models import MaterialInput, PlanMaterial
from bot.proposals.patterns import PatternLibrary

ROLES = ("problem", "idea", "step", "win", "pledge", "actor", "point")
BY_QUESTION = {
    "constraints": "problem",
    "opportunities": "problem",
    "ideas": "idea",
    "influential_actors": "actor",
    "aggregation_points": "point",
    "small_step": "step",
    "quick_win": "win",
    "investment": "pledge",
}
BY_KIND = {
    InputKind.constraint: "problem",
    InputKind.opportunity: "problem",
    InputKind.idea: "idea",
    InputKind.influential_actor: "actor",
    InputKind.aggregation_point: "point",
}
_STEP = re.compile(r"^(start|starting|begin|try|trial|pilot|test)\b|\b(pilot|trial)\b|\bfirst$", re.IGNORECASE)
_PLEDGE = re.compile(
    r"\b(we|i|they|\w+) (can|could|will|would|also)? ?(pay|invest|contribute|lend|give|put|save|share (the )?cost|"
    r"pre-?finance|finance)\b|^(yes )?(we|i) (pay|invest|contribute|give|share|pre-?finance)\b",
    re.IGNORECASE,
)
_WIN = re.compile(
    r"^(a |an |the )?(better|higher|more|less|quick|quicker|cleaner|clean|first|fresh|premium|sales|income|money|"
    r"payment|bookings|profit)\b",
    re.IGNORECASE,
)
MSE_SIZES = frozenset({"micro", "small"})
PLEDGE_FLOOR = 0.25  # cosine of what is pledged to the proposal below which the pledge is never put in


@dataclass
class Fact:
    """One input as the proposer reads it."""

    item: MaterialInput
    role: str
    topic: str | None = None  # problems: a noun phrase
    clause: str | None = None  # problems: a short clause, when no noun phrase says it
    action: phrases.Action | None = None  # ideas and steps
    benefit: str | None = None  # quick wins
    when: phrases.TimePhrase | None = None  # quick wins (and ideas or steps that say when)
    pledges: list[phrases.Pledge] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    speaker: str | None = None  # who "we" is ("a large hotel or guesthouse")

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def mse(self) -> bool:
        return (self.item.size or "") in MSE_SIZES


@dataclass
class Entity:
    """A named influential actor or aggregation point, merged over the inputs that name it."""

    kind: str  # "actor" | "point"
    names: list[str]
    sources: list[int]
    people: set[int]
    texts: list[str]
    detail: str | None = None  # "whom all the big hotels follow", "where all 200 fishers sell"
    detail_source: int | None = None
    lends: bool = False
    buys: bool = False
    reach: list[tuple[str, int]] = field(default_factory=list)  # groups said of it ("all 200 fishers"), by input

    @property
    def name(self) -> str:
        """The name most inputs use; on a tie the shortest."""
        counts: dict[str, int] = {}
        for name in self.names:
            counts[name] = counts.get(name, 0) + 1
        return sorted(counts, key=lambda n: (-counts[n], len(n)))[0]

    @property
    def key(self) -> frozenset[str]:
        return phrases.key_of(self.name)


def role_of(item: MaterialInput) -> str:
    text = " ".join(item.text.split())
    question_role = BY_QUESTION.get(item.question or "")
    kind_role = BY_KIND.get(item.kind, "idea")
    cue = "step" if _STEP.search(text) else "pledge" if _PLEDGE.search(text) else None
    if cue is None and _WIN.search(text) and phrases.first_time(text) is not None:
        cue = "win"
    if question_role in ("step", "win", "pledge"):
        return cue or question_role
    if question_role in ("actor", "point"):
        if cue in ("step", "win"):
            return cue
        return kind_role if kind_role in ("actor", "point") else question_role
    if question_role in ("problem", "idea"):
        return question_role
    return cue or kind_role


class PlanFacts:
    """Every input of a plan read once (roles, phrases, vectors) and the named players merged."""

    def __init__(self, material: PlanMaterial, embeddings: Embeddings | None, library: PatternLibrary) -> None:
        """`embeddings` None: the phrases and the merged players only, every closeness 0 (the LLM drafter's
        view when it has no embedding model at hand)."""
        self.material = material
        self.library = library
        self.facts = [self._read(item) for item in material.inputs]
        self.by_id = {fact.id: fact for fact in self.facts}
        texts = [fact.item.text for fact in self.facts]
        stored = material.vectors if embeddings is not None else {}  # kept with the inputs: not embedded again
        if embeddings is None:
            embeddings = _NoEmbeddings()
        missing = [fact.item.text for fact in self.facts if fact.id not in stored]
        fresh = iter(embeddings.embed_documents(missing) if missing else [])
        rows = [stored[fact.id] if fact.id in stored else next(fresh) for fact in self.facts]
        if len({len(row) for row in rows}) > 1:  # some stored under another embedding model
            rows = embeddings.embed_documents(texts)
        vectors = np.asarray(rows, dtype=float) if texts else np.zeros((0, 1))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if texts else np.ones((0, 1))
        norms[norms == 0] = 1.0
        self.vectors = vectors / norms
        self.row = {fact.id: n for n, fact in enumerate(self.facts)}
        # how close each input is to the plan as a whole: in a plan where every answer is about milk, a quick
        # win close to one proposal must be closer to it than to the plan at large (see `specific`)
        if len(self.facts) > 1:
            similarity = self.vectors @ self.vectors.T
            self.typical = (similarity.sum(axis=1) - np.diag(similarity)) / (len(self.facts) - 1)
        else:
            self.typical = np.zeros(len(self.facts))
        self.words = {fact.id: phrases.content_words(fact.item.text) for fact in self.facts}
        frequency: dict[str, int] = {}
        for words in self.words.values():
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        common = max(2, len(self.facts) // 6)
        words = library.words_for(material.value_chain, material.name)
        generic = phrases.content_words(" ".join([words.producers, words.product, words.buyers, material.value_chain]))
        self.rare = {word for word, count in frequency.items() if count <= common and word not in generic}
        said = [(fact.id, n, pledge.what) for fact in self.facts for n, pledge in enumerate(fact.pledges)]
        pledge_vectors = (
            np.asarray(embeddings.embed_documents([what for _, _, what in said]), dtype=float) if said else None
        )
        self.pledge_vectors: dict[tuple[int, int], np.ndarray] = {}
        for row, (fact_id, n, _) in enumerate(said):
            assert pledge_vectors is not None
            vector = pledge_vectors[row]
            norm = float(np.linalg.norm(vector))
            self.pledge_vectors[(fact_id, n)] = vector / norm if norm else vector
        self.points = self._entities("point")
        self.actors = [actor for actor in self._entities("actor") if not self.is_place(actor.name)]

    def is_place(self, name: str) -> bool:
        """A name that is one of the plan's aggregation points, or ends in a place word ("the fish landing
        site", "the Saturday market"): a place, never an actor who leads."""
        # "the landing site" is in "the fish landing site"; "the hotel association chairman" is no place
        key = phrases.key_of(name)
        if key and any(key == point.key or (len(key) >= 2 and key <= point.key) for point in self.points):
            return True
        words = phrases.tokens(name)
        cut = next((n for n, w in enumerate(words) if n and w.lower() in _PLACE_CUTS), len(words))
        return self.library.slots.matches("place", phrases.join(words[:cut]))  # its head, before "at Kambu"

    # ---- reading ---------------------------------------------------------------------------------------

    def _read(self, item: MaterialInput) -> Fact:
        role = role_of(item)
        fact = Fact(item=item, role=role, speaker=self.library.speaker(item.actor_type, item.size))
        text = item.text
        fact.groups = phrases.groups(text)
        if role == "problem":
            fact.topic = phrases.topic(text)
            fact.clause = phrases.short_clause(text)
        elif role in ("idea", "step"):
            fact.action = phrases.action(text, limit=9 if role == "idea" else 10)
            fact.when = phrases.first_time(text)
        elif role == "win":
            fact.benefit = phrases.benefit(text)
            fact.when = phrases.first_time(text)
        elif role == "pledge":
            fact.pledges = phrases.pledges(text)
        return fact

    def _entities(self, kind: str) -> list[Entity]:
        found: list[Entity] = []
        for fact in self.facts:
            if fact.role != kind:
                continue
            speaker_noun = self.library.speakers.get(fact.item.actor_type or "")
            names = (
                phrases.names(fact.item.text, speaker_noun)
                if kind == "actor"
                else [p for p in [phrases.place(fact.item.text, _speaker_word(speaker_noun))] if p]
            )
            for name in names:
                entity = self._merge(found, kind, name)
                entity.names.append(name)
                if fact.id not in entity.sources:
                    entity.sources.append(fact.id)
                    entity.texts.append(fact.item.text)
                if fact.item.person_id is not None:
                    entity.people.add(fact.item.person_id)
                if entity.detail is None and len(names) == 1:
                    entity.detail = _detail(fact.item.text, kind)
                    entity.detail_source = fact.id if entity.detail else None
                entity.reach += [(group, fact.id) for group in fact.groups if (group, fact.id) not in entity.reach]
        for entity in found:
            if kind == "point":
                said = " ".join(entity.texts)
                rules = self.library.slots
                entity.lends = rules.matches("lender", entity.name) or rules.matches("lends", said)
                entity.buys = not entity.lends and (rules.matches("buyer", entity.name) or rules.matches("buys", said))
        return sorted(found, key=lambda e: (-len(e.people), -len(e.sources)))

    @staticmethod
    def _merge(found: list[Entity], kind: str, name: str) -> Entity:
        key = phrases.key_of(name)
        for entity in found:
            other = entity.key
            if key == other or (min(len(key), len(other)) >= 2 and (key <= other or other <= key)):
                return entity
        entity = Entity(kind=kind, names=[], sources=[], people=set(), texts=[])
        found.append(entity)
        return entity

    # ---- closeness ---------------------------------------------------------------------------------------

    def vector(self, ids: list[int]) -> np.ndarray:
        rows = [self.row[i] for i in ids if i in self.row]
        if not rows:
            return np.zeros(self.vectors.shape[1] if self.vectors.size else 1)
        mean = self.vectors[rows].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean

    def closeness(self, input_id: int, core: np.ndarray, core_words: set[str]) -> float:
        """Cosine to the proposal's core plus a little for each content word they share (capped)."""
        if input_id not in self.row or not core.size:
            return 0.0
        cosine = float(self.vectors[self.row[input_id]] @ core)
        return cosine + self.bonus(self.words.get(input_id, set()), core_words)

    def specific(self, input_id: int, closeness: float) -> bool:
        """Whether an input is closer to a proposal than to the plan at large (by the library's `lift`)."""
        if input_id not in self.row:
            return False
        return closeness - float(self.typical[self.row[input_id]]) >= self.library.lift

    def bonus(self, words: set[str], core_words: set[str]) -> float:
        """A little for each word they share that few inputs of the plan use ("bins", "cold room"; not "hotel"
        in a tourism plan)."""
        return min(0.1, 0.05 * len(words & core_words & self.rare))

    def pledge_closeness(self, fact: Fact, n: int, core: np.ndarray, core_words: set[str]) -> float:
        """How close one pledge is: half the whole answer, half what is pledged ("land for the cold room")."""
        vector = self.pledge_vectors.get((fact.id, n))
        what = float(vector @ core) if vector is not None and core.size else 0.0
        whole = float(self.vectors[self.row[fact.id]] @ core) if core.size else 0.0
        words = phrases.content_words(fact.pledges[n].what)
        shared = words & core_words & self.rare  # "the website" for "one website": a strong sign
        if (what < PLEDGE_FLOOR and not shared) or not self.specific(
            fact.id, whole + self.bonus(self.words[fact.id], core_words)
        ):
            return min(what, 0.0)  # nothing to do with the proposal ("one new boat" for a website)
        return 0.5 * whole + 0.5 * what + min(0.2, 0.1 * len(shared))

    def entity_closeness(self, entity: Entity, core: np.ndarray, core_words: set[str]) -> float:
        """The closest input that names it, plus a little for each word of its name the proposal's inputs use
        ("a cold room at the landing site" names "the fish landing site")."""
        scores = [(self.closeness(i, core, core_words), i) for i in entity.sources]
        specific = [score for score, i in scores if self.specific(i, score)]
        named = phrases.content_words(entity.name) & core_words
        return max(specific, default=0.0) + min(0.16, 0.08 * len(named))

    def of_role(self, role: str) -> list[Fact]:
        return [fact for fact in self.facts if fact.role == role]

    def similar(self, input_id: int, role: str, threshold: float) -> list[Fact]:
        """Inputs of `role` that say (about) the same as `input_id` (itself included)."""
        if input_id not in self.row:
            return []
        anchor = self.vectors[self.row[input_id]]
        words = self.words.get(input_id, set())
        out = []
        for fact in self.of_role(role):
            score = float(self.vectors[self.row[fact.id]] @ anchor) + min(0.2, 0.05 * len(self.words[fact.id] & words))
            if fact.id == input_id or score >= threshold:
                out.append(fact)
        return out


_PLACE_CUTS = phrases.word_set("at in of on near by from for , ;")


class _NoEmbeddings(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.0]


def _speaker_word(noun: str | None) -> str | None:
    """The one word put before "our branch": "lender" -> "bank" reads as people say it."""
    if noun is None:
        return None
    return {"lender": "bank", "hotel or guesthouse": "hotel", "public body": "council"}.get(noun, noun)


def _detail(text: str, kind: str) -> str | None:
    """A short fact said of the actor or place, reworded to follow its name: "all the big hotels follow him" ->
    ", whom all the big hotels follow"; "all 200 fishers sell there" -> ", where all 200 fishers sell"."""
    parts = phrases.clauses(text)
    if len(parts) < 2 and kind == "point":
        words = phrases.tokens(text)
        where = [n for n, w in enumerate(words) if w.lower() in ("where", "which", "that")]
        if not where:
            return None
        rest = phrases.tidy(words[where[0] :])
        return ", " + phrases.join(phrases.compress(rest, 9)) if 2 <= len(rest) <= 10 else None
    if len(parts) < 2:
        return None
    words = parts[1]
    lows = [w.lower() for w in words]
    if set(lows) & phrases.FIRST_PERSON - {"we", "our"}:
        return None
    if kind == "actor":
        if lows[0] in ("he", "she") and len(words) > 1:
            rest = ["who", *_third_person(words[1:])]
        elif set(lows) & {"him", "her"}:
            at = next(n for n, w in enumerate(lows) if w in ("him", "her"))
            rest = ["whom", *words[:at], *words[at + 1 :]]
        else:
            return None
        rest = phrases.tidy(rest)
        return ", " + phrases.join(phrases.compress(rest, 8)) if len(rest) >= 3 else None
    if lows[-1] == "there":
        rest = ["where", *words[:-1]]
    elif lows[0] == "we" and len(words) > 1:
        rest = ["which", *_third_person(words[1:])]
    else:
        return None
    rest = [w for w in rest if w.lower() not in ("us", "me")]
    return ", " + phrases.join(phrases.compress(phrases.tidy(rest), 9)) if len(rest) >= 3 else None


def _third_person(words: list[str]) -> list[str]:
    """ "finance most of the hotels" -> "finances most of the hotels" (the first word only)."""
    if not words:
        return words
    verb = words[0]
    low = verb.lower()
    if low.endswith("s") and not low.endswith("ss"):
        return words
    if low.endswith(("sh", "ch", "x", "o", "ss")):
        return [verb + "es", *words[1:]]
    if low.endswith("y") and len(low) > 2 and low[-2] not in "aeiou":
        return [verb[:-1] + "ies", *words[1:]]
    return [verb + "s", *words[1:]]


def third_person(verb_phrase: str) -> str:
    words = phrases.tokens(verb_phrase)
    return phrases.join(_third_person(words))
