"""Scoped checks (issue 13, item 1): a sentence written from one field of a structured initiative decides only the
criteria that field speaks to; free text is read exactly as before scopes existed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.checker import Initiative, OfflineChecker
from bot.checker.models import Investment, ScopedText
from bot.domain import CriterionId, Status
from tests.fakes.embeddings import HashingEmbeddings

C = CriterionId
# Scorecards of the cue path (HashingEmbeddings, no heads) written by the checker before scopes existed.
BEFORE = Path(__file__).with_name("free_text_scorecards.json")
LEAD = "Led by the village chief, whom all the young fishers follow."
WHAT = "All hotels on the strip clean the beach together once a week."


def test_free_text_gets_the_same_scorecard_as_before_scopes(checker: OfflineChecker) -> None:
    cases = json.loads(BEFORE.read_text(encoding="utf-8"))
    assert len(cases) >= 10
    fresh = OfflineChecker(HashingEmbeddings(), heads=None)
    for case in cases:
        assert fresh.check(case["text"]).to_contract_json() == case["check"], case["text"]


def test_a_scoped_text_is_still_its_plain_words_for_any_other_checker() -> None:
    text = ScopedText([(WHAT, [C.industry_wide]), (LEAD, [C.influential_actors]), ("  ", None)])
    assert text == f"{WHAT} {LEAD}" and isinstance(text, str)
    assert text.scope_of(C.reaches_mses) == [] and text.scope_of(C.industry_wide) == [WHAT]


def test_a_sentence_decides_only_the_criteria_of_its_field(checker: OfflineChecker) -> None:
    whole = checker.check(f"{WHAT} {LEAD}")
    assert whole.status(C.reaches_mses) is Status.met  # "young fishers" in the lead sentence
    card = checker.check(ScopedText([(WHAT, [C.industry_wide, C.learning]), (LEAD, [C.influential_actors])]))
    assert card.status(C.reaches_mses) is Status.unclear
    assert C.reaches_mses in {q.criterion for q in card.questions}
    assert card.status(C.influential_actors) is Status.met
    assert card.status(C.industry_wide) is Status.met


def test_unscoped_parts_may_decide_anything(checker: OfflineChecker) -> None:
    text = f"{WHAT} {LEAD}"
    assert checker.check(ScopedText([(WHAT, None), (LEAD, None)])) == checker.check(text)


def test_a_structured_initiatives_fields_speak_to_their_own_criteria(checker: OfflineChecker) -> None:
    initiative = Initiative(
        title="Clean the beach together",
        description=WHAT,
        lead_actor="the village chief, whom all the young fishers follow",
        investment=Investment(who="the hotel association", amount="bins and a tractor rake"),
        first_benefits="a new cooler at the landing site in three months",
    )
    card = checker.check(initiative)
    results = {r.id: r for r in card.criteria}
    assert results[C.investment].evidence.startswith("Investment:")  # not "First benefits: a new cooler"
    assert results[C.reaches_mses].status is Status.unclear  # the lead is no evidence of who gains
    assert results[C.influential_actors].status is Status.met


@pytest.mark.model
def test_with_the_trained_heads_an_unscoped_text_reads_as_free_text(real_checker: OfflineChecker) -> None:
    for case in json.loads(BEFORE.read_text(encoding="utf-8"))[:6]:
        text = case["text"]
        assert real_checker.check(ScopedText([(text, None)])) == real_checker.check(text)


@pytest.mark.model
def test_with_the_trained_heads_the_lead_sentence_is_never_evidence_of_reaching_mses(
    real_checker: OfflineChecker,
) -> None:
    lead = "Led by the village chief, whom people listen to about the beach."
    what = "The village chief shows at their own place how to deal with the bad road to the reef beach."
    card = real_checker.check(ScopedText([(what, [C.learning, C.industry_wide]), (lead, [C.influential_actors])]))
    result = next(r for r in card.criteria if r.id is C.reaches_mses)
    assert result.status is Status.unclear and result.evidence is None
