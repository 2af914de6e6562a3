"""The facilitators' initiatives workflow through the engine: /check, /propose, /initiatives, views."""

from __future__ import annotations

from sqlalchemy import select

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Incoming
from bot.storage.workshop_models import InitiativeRow, InitiativeView
from tests.engine.conftest import World

VAGUE = "/check hotels clean the beach"


def join(world: World, name: str, code: str, role: str = "Producer", size: str = "Micro") -> TranscriptAdapter:
    person = world.person(name)
    person.send(f"/start {code}")
    person.tap("I agree")
    person.tap(role)
    person.tap(size)
    person.tap("Skip")
    return person


def rows(world: World, **where: object) -> list[InitiativeRow]:
    with world.db.session() as session:
        query = select(InitiativeRow).order_by(InitiativeRow.id)
        for column, value in where.items():
            query = query.where(getattr(InitiativeRow, column) == value)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def interview(world: World, code: str) -> None:
    answers = {
        "asha": [
            "roads are bad in rainy season",
            "tourists want clean beaches",
            "we should clean the beach together",
            "the village chief",
            "the fish market",
        ],
        "baraka": ["roads are bad when it rains", "export demand for fish", "skip", "the village chief", "skip"],
    }
    for name, lines in answers.items():
        person = join(world, name, code)
        for line in lines:
            person.send(line)


def test_check_asks_followups_rechecks_after_each_answer_and_saves(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    first = facilitator.text_of(facilitator.send(VAGUE))
    assert "Verdict: revise" in first
    assert 'guidance: "Promote investment to relieve constraints and open up opportunities"' in first
    assert "Question 1 of" in first
    answered = facilitator.text_of(facilitator.send("each hotel pays for bins and a truck"))
    assert "What changed:" in answered and "Promotes investment: unclear → met" in answered
    assert "Question 2 of" in answered
    stopped = facilitator.text_of(facilitator.send("skip"))
    assert "Save this as an initiative" in stopped
    saved = facilitator.text_of(facilitator.tap("Save as initiative"))
    assert "Saved as an initiative" in saved
    [row] = rows(world)
    assert row.origin == "check" and row.status == "proposed"
    # the answer is in the field its question is about, and checked as a sentence of its own
    assert row.body["description"] == "hotels clean the beach"
    assert row.body["investment"]["who"] == "each hotel pays for bins and a truck"
    assert row.body["follow_ups"][0]["criterion"] == "investment"
    assert "Each hotel pays for bins and a truck." in row.text.splitlines()
    assert row.scorecard["criteria"][0]["status"] == "met"
    # a later text is not taken as a follow-up answer any more
    assert "Saved" not in facilitator.text_of(facilitator.send("hello"))


def test_check_with_no_text_is_refused_in_one_line(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    [reply] = facilitator.send("/check")
    assert reply.error and "/check TEXT" in reply.text and "\n" not in reply.text


def test_cancel_ends_the_followups_without_saving(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    facilitator.send(VAGUE)
    assert "Cancelled" in facilitator.text_of(facilitator.send("/cancel"))
    facilitator.send("every hotel pays 20 dollars")
    assert rows(world) == []


def test_propose_stores_proposals_and_rerun_replaces_only_still_proposed(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    assert "nothing to propose" in facilitator.text_of(facilitator.send("/propose"))
    interview(world, code)
    text = facilitator.text_of(facilitator.send("/propose"))
    assert "initiatives proposed for Coast tourism" in text
    first = rows(world, origin="proposal")
    assert first and all(r.status == "proposed" and r.verdict != "not_recommended" for r in first)
    assert all(r.answers and r.scorecard and r.pattern for r in first)
    assert any("village chief" in r.text for r in first)
    facilitator.send("/initiatives")
    facilitator.tap("1. ")
    facilitator.tap("Accept")
    accepted = rows(world, status="accepted")
    assert len(accepted) == 1
    facilitator.send("/propose")
    again = rows(world, origin="proposal")
    assert accepted[0].id in {r.id for r in again}
    # the decided one is kept and not proposed again; the others are replaced, not added
    assert len(again) == len(first)
    assert len([r for r in again if r.status == "proposed"]) == len(first) - 1


def test_initiatives_accept_reject_edit_and_promote(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    interview(world, code)
    facilitator.send("/check all hotels clean the beach every month")
    facilitator.send("skip")
    facilitator.tap("Save as initiative")

    listing = facilitator.text_of(facilitator.send("/initiatives"))
    assert "1. all hotels clean the beach every month" in listing
    assert "Plan-level check of the accepted initiatives" in listing
    assert "✗ No initiative offers benefits in the near term" in listing

    facilitator.tap("1. ")
    assert "accepted" in facilitator.text_of(facilitator.tap("Accept")).casefold()
    assert rows(world)[0].status == "accepted"

    facilitator.send("/initiatives")
    facilitator.tap("1. ")
    assert "Send the new text" in facilitator.text_of(facilitator.tap("Edit"))
    edited = facilitator.text_of(
        facilitator.send("all hotels and small guesthouses clean the beach; within three months the beach is cleaner")
    )
    assert "Near-term benefits: unclear → met" in edited
    assert rows(world)[0].scorecard["criteria"][3]["status"] == "met"
    after = facilitator.text_of(facilitator.send("/initiatives"))
    assert '✓ "all hotels and small guesthouses' in after  # the near-term win now counts in the plan check

    facilitator.tap("Promote an idea")
    promoted = facilitator.text_of(facilitator.tap("we should clean the beach together"))
    assert "Made an initiative from the idea" in promoted
    idea_row = rows(world, origin="idea")[0]
    assert idea_row.source_input_id is not None and idea_row.answers == [idea_row.source_input_id]
    facilitator.tap("Reject")
    assert rows(world, origin="idea")[0].status == "rejected"


def test_stakeholders_are_refused_the_facilitator_workflow(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    asha = join(world, "asha", code)
    for command in ("/check all hotels clean", "/propose", "/initiatives"):
        [reply] = asha.send(command)
        assert reply.error and "Only facilitators" in reply.text
    facilitator.send("/check all hotels clean the beach")
    facilitator.send("skip")
    facilitator.tap("Save as initiative")
    row = rows(world)[0]
    [reply] = asha.deliver(Incoming(choice=f"ina:{row.id}", source_id="forged-1"))
    assert reply.error
    assert rows(world)[0].status == "proposed"


def test_views_are_asked_of_each_stakeholder_and_stored(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    asha = join(world, "asha", code)
    baraka = join(world, "baraka", code)
    facilitator.send("/check all hotels clean the beach")
    facilitator.send("skip")
    facilitator.tap("Save as initiative")
    facilitator.send("/initiatives")
    facilitator.tap("1. ")
    replies = facilitator.tap("Ask stakeholders")
    assert "Asked 2 stakeholders" in replies[0].text
    asks = {reply.to: reply for reply in facilitator.outbox}  # addressed to each stakeholder, not the sender
    assert set(asks) == {"cli:asha", "cli:baraka"}
    assert all("all hotels clean the beach" in reply.text for reply in asks.values())
    with world.db.session() as session:
        assert {v.stance for v in session.scalars(select(InitiativeView))} == {"pending"}

    support = next(c.data for c in asks["cli:asha"].choices if "support" in c.label)
    # someone else cannot answer for asha, not even the facilitator who was shown the buttons
    assert baraka.deliver(Incoming(choice=support, source_id="b-forged"))[0].error
    assert facilitator.deliver(Incoming(choice=support, source_id="f-forged"))[0].error
    assert "your view is noted: support" in asha.deliver(Incoming(choice=support, source_id="a-1"))[0].text
    assert asha.deliver(Incoming(choice=support, source_id="a-2"))[0].error  # answered once
    concern = next(c.data for c in asks["cli:baraka"].choices if "concern" in c.label)
    baraka.deliver(Incoming(choice=concern, source_id="b-1"))
    with world.db.session() as session:
        stances = sorted(v.stance for v in session.scalars(select(InitiativeView)))
    assert stances == ["concern", "support"]
    assert "views: 1 support, 1 concern, 0 no view, 0 waiting" in facilitator.text_of(facilitator.send("/initiatives"))


def test_plan_b_facilitator_never_sees_plan_a_initiatives(world: World, new_plan) -> None:
    fatma, code_a, _ = new_plan()
    interview(world, code_a)
    fatma.send("/propose")
    fatma.send("/check all hotels clean the beach secretcanary")
    fatma.send("skip")
    fatma.tap("Save as initiative")
    juma, _, _ = new_plan(name="Lake dairy", chain="dairy", region="Nakuru", who="juma")
    listing = juma.text_of(juma.send("/initiatives"))
    assert "No initiatives yet" in listing and "secretcanary" not in listing
    assert "nothing to propose" in juma.text_of(juma.send("/propose"))
    a_row = rows(world)[0]
    for data in (f"in:{a_row.id}", f"ina:{a_row.id}", f"inv:{a_row.id}"):
        [reply] = juma.deliver(Incoming(choice=data, source_id=f"j-{data}"))
        assert reply.error and "secretcanary" not in reply.text
    assert rows(world)[0].status == "proposed"
