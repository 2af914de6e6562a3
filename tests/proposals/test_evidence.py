"""Issue 13, items 1 and 6: a proposal's scorecard evidence supports the criterion it is shown for, a criterion
whose field is open is left to settle (never "met" on another field's sentence), a place is never listed as an
actor, and a proposal takes its answers from its own theme."""

from __future__ import annotations

import pytest

from bot.checker import OfflineChecker
from bot.domain import CriterionId, InputKind, Status
from bot.proposals import OfflineProposer, PlanMaterial, load_patterns
from bot.proposals.models import ProposalFields, Slot
from bot.proposals.render import scoped
from tests.fakes.embeddings import HashingEmbeddings
from tests.proposals.conftest import build_material, interviewed_material, material_from
from tests.proposals.test_proposer import LOOSE

C = CriterionId


@pytest.fixture(scope="module")
def checker() -> OfflineChecker:
    return OfflineChecker(HashingEmbeddings(), heads=None)  # the rubric's cues: what each sentence says decides


@pytest.fixture(scope="module")
def loose(checker: OfflineChecker) -> OfflineProposer:
    return OfflineProposer(checker, HashingEmbeddings(), LOOSE)


def _material(said: list[tuple[InputKind, str, str, int]], chain: str = "dairy") -> PlanMaterial:
    """(kind, question, text, person) inputs of small producers, one theme per distinct text."""
    return material_from(said, lambda person: "small", name="A plan", value_chain=chain, region="Kilifi")


def test_a_first_benefit_sentence_is_never_evidence_of_investment(checker: OfflineChecker) -> None:
    library = load_patterns()
    fields = ProposalFields(
        what=Slot(value="All dairy farmers in Nyandarua meet every month at the collection centre.", sources=[1]),
        benefit=Slot(value="a new cooler at the collection centre", sources=[2]),
        when=Slot(value="from next month", sources=[2]),
        investment=Slot(question=library.questions.investment),
    )
    text = scoped(fields, library.render, library.scopes)
    read_whole = checker.check(str(text))  # the same words read as free text
    investment = next(r for r in read_whole.criteria if r.id is C.investment)
    assert investment.status is Status.met and investment.evidence.startswith("First benefit")  # what went wrong
    card = checker.check(text)
    assert card.status(C.investment) is Status.unclear
    assert C.investment in {q.criterion for q in card.questions}
    assert card.status(C.near_term_benefits) is Status.met  # the benefit still counts for what it says


def test_without_a_who_pays_answer_investment_is_unclear_and_left_to_settle(loose: OfflineProposer) -> None:
    # "start with one cooler" (a small step) and "cold milk ... next month" (a quick win) are read as investment
    # when the whole text is read at once; neither says who pays
    proposals = loose.propose(interviewed_material(drop=("investment",)))
    assert proposals
    for proposal in proposals:
        assert proposal.fields.investment.open
        assert proposal.scorecard.status(C.investment) is Status.unclear, proposal.title
        assert proposal.fields.investment.question in proposal.to_settle
    assert any(p.fields.first_step.value and "cooler" in p.fields.first_step.value for p in proposals)


def test_no_investment_evidence_comes_from_another_fields_sentence(loose: OfflineProposer) -> None:
    for proposal in loose.propose(interviewed_material()):
        result = next(r for r in proposal.scorecard.criteria if r.id is C.investment)
        if result.status is Status.met:
            assert result.evidence.startswith("Who invests"), (proposal.title, result.evidence)


def test_the_village_chief_leading_is_never_evidence_of_reaching_mses(
    loose: OfflineProposer, checker: OfflineChecker
) -> None:
    material = build_material(
        with_named=False,
        extra=[(InputKind.influential_actor, "the village chief, all the young farmers follow him", 5)],
    )
    led = [p for p in loose.propose(material) if p.fields.lead.value == "the village chief"]
    assert led
    read_whole = [checker.check(p.text) for p in led]  # without scopes the lead sentence decides reaching MSEs
    assert any(
        (r.evidence or "").startswith("Led by") for card in read_whole for r in card.criteria if r.id is C.reaches_mses
    )
    for proposal in led:
        result = next(r for r in proposal.scorecard.criteria if r.id is C.reaches_mses)
        assert not (result.evidence or "").startswith("Led by"), proposal.title
        if proposal.fields.beneficiaries.open:  # nobody said who gains: a question, not "met"
            assert result.status is Status.unclear
            assert load_patterns().questions.beneficiaries in proposal.to_settle


def test_a_place_named_as_an_influential_actor_never_leads_nor_is_listed_as_an_actor(
    loose: OfflineProposer,
) -> None:
    material = build_material(
        extra=[
            (InputKind.influential_actor, "Ol Kalou collection centre, everybody goes there", 5),
            (InputKind.influential_actor, "the Saturday market", 6),
        ]
    )
    proposals = loose.propose(material)
    assert proposals
    actors = {a for p in proposals for a in p.actors}
    leads = {p.fields.lead.value for p in proposals}
    assert actors == {"the cooperative chairman"}, actors
    assert not {"Ol Kalou collection centre", "the Saturday market"} & leads
    for proposal in proposals:  # where it happens is never listed as who it works through
        assert proposal.fields.where.value not in proposal.actors


def test_a_proposal_takes_its_answers_from_its_own_theme(loose: OfflineProposer) -> None:
    material = _material(
        [
            (InputKind.constraint, "constraints", "plastic and rubbish on the beach every morning", 1),
            (InputKind.constraint, "constraints", "plastic and rubbish on the beach every morning", 2),
            (InputKind.constraint, "constraints", "the road to the reef beach is very bad in rainy season", 3),
            (InputKind.idea, "quick_win", "no plastic and rubbish on the beach by July", 1),
            (InputKind.idea, "small_step", "start with one clean up day for the plastic on the beach", 2),
            (InputKind.influential_actor, "influential_actors", "the hotel association chairman", 1),
        ],
        chain="coastal tourism",
    )
    proposals = loose.propose(material)
    road = [p for p in proposals if any("road" in a.text for a in p.answers)]
    assert road
    for proposal in road:
        used = {a.text for a in proposal.answers}
        assert not any("plastic" in text for text in used), (proposal.title, used)
        assert proposal.fields.benefit.open and proposal.fields.first_step.open
    beach = [p for p in proposals if any("plastic" in a.text for a in p.answers)]
    assert any(p.fields.benefit.value for p in beach)  # the beach's answers go to the beach
