"""Button data is built and read in one place (bot.engine.callbacks): every action round-trips, nothing Telegram
would refuse is ever built, and garbled or forged data gets the "no longer available" reply, never a crash."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import Incoming, callbacks
from bot.engine.callbacks import Action, Callback, CallbackDataError, build, parse
from bot.engine.conversation import STEPS
from bot.engine.router import ACTIONS, MODE_TEXT
from bot.engine.states import Mode, Stage
from bot.messages import catalogue
from bot.storage.plan_models import ConversationState, Membership, PersonRow
from tests.engine.conftest import World

STALE = catalogue("en").text("engine.stale_choice")
SAMPLE = {int: 4321, str: "skip"}


def _sample(action: Action) -> tuple[int | str, ...]:
    return tuple(SAMPLE[kind] for kind in callbacks.LAYOUTS[action])


@pytest.mark.parametrize("action", list(Action))
def test_every_action_round_trips(action: Action) -> None:
    parts = _sample(action)
    data = build(action, *parts)
    assert data.split(":")[0] == action.value
    assert parse(data) == Callback(action, parts)
    assert action in ACTIONS  # a parsed button always has a handler


def test_the_wire_format_is_the_one_stored_rows_hold() -> None:
    """Buttons offered before this module existed are kept in conversation_state.offered: same strings."""
    assert build(Action.INTERVIEW, "why", 3) == "iv:why:3"
    assert build(Action.MINE_KIND_SET, 12, "idea") == "mks:12:idea"
    assert build(Action.VIEW, 7, "support") == "vw:7:support"
    assert build(Action.IDEAS) == "inp"
    assert build(Action.LANGUAGE, "sw") == "lang:sw"
    assert build(Action.PLAN_LANGUAGE, "fr") == "planlang:fr"
    assert parse("consent:named") == Callback(Action.CONSENT, ("named",))
    assert parse("mks:12:idea").ref == 12 and parse("mks:12:idea").word == "idea"  # type: ignore[union-attr]


def test_data_over_64_bytes_is_refused() -> None:
    assert build(Action.ROLE, "r" * 59) == "role:" + "r" * 59  # exactly 64 bytes
    with pytest.raises(CallbackDataError):
        build(Action.ROLE, "r" * 60)
    with pytest.raises(CallbackDataError):
        build(Action.ROLE, "é" * 30)  # 35 characters, 65 bytes in UTF-8
    assert parse("role:" + "r" * 60) is None


@pytest.mark.parametrize(
    "parts",
    [(), ("why",), (3, "why"), ("why", "3"), ("why", True), ("", 3), ("a:b", 3), ("why", -1)],
)
def test_parts_that_do_not_fit_the_action_are_refused(parts: tuple) -> None:
    with pytest.raises(CallbackDataError):
        build(Action.INTERVIEW, *parts)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "zz:1",
        "iv",
        "iv:why",
        "iv:why:x",
        "iv:why:3:4",
        "iv:why:\u0663",  # an Arabic-Indic digit: isdigit() but not ours
        "sw:",
        "sw:-1",
        "inp:",
        "mks:1:",
        "mks::idea",
        "consent:",
        "IV:why:1",
        "lang:sw\n",
        "é:1",
    ],
)
def test_garbage_is_parsed_as_invalid(data: str | None) -> None:
    assert parse(data) is None


def test_every_stage_has_a_row_and_every_mode_keeps_its_stored_string() -> None:
    assert set(STEPS) == set(Stage) - {Stage.NO_PLAN}
    assert {mode.value for mode in Mode} == {
        "base",
        "newplan_name",
        "newplan_chain",
        "newplan_region",
        "notes",
        "mine_edit",
        "ck_followup",
        "ck_done",
        "in_edit",
    }
    assert set(MODE_TEXT) == set(Mode) - {Mode.BASE, Mode.CHECK_DONE}


def _interviewed(world: World, code: str):
    person = world.person("asha")
    person.send(f"/start {code}")
    person.tap("I agree")
    person.tap("Producer")
    person.tap("Micro")
    person.tap("Skip")
    return person


def _topic_index(world: World, key: str) -> int:
    with world.db.session() as session:
        person_id = session.scalar(select(PersonRow.id).where(PersonRow.key == key))
        return session.scalar(select(Membership.topic_index).where(Membership.person_id == person_id))


@pytest.mark.parametrize("data", ["zz:1", "iv:why:x", "iv:why", "mks:1", "inp:", "sw:abc", "consent:", "é"])
def test_a_garbled_button_gets_the_stale_reply_and_changes_nothing(world: World, new_plan, data: str) -> None:
    _, code, _ = new_plan()
    asha = _interviewed(world, code)
    asha.send("roads are bad in rainy season")
    before = _topic_index(world, asha.person.key)
    why = next(choice for choice in asha.choices if choice.label == "Why?")
    replies = asha.deliver(Incoming(choice=data, source_id=asha.next_source_id()))
    assert [(r.text, r.error) for r in replies] == [(STALE, True)]
    assert _topic_index(world, asha.person.key) == before == 1
    again = asha.deliver(Incoming(choice=why.data, source_id=asha.next_source_id()))
    assert "Question 2 of 8" in again[0].text  # the question's own buttons still work


def test_every_button_planbot_offers_parses(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    asha = _interviewed(world, code)
    asha.send("roads are bad in rainy season")
    offered = list(asha.choices)
    offered += [c for reply in asha.send("/mine") for c in reply.choices]
    offered += [c for reply in asha.tap("1.") for c in reply.choices]
    offered += [c for reply in asha.send("/language") for c in reply.choices]
    offered += [c for reply in asha.send("/forgetme") for c in reply.choices]
    offered += [c for reply in facilitator.send("/initiatives") for c in reply.choices]
    offered += [c for reply in facilitator.send("/check Build a cold store at the market") for c in reply.choices]
    actions = {parse(choice.data).action for choice in offered}  # type: ignore[union-attr]
    assert {Action.INTERVIEW, Action.MINE_ITEM, Action.MINE_KIND, Action.LANGUAGE, Action.FORGET} <= actions
    assert {Action.IDEAS, Action.CHECK} <= actions


def test_a_mode_stored_as_a_plain_string_still_routes(world: World, new_plan) -> None:
    """Rows written before the enums hold plain strings; they read as the same mode."""
    facilitator, _, _ = new_plan()
    with world.db.session() as session:
        person_id = session.scalar(select(PersonRow.id).where(PersonRow.key == facilitator.person.key))
        state = session.get(ConversationState, person_id)
        state.state, state.pending = "notes", {}
    replies = facilitator.send("meeting notes: the road to the market floods every April")
    assert replies[0].text.startswith("Meeting notes of")
    with world.db.session() as session:
        assert session.get(ConversationState, person_id).state == "base"
