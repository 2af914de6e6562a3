"""The real PTB Application on the loopback Bot API: Telegram's language_code picks the catalogue, /language changes
it, what the adapter says by itself follows it, and a sentence missing in a language is said in English."""

from __future__ import annotations

import pytest

from bot.messages import catalogue
from planbot_testkit.server import FakeBotApi
from tests.telegram.kit import INVITE_LINK, Chat, running_bot

pytestmark = [pytest.mark.telegram, pytest.mark.model]

SW = catalogue("sw")
FR = catalogue("fr")


async def _plan_code(server: FakeBotApi) -> str:
    facilitator = Chat(server, server.new_user("Fatma"))
    await facilitator.say("/newplan Pwani")
    await facilitator.say("tourism")
    created = await facilitator.say("Kilifi", expect=2)
    return INVITE_LINK.search("\n".join(m.plain_text for m in created)).group(2)


async def _join_in_swahili(server: FakeBotApi, code: str, name: str) -> tuple[Chat, str]:
    chat = Chat(server, server.new_user(name, language_code="sw"))
    consent = await chat.say(f"/start {code}")
    assert consent[-1].plain_text.endswith("Je, unakubali?")
    assert {"English", "Kiswahili", "Français"} <= {button["text"] for button in consent[-1].buttons}
    await chat.tap("Nakubali")
    await chat.tap("Mzalishaji")
    await chat.tap("Ndogo sana (watu 1-4)")
    first = await chat.tap("Ruka")
    return chat, first[-1].plain_text


async def test_a_swahili_phone_gets_swahili_and_language_switches_to_french(
    bot_api: FakeBotApi, services_factory
) -> None:
    async with running_bot(services_factory):
        assert any(c["command"] == "language" for c in bot_api.commands_for({"type": "all_private_chats"}, "sw"))
        code = await _plan_code(bot_api)
        juma, first = await _join_in_swahili(bot_api, code, "Juma")
        assert first == f"Swali 1 kati ya 8: {SW.text('interview.topics.constraints')}"
        assert [b["text"] for b in juma.messages[-1].buttons] == ["Kwa nini?", "Ruka", "Rudi"]

        asked = await juma.say("/language")
        assert asked[-1].plain_text == SW.text("language.ask")
        switched = await juma.choose("Français")
        assert switched[0].plain_text == FR.text("language.set", language="Français")
        assert switched[-1].plain_text == f"Question 1 sur 8 : {FR.text('interview.topics.constraints')}"
        answered = await juma.say("la route vers le marché est mauvaise")
        assert "Question 2 sur 8" in answered[-1].plain_text

        # what the adapter says by itself (a photo it cannot keep) is in the person's language too
        before = len(juma.messages)
        bot_api.send_photo(juma.user)
        await bot_api.wait_for_messages(juma.user, before + 1, timeout=30)
        assert juma.messages[before].plain_text == FR.text("telegram.unsupported.photo")


async def test_a_sentence_missing_in_swahili_reaches_the_person_in_english(
    bot_api: FakeBotApi, services_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(SW.raw("interview.topics"), "constraints")  # as if the translator had missed it
    async with running_bot(services_factory):
        code = await _plan_code(bot_api)
        _, first = await _join_in_swahili(bot_api, code, "Rehema")
        assert first == f"Swali 1 kati ya 8: {catalogue('en').text('interview.topics.constraints')}"
