"""A /check's follow-up answers, as a facilitator gives them: each merged into its field and re-checked with the
initiative, settling only the question it answers, on its own words."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.workshop_models import InitiativeRow
from tests.engine.conftest import World

GRANT = "/check A grant to Kilimo Foods Ltd to buy a new sunflower oil press."
REPLY = "the factory buys from 5000 small farmers"


def _saved(world: World) -> InitiativeRow:
    with world.db.session() as session:
        [row] = session.scalars(select(InitiativeRow)).all()
        session.expunge_all()
        return row


def test_one_reply_does_not_turn_a_grant_to_one_company_into_recommended(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    first = facilitator.text_of(facilitator.send(GRANT))
    assert "Verdict: not recommended" in first
    # the contradicted verdict criterion is asked first: only an answer to its own question may settle it
    assert "Question 1 of" in first and "(Industry-wide)" in first
    answered = facilitator.text_of(facilitator.send(REPLY))
    assert "Verdict: recommended" not in answered
    assert "Industry-wide: not met → met" in answered  # the guidance's exception, said in the reply
    assert "Benefits reach MSEs" not in answered  # not asked yet: the reply does not settle it
    facilitator.send("skip")
    facilitator.tap("Save as initiative")
    row = _saved(world)
    assert row.verdict != "recommended"
    evidence = {c["id"]: c["evidence"] for c in row.scorecard["criteria"]}
    assert evidence["industry_wide"] == "The factory buys from 5000 small farmers"
    assert evidence["reaches_mses"] is None and evidence["aggregation_points"] is None
    # merged into who benefits, not pasted into the description
    assert row.body["description"] == GRANT.removeprefix("/check ")
    assert row.body["beneficiaries"]["description"] == REPLY
    assert row.body["follow_ups"] == [
        {
            "criterion": "industry_wide",
            "question": "Beyond the firms named, how will the rest of the industry change or benefit?",
            "answer": REPLY,
        }
    ]


def test_a_reply_to_another_question_settles_nothing_else(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    facilitator.send("/check hotels clean the beach")
    answered = facilitator.text_of(facilitator.send("each hotel pays for bins and a truck, 300 small guesthouses gain"))
    assert "Promotes investment: unclear → met" in answered
    assert "Benefits reach MSEs" not in answered


def test_replies_that_settle_each_criterion_can_recommend_it(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    shown = facilitator.text_of(facilitator.send(GRANT))
    said = []
    while "Save this as an initiative" not in shown:
        if "(Industry-wide)" in shown:
            answer = REPLY
        elif "(Benefits reach MSEs)" in shown:
            answer = "all 5000 small farmers get a better price"
        else:
            answer = "not decided yet"
        said.append(answer)
        shown = facilitator.text_of(facilitator.send(answer))
    facilitator.tap("Save as initiative")
    row = _saved(world)
    evidence = {c["id"]: (c["status"], c["evidence"]) for c in row.scorecard["criteria"]}
    assert evidence["industry_wide"] == ("met", "The factory buys from 5000 small farmers")
    assert evidence["reaches_mses"] == ("met", "All 5000 small farmers get a better price")
    assert row.verdict == "recommended", said


def test_answers_land_in_their_fields_as_clean_names(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    shown = facilitator.text_of(facilitator.send("/check all hotels clean the beach together every month"))
    scripted = {
        "(Through influential actors)": "the lead fisherman Bakari, the young fishers copy what he does",
        "(At an aggregation point)": "the fish landing site, all 200 fishers sell there",
        "(Near-term benefits)": "a cleaner beach within two months",
    }
    while "Save this as an initiative" not in shown:
        answer = next((a for label, a in scripted.items() if label in shown), "not decided yet")
        shown = facilitator.text_of(facilitator.send(answer))
    facilitator.tap("Save as initiative")
    row = _saved(world)
    assert row.body["description"] == "all hotels clean the beach together every month"
    assert row.body["lead_actor"] == "Bakari, the lead fisherman"
    assert "the fish landing site" in row.body["actors"]
    assert row.body["first_benefits"] == "a cleaner beach within two months"
    asked = {entry["criterion"] for entry in row.body["follow_ups"]}
    assert {"influential_actors", "aggregation_points", "near_term_benefits"} <= asked
    # the checked text holds each answer whole, as the sentence that settled its criterion
    assert "The lead fisherman Bakari, the young fishers copy what he does." in row.text.splitlines()
