"""Each criterion's rule, on short chat-style texts (fast: HashingEmbeddings, cues and parsing decide)."""

from __future__ import annotations

import pytest

from bot.checker import Beneficiaries, Initiative, Investment, OfflineChecker
from bot.domain import CriterionId, Status, Verdict
from bot.errors import PlanbotError

C, MET, NOT, UNCLEAR = CriterionId, Status.met, Status.not_met, Status.unclear


@pytest.mark.parametrize(
    ("criterion", "text", "expected"),
    [
        (C.investment, "farmers contribute 10% and the sacco lends the rest for a cooler", MET),
        (C.investment, "the group buys two solar dryers", MET),
        (C.investment, "no money needed, just talking", NOT),
        (C.investment, "farmers talk about prices", UNCLEAR),
        (C.learning, "hotels n fishers meet monthly at the district hall", MET),
        (C.learning, "exporter signs contract with growers, shares the loss if price falls", MET),
        (C.learning, "each hotel works alone, no meetings", NOT),
        (C.learning, "the traders will not meet, they phone", UNCLEAR),
        (C.small_steps, "pilot with 10 farmers first, add more if it works", MET),
        (C.small_steps, "women grade fish and sell to several buyers", MET),
        (C.small_steps, "borrow everything to build a big factory all at once", NOT),
        (C.near_term_benefits, "better price from next harvest", MET),
        (C.near_term_benefits, "farmers earn more within 3 months", MET),
        (C.near_term_benefits, "first income only after 5 years", NOT),
        (C.near_term_benefits, "trees give first nuts after 4 years but grading pays this season", MET),
        (C.near_term_benefits, "farmers meet every month", UNCLEAR),
        (C.influential_actors, "the village chief calls all hotel owners", MET),
        (C.influential_actors, "5 lead farmers host the demo", MET),
        (C.aggregation_points, "the processor that buys from 3000 farmers tests milk", MET),
        (C.aggregation_points, "work at the main landing site", MET),
        (C.aggregation_points, "extension staff visit farm by farm", NOT),
        (C.industry_wide, "all hotels on the beach join", MET),
        (C.industry_wide, "loan to Nuru Cashew Processors Ltd for a new line", NOT),
        (C.industry_wide, "Kamau Dairy Ltd gets a cooler and buys from 2000 farmers", MET),
        (C.industry_wide, "new machine for my company only", NOT),
        (C.reaches_mses, "300 smallholder farmers sell through it", MET),
        (C.reaches_mses, "40% of the members are micro traders", MET),
        (C.reaches_mses, "only big estates with over 50 hectares qualify", NOT),
        (C.reaches_mses, "small growers cannot join", NOT),
        (C.reaches_mses, "coffee farmers sell together", UNCLEAR),
    ],
)
def test_criterion_rule(checker: OfflineChecker, criterion: CriterionId, text: str, expected: Status) -> None:
    assert checker.check(text).status(criterion) is expected


def test_evidence_is_the_deciding_sentence_and_unclear_has_none(checker: OfflineChecker) -> None:
    card = checker.check("Hotels want more tourists. All hotels on the beach pay for bins. Nice weather.")
    results = {r.id: r for r in card.criteria}
    assert results[C.investment].evidence == "All hotels on the beach pay for bins"
    assert results[C.learning].status is UNCLEAR and results[C.learning].evidence is None


def test_every_unclear_criterion_gets_its_follow_up_question(checker: OfflineChecker) -> None:
    card = checker.check("make tourism better in our area")
    unclear = [r.id for r in card.criteria if r.status is UNCLEAR]
    assert [q.criterion for q in card.questions] == unclear
    assert len(unclear) == 8 and card.verdict is Verdict.revise
    assert all(q.question.endswith("?") for q in card.questions)


def test_scorecard_json_is_the_contract_shape(checker: OfflineChecker) -> None:
    data = checker.check("all hotels pay for bins, small guesthouses gain within a month").to_contract_json()
    assert set(data) == {"verdict", "criteria", "questions"}
    assert [c["id"] for c in data["criteria"]] == [c.value for c in CriterionId]
    for item in data["criteria"]:
        assert set(item) == {"id", "status", "evidence", "citation"}
        assert set(item["citation"]) == {"document", "quote"}
        assert item["citation"]["document"] == "upgrading-plan-guidance"
    assert data["verdict"] == "recommended"


def test_sentences_are_embedded_in_one_batch_and_prototypes_once(checker, counting_embeddings) -> None:
    checker.check("all hotels meet. they pay for bins.")
    checker.check("small farmers sell together. the chief helps.")
    batches = counting_embeddings.calls
    assert len(batches) == 3  # prototypes once, then one batch per check
    assert batches[1] == ["all hotels meet", "they pay for bins"]


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text_is_refused(checker: OfflineChecker, text: str) -> None:
    with pytest.raises(PlanbotError, match="empty"):
        checker.check(text)


def test_structured_initiative_is_checked_with_its_fields(checker: OfflineChecker) -> None:
    initiative = Initiative(
        title="Shared milk cooler",
        description="A cooling centre at the cooperative for all members.",
        actors=["Kiboko cooperative", "SACCO"],
        lead_actor="the village chief",
        investment=Investment(who="members and the SACCO", amount="4,000 USD"),
        first_benefits="the first month of deliveries",
        first_benefits_months=1,
        beneficiaries=Beneficiaries(description="dairy farmers with 1-3 cows", mse_count=600),
    )
    card = checker.check(initiative)
    assert card.status(C.investment) is MET
    assert card.status(C.near_term_benefits) is MET
    assert card.status(C.influential_actors) is MET
    assert card.status(C.reaches_mses) is MET
    assert card.verdict is Verdict.recommended


def test_structured_fields_that_contradict_decide_not_met(checker: OfflineChecker) -> None:
    initiative = Initiative(
        title="Export orchard",
        description="New orchards for all growers in the region.",
        first_benefits_months=48,
        beneficiaries=Beneficiaries(description="commercial growers", mse_count=0),
    )
    card = checker.check(initiative)
    assert card.status(C.near_term_benefits) is NOT
    assert card.verdict is Verdict.not_recommended
