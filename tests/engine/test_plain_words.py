"""Words a small trader understands: plain confirmations and questions, a short consent with "more", typed
answers to button questions, "I don't know", and /mine paging through every answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import Incoming
from bot.engine.topics import interview_data
from bot.messages import catalogue
from bot.ports import INTERVIEW_TOPICS
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from tests.engine.conftest import World
from tests.engine.test_flow import count, join


def membership_of(world: World, name: str) -> Membership | None:
    with world.db.session() as session:
        return session.scalar(
            select(Membership)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(PersonRow.key == f"cli:{name}")
        )


def test_confirmations_name_the_kind_in_plain_words(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    asha = join(world, "asha", code)
    reply = asha.send("roads are bad in rainy season")[0].text
    assert reply.startswith("Got it: a problem — roads are bad in rainy season")
    reply = asha.send("the cooperative buys our milk. tourists want clean beaches")[0].text
    assert "a place where many meet or sell — the cooperative buys our milk" in reply
    assert "an opportunity — tourists want clean beaches" in reply
    assert "Noted" not in reply and "(aggregation point)" not in reply


def test_interview_questions_are_short_and_keep_their_guidance() -> None:
    msg = catalogue()
    data = interview_data()
    for key in INTERVIEW_TOPICS:
        question = msg.text(f"interview.topics.{key}")
        assert len(question.split()) <= 25, question
        assert "?" in question
    assert [topic.key for topic in data.topics] == list(INTERVIEW_TOPICS)
    assert all(topic.quote for topic in data.topics)  # "Why?" still quotes the guidance behind each
    assert "quick win" not in msg.text("interview.topics.quick_win")


def test_consent_is_short_and_more_shows_the_full_text(world: World, new_plan) -> None:
    _, code, _ = new_plan(name="T", chain="coffee", region="Kagera")
    zawadi = world.person("zawadi")
    consent = zawadi.send(f"/start {code}")[-1]
    assert len(consent.text.split()) < 60 and consent.text.endswith("Do you agree?")
    assert [c.label for c in consent.choices][-1] == "Tell me more"
    more = zawadi.tap("Tell me more")[-1]
    assert "other stakeholders do not see your answers" in more.text
    assert "/forgetme" in more.text and "without their names" in more.text and len(more.text.split()) > 60
    assert "Tell me more" not in [c.label for c in more.choices]
    assert count(world, StoredInput) == 0 and membership_of(world, "zawadi").consented_at is None
    assert "What is your role" in zawadi.tap("I agree")[-1].text
    stale = zawadi.deliver(Incoming(choice="consent:more", source_id="old-button"))
    assert "no longer available" in stale[0].text


@pytest.mark.parametrize("word", ["yes", "ndio", "Oui", "ok", "sawa", "Sawa!"])
def test_consent_may_be_typed(world: World, new_plan, word: str) -> None:
    _, code, _ = new_plan()
    baraka = world.person("baraka")
    baraka.send(f"/start {code}")
    assert "What is your role" in baraka.send(word)[-1].text
    assert membership_of(world, "baraka").consented_at is not None


def test_consent_typed_no_or_more_or_nonsense(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    chiku = world.person("chiku")
    chiku.send(f"/start {code}")
    assert "nothing is kept until you agree" in chiku.send("the road is bad")[0].text
    assert "other stakeholders do not see your answers" in chiku.send("tell me more")[-1].text
    assert "nothing about you is kept" in chiku.send("hapana")[0].text
    assert membership_of(world, "chiku") is None


@pytest.mark.parametrize(
    ("typed", "size"),
    [
        ("just me", "micro"),
        ("me and my daughter", "micro"),
        ("just me and my daughter", "micro"),
        ("2 workers", "micro"),
        ("I have 6 workers", "small"),
        ("we are 30 people", "medium"),
        ("mimi tu", "micro"),
        ("a big company", "large"),
    ],
)
def test_size_may_be_typed(world: World, new_plan, typed: str, size: str) -> None:
    _, code, _ = new_plan()
    dan = world.person("dan")
    dan.send(f"/start {code}")
    dan.tap("I agree")
    dan.tap("Producer")
    assert "name of your organisation" in dan.send(typed)[-1].text
    assert membership_of(world, "dan").size == size


def test_a_size_that_cannot_be_read_asks_again(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    eva = world.person("eva")
    eva.send(f"/start {code}")
    eva.tap("I agree")
    eva.tap("Producer")
    replies = eva.send("coffee")
    assert "how many people work with you" in replies[0].text and "How big is your business?" in replies[-1].text
    assert membership_of(world, "eva").size is None


@pytest.mark.parametrize(
    ("typed", "role"),
    [("farmer", "producer"), ("I am a trader", "trader"), ("hotel", "tourism"), ("Bank", "finance")],
)
def test_role_may_be_typed(world: World, new_plan, typed: str, role: str) -> None:
    _, code, _ = new_plan()
    fred = world.person("fred")
    fred.send(f"/start {code}")
    fred.tap("I agree")
    assert "How big is your business?" in fred.send(typed)[-1].text
    assert membership_of(world, "fred").actor_type == role


def test_a_typed_role_matches_the_plans_own_roles(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    facilitator.send("/roles Fish trader, Boat owner, Fish processor")
    gina = world.person("gina")
    gina.send(f"/start {code}")
    gina.tap("I agree")
    assert "could not tell which" in gina.send("fish")[0].text  # two roles fit equally: choose
    assert membership_of(world, "gina").actor_type is None
    gina.send("boat owners")
    assert membership_of(world, "gina").actor_type == "boat_owner"


@pytest.mark.parametrize(
    "words", ["i dont know", "I don't know.", "sijui", "je ne sais pas", "no idea", "Sijui kabisa"]
)
def test_i_dont_know_gets_a_friendly_way_on(world: World, new_plan, words: str) -> None:
    _, code, _ = new_plan()
    hamid = join(world, "hamid", code)
    reply = hamid.send(words)[0]
    assert reply.text.startswith("That's fine") and "Skip" in reply.text
    assert "Can you give an example?" not in reply.text
    assert [c.label for c in reply.choices] == ["Why?", "Skip", "Back"]
    assert count(world, StoredInput) == 0
    assert "Question 2 of 8" in hamid.send(words)[0].text  # said again: the next question
    assert count(world, StoredInput) == 0


def test_i_dont_know_after_a_follow_up_moves_on_and_an_answer_still_counts(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    ivan = join(world, "ivan", code)
    assert ivan.send("not sure")[0].text.endswith("Can you give an example?")
    assert "Question 2 of 8" in ivan.send("no idea")[0].text
    assert ivan.send("i dont know")[0].text.startswith("That's fine")
    assert "Question 3 of 8" in ivan.send("tourists want clean beaches")[0].text
    assert count(world, StoredInput) == 1
    for _ in range(6):
        ivan.send("skip")
    assert "that was the last question" in ivan.last_text
    assert ivan.send("sijui")[0].text.startswith("That's fine")
    assert count(world, StoredInput) == 1


def test_mine_pages_through_every_answer(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    jane = join(world, "jane", code)
    for _ in range(8):
        jane.send("skip")
    for n in range(1, 23):
        jane.send(f"road {n} is bad")
    assert count(world, StoredInput) == 22
    first = jane.send("/mine")[0]
    assert "Answers 1-10 of 22:" in first.text and "1. [problem] road 1 is bad" in first.text
    assert "more" not in first.text and "11." not in first.text
    assert [c.label for c in first.choices][-1] == "Next"
    second = jane.tap("Next")[0]
    assert "Answers 11-20 of 22:" in second.text
    assert [c.label for c in second.choices][-2:] == ["Previous", "Next"]
    last = jane.tap("Next")[0]
    assert "Answers 21-22 of 22:" in last.text and "22. [problem] road 22 is bad" in last.text
    assert [c.label for c in last.choices] == ["21. road 21 is bad", "22. road 22 is bad", "Previous"]
    opened = jane.tap("22. road")[0]
    assert opened.text == "[problem] road 22 is bad"
    assert jane.tap("Delete")[0].text == "Deleted."
    assert "Answers 1-10 of 21:" in jane.send("/mine")[0].text
    jane.tap("Next")
    last = jane.tap("Next")[0]
    assert "Answers 21-21 of 21:" in last.text and "22." not in last.text
    assert "Answers 11-20 of 21:" in jane.tap("Previous")[0].text
