"""Proposal titles as a plan editor reads them: a verb and an object, whole words, no "…", at most 70 characters;
a topic that is really a clause, a person, or a verb without an object never makes a title."""

from __future__ import annotations

import pytest

from bot.checker import OfflineChecker
from bot.domain import InputKind
from bot.proposals import MaterialInput, MaterialTheme, OfflineProposer, PlanMaterial, phrases
from bot.proposals.patterns import TITLE_LIMIT
from evals.suites.proposals import known_words, title_problems
from tests.fakes.embeddings import HashingEmbeddings
from tests.proposals.conftest import build_material, interviewed_material
from tests.proposals.test_proposer import LOOSE


@pytest.fixture(scope="module")
def loose() -> OfflineProposer:
    embeddings = HashingEmbeddings()
    return OfflineProposer(OfflineChecker(embeddings), embeddings, LOOSE)  # thresholds for the hashing fake


@pytest.mark.parametrize(
    ("said", "action"),
    [
        ("group loans for racks", "offer group loans for racks"),  # a noun before a noun, not "to group"
        ("contract farming with farmer groups", "set up contract farming"),  # no "a" before a mass noun
        ("a collection centre for our village", "set up a collection centre for their village"),
        ("small mills share one filter and bottling machine", "share one filter and bottling machine"),
        ("one quality standard and a label made in Huye", "set up one quality standard and a label"),
        ("an ice box at the landing site", "set up an ice box at the landing site"),
        ("a beach management committee with hotels, fishers and the council", "form a beach management committee"),
    ],
)
def test_ideas_become_a_verb_and_its_object(said: str, action: str) -> None:
    found = phrases.action(said)
    assert found is not None and found.verb_phrase == action


@pytest.mark.parametrize(
    "said",
    ["the boat owners", "the lead fisherman", "our women group meet every friday", "farmers group to spray together"],
)
def test_people_and_verbs_without_an_object_are_no_idea_to_title(said: str) -> None:
    assert phrases.action(said) is None


def test_words_said_in_french_keep_their_own_articles() -> None:
    for said in ("acheter le manioc ensemble au moment de la récolte", "une coopérative pour vendre ensemble"):
        found = phrases.action(said)
        assert found is not None
        assert not found.verb_phrase.startswith(("set up a ", "set up an ")), found.verb_phrase
    assert phrases.join(phrases.tidy(phrases.tokens("acheter le manioc ensemble au"))) == "acheter le manioc ensemble"


@pytest.mark.parametrize(
    ("topic", "clause"),
    [
        ("farmers recycle seed", True),
        ("illegal nets catch small fish", True),
        ("quality not same", True),
        ("containers for oil very expensive", True),
        ("the bad road to the reef beach", False),
        ("plastic and seaweed on the beach", False),
        ("demand for small loans for boats", False),
        ("the lack of ice at the landing site", False),
    ],
)
def test_a_clause_is_told_from_a_topic(topic: str, clause: bool) -> None:
    assert phrases.is_clause_like(topic) is clause


def _material(said: list[tuple[InputKind, str | None, str, int]]) -> PlanMaterial:
    inputs = [
        MaterialInput(id=n, kind=kind, text=text, person_id=p, question=q, actor_type="producer", size="micro")
        for n, (kind, q, text, p) in enumerate(said, 1)
    ]
    return PlanMaterial(
        plan_id=1,
        name="Kigoma dried fish",
        value_chain="dried fish",
        region="Kigoma",
        inputs=inputs,
        themes=[MaterialTheme(kind=i.kind, label=i.text, input_ids=[i.id], people=1) for i in inputs],
    )


CLAUSES = _material(
    [
        (InputKind.constraint, "constraints", "farmers recycle seed so yields very low", 1),
        (InputKind.constraint, "constraints", "traders cheat us on the weight and price", 2),
        (InputKind.constraint, "constraints", "illegal nets catch small fish", 3),
        (InputKind.idea, "ideas", "the boat owners", 1),
        (InputKind.idea, "ideas", "group loans for racks", 2),
        (InputKind.idea, "quick_win", "better price for clean dagaa this season", 3),
    ]
)


@pytest.mark.parametrize(
    "material", [interviewed_material(), build_material(), CLAUSES], ids=["dairy", "plain", "kigoma"]
)
def test_every_title_reads_as_a_facilitator_writes_it(loose: OfflineProposer, material: PlanMaterial) -> None:
    proposals = loose.propose(material)
    assert proposals
    said = [i.text for i in material.inputs]
    for proposal in proposals:
        title = proposal.title
        assert title_problems(title, said, known_words()) == [], title
        assert len(title) <= TITLE_LIMIT and "…" not in title
        words = phrases.tokens(title)
        assert len(words) >= 2, title  # a verb and an object, not "Work together"
        assert title.casefold() not in ("work together", "act together")
        assert words[-1].casefold() not in phrases.DETERMINERS | phrases.PREPOSITIONS | {"and", "au", "de"}, title
        for clause in ("farmers recycle seed", "nets catch small fish", "set up the boat owners"):
            assert clause not in title.casefold(), title
