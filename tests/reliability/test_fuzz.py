"""Hostile and odd updates: no unhandled exception, and every private text from a person gets a reply."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from telegram import Update

from bot.engine.engine import MAX_MESSAGE_CHARS
from bot.storage.plan_models import StoredInput
from planbot_testkit import FakeBotApi
from planbot_testkit.script import ScriptedChat, running_bot
from tests.reliability.conftest import ErrorLog, join, new_plan

pytestmark = [pytest.mark.telegram, pytest.mark.slow]

_ids = itertools.count(5_000_000)

ENTITY_TYPES = ("bot_command", "mention", "bold", "url", "text_link", "hashtag", "custom_emoji", "nonsense")

texts = st.one_of(
    st.text(min_size=1, max_size=300),  # any Unicode, control characters and lone surrogates excluded by JSON
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50).map(lambda t: "/" + t),
    st.sampled_from(["/start", "/start " + "A" * 64, "/export", "/summary", "/forgetme", "/mine", "/switch"]),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["a", "я", "😀", "\u202e", "\x00", " ", "\n", "ab "]),
        st.sampled_from([1, 4096, 4097, 10_000]),
    ),
)

entities = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(ENTITY_TYPES),
            "offset": st.integers(-5, 20_000),
            "length": st.integers(-5, 20_000),
        },
        optional={"url": st.text(max_size=20), "custom_emoji_id": st.text(max_size=5)},
    ),
    max_size=4,
)


def _user(draw: st.DrawFn) -> dict[str, Any]:
    user: dict[str, Any] = {"id": next(_ids), "is_bot": False, "first_name": draw(st.text(max_size=80))}
    for key in ("last_name", "username", "language_code"):
        if draw(st.booleans()):
            user[key] = draw(st.text(max_size=40))
    return user


@st.composite
def private_text_updates(draw: st.DrawFn) -> dict[str, Any]:
    user = _user(draw)
    text = draw(texts)
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 2**31 - 1)),
        "date": draw(st.integers(0, 2**31 - 1)),
        "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        "from": user,
        "text": text,
    }
    if draw(st.booleans()):
        message["entities"] = draw(entities)
    if draw(st.booleans()):
        message["reply_to_message"] = {"message_id": 1, "date": 0, "chat": message["chat"]}
    return {"message": message}


@st.composite
def odd_updates(draw: st.DrawFn) -> dict[str, Any]:
    """Updates that need no answer but must not break anything."""
    user = _user(draw)
    chat_id = draw(st.sampled_from([user["id"], -1001234, -42]))
    chat = {
        "id": chat_id,
        "type": "private" if chat_id > 0 else draw(st.sampled_from(["group", "supergroup", "channel"])),
    }
    base = {"message_id": draw(st.integers(1, 10_000)), "date": 0, "chat": chat}
    kind = draw(
        st.sampled_from(
            [
                "no_from",
                "no_text",
                "sticker",
                "callback",
                "unknown",
                "channel_post",
                "edited",
                "member",
                "reaction",
                "group_text",
                "bot_user",
            ]
        )
    )
    if kind == "no_from":
        return {"message": {**base, "text": draw(texts)}}
    if kind == "no_text":
        return {"message": {**base, "from": user}}
    if kind == "sticker":
        sticker = {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return {"message": {**base, "from": user, "sticker": sticker}}
    if kind == "callback":
        return {
            "callback_query": {
                "id": str(draw(st.integers(0, 10**9))),
                "from": user,
                "chat_instance": "c",
                "data": draw(st.text(max_size=100)),
                "message": {**base, "text": "q"},
            }
        }
    if kind == "unknown":
        return {
            draw(st.sampled_from(["future_update_kind", "x_unknown", "updateNew"])): {
                "whatever": draw(st.text(max_size=20))
            }
        }
    if kind == "channel_post":
        return {"channel_post": {**base, "chat": {"id": -100777, "type": "channel"}, "text": draw(texts)}}
    if kind == "edited":
        return {"edited_message": {**base, "from": user, "text": draw(texts), "edit_date": 1}}
    if kind == "member":
        member = {"user": user, "status": "member"}
        return {
            "my_chat_member": {
                "chat": chat,
                "from": user,
                "date": 0,
                "old_chat_member": member,
                "new_chat_member": {"user": user, "status": "kicked", "until_date": 0},
            }
        }
    if kind == "reaction":
        return {
            "message_reaction": {
                "chat": chat,
                "message_id": 1,
                "date": 0,
                "user": user,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        }
    if kind == "group_text":
        return {
            "message": {
                **base,
                "chat": {"id": -4242, "type": "group", "title": "t"},
                "from": user,
                "text": draw(texts),
            }
        }
    return {"message": {**base, "from": {**user, "is_bot": True}, "text": draw(texts)}}


async def _settle(bot_api: FakeBotApi, update_id: int, timeout: float = 30.0) -> None:
    await bot_api.wait_for(lambda: bot_api.confirmed_offset > update_id, timeout=timeout)


def _no_errors(error_log: ErrorLog) -> None:
    assert not error_log.records, "\n".join(error_log.lines())


@pytest.fixture
async def fuzz_bot(bot_api: FakeBotApi, fast_services, error_log: ErrorLog):
    async with running_bot(lambda: fast_services(flood_messages=100_000)) as services:
        _, code = await new_plan(bot_api)
        people = [await join(bot_api, code, name) for name in ("Wanjiru", "Kofi", "Mai")]
        yield bot_api, services, people


HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(update=private_text_updates())
async def test_every_private_text_from_a_newcomer_gets_a_reply(update, fuzz_bot, error_log: ErrorLog) -> None:
    bot_api, _, _ = fuzz_bot
    user = update["message"]["from"]["id"]
    update_id = bot_api.push_update(update)
    await bot_api.wait_for_messages(user, 1, timeout=30)
    await _settle(bot_api, update_id)
    _no_errors(error_log)


@HYPOTHESIS
@given(text=texts, person=st.integers(0, 2), ents=st.one_of(st.none(), entities))
async def test_stakeholders_mid_interview_always_get_a_reply(text, person, ents, fuzz_bot, error_log) -> None:
    bot_api, _, people = fuzz_bot
    chat: ScriptedChat = people[person]
    before = len(chat.messages)
    extra = {} if ents is None else {"entities": ents}
    update_id = bot_api.send_text(chat.user, text, **extra)
    await bot_api.wait_for_messages(chat.user, before + 1, timeout=30)
    await _settle(bot_api, update_id)
    _no_errors(error_log)


@HYPOTHESIS
@given(update=odd_updates())
async def test_odd_and_unknown_updates_break_nothing(update, fuzz_bot, error_log: ErrorLog) -> None:
    bot_api, _, people = fuzz_bot
    update_id = bot_api.push_update(update)
    await _settle(bot_api, update_id)  # handled, error handler included: nothing more can come of it
    _no_errors(error_log)
    # the bot still serves people normally afterwards
    chat = people[0]
    replies = await chat.say("the milk price is too low")
    assert replies


def test_every_generated_update_is_one_telegram_would_parse() -> None:
    """The generators stay within what Update.de_json accepts, so the bot sees them as Telegram sends them."""

    @settings(max_examples=200, deadline=None)
    @given(update=st.one_of(private_text_updates(), odd_updates()))
    def parse(update: dict[str, Any]) -> None:
        assert Update.de_json({"update_id": 1, **update}, None) is not None

    parse()


@pytest.mark.parametrize("length", [4096, 4097, 10_000])
async def test_very_long_texts_are_answered_and_never_stored_half(length, fuzz_bot, error_log) -> None:
    _, services, people = fuzz_bot
    chat = people[1]
    text = ("cashew buyers pay late " * 1000)[:length]
    replies = await chat.say(text)
    with services.db.session() as session:
        query = select(StoredInput.text).where(StoredInput.text.like("cashew buyers%"))
        stored = list(session.scalars(query))
    if length > MAX_MESSAGE_CHARS:
        assert str(MAX_MESSAGE_CHARS) in replies[0].plain_text  # says what the limit is
        assert stored == []
    else:
        assert stored and all(len(t) <= length for t in stored)
    _no_errors(error_log)


async def test_a_group_chat_is_not_a_private_reply_target(fuzz_bot, error_log) -> None:
    bot_api, _, people = fuzz_bot
    group = bot_api.new_group()
    update_id = bot_api.send_text(people[2].user, "hello all", chat=group)
    await _settle(bot_api, update_id)
    assert bot_api.messages_to(group) == []
    _no_errors(error_log)


async def test_an_update_python_telegram_bot_cannot_read_is_dropped_and_polling_goes_on(
    fuzz_bot, error_log: ErrorLog
) -> None:
    bot_api, _, people = fuzz_bot
    chat = people[0]
    # a message without its chat and with a date that is not a date: Update.de_json fails on it
    bad = bot_api.push_update({"message": {"message_id": 999, "date": "soon", "text": "hi"}})
    before = len(chat.messages)
    good = bot_api.send_text(chat.user, "the feed price doubled since march")
    await bot_api.wait_for_messages(chat.user, before + 1, timeout=30)
    await _settle(bot_api, good)
    assert bot_api.confirmed_offset > bad
    dropped = [r for r in error_log.records if "cannot read" in r.getMessage()]
    assert len(dropped) == 1 and str(bad) in dropped[0].getMessage()
