"""planbot's real PTB Application, polling the loopback fake Bot API server, end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.storage.plan_models import StoredInput
from planbot_testkit.server import FakeBotApi
from tests.telegram.kit import INVITE_LINK, Chat, running_bot

pytestmark = [pytest.mark.telegram, pytest.mark.model]


async def _join(server: FakeBotApi, link: str, name: str, role: str, size: str) -> Chat:
    chat = Chat(server, server.new_user(name))
    code = INVITE_LINK.search(link).group(2)
    consent = await chat.say(f"/start {code}")
    assert "Do you agree?" in consent[-1].plain_text
    await chat.tap("I agree")
    await chat.tap(role)
    await chat.tap(size)
    replies = await chat.tap("Skip")
    assert "Question 1 of 8" in replies[-1].plain_text
    return chat


async def test_a_workshop_on_telegram(bot_api: FakeBotApi, services_factory) -> None:
    async with running_bot(services_factory) as services:
        assert bot_api.commands_for({"type": "all_private_chats"})
        facilitator = Chat(bot_api, bot_api.new_user("Fatma"))
        await facilitator.say("/newplan Coastal tourism")
        await facilitator.say("tourism")
        created = await facilitator.say("North coast", expect=2)
        invite_text = "\n".join(m.plain_text for m in created)
        links = INVITE_LINK.findall(invite_text)
        assert len(links) == 2 and links[0][0] == "planbot_test_bot"
        stakeholder_link = next(line for line in invite_text.splitlines() if "stakeholder" in line.lower())

        hotel = await _join(bot_api, stakeholder_link, "Hotel", "Hotel / tourism", "Medium (20-99)")
        guesthouse = await _join(bot_api, stakeholder_link, "Guesthouse", "Hotel / tourism", "Micro (1-4 people)")
        fishers = await _join(bot_api, stakeholder_link, "Fishers", "Producer", "Small (5-19)")

        hotel_answers = [
            "plastic waste on the beach keeps tourists away",
            "more tourists come for diving, they want clean reefs",
            "all hotels clean the beach together every month",
            "the hotel association chairman, everyone listens to him",
            "the fish market where hotels buy every morning",
            "try one joint clean-up day first",
            "a cleaner beach before the high season",
            "yes we can pay part of the bins",
        ]
        for answer in hotel_answers:
            replies = await hotel.say(answer)
        assert "that was the last question" in replies[-1].plain_text
        for answer in ["the beach is dirty with plastic, guests complain", *["skip"] * 7]:
            replies = await guesthouse.say(answer)
        assert "that was the last question" in replies[-1].plain_text
        await fishers.say("we have no ice so fish spoils before the hotels buy it")
        asked_before_restart = fishers.last
        assert "Question 2 of 8" in asked_before_restart

        # media get a clear reply and change nothing
        before = len(fishers.messages)
        bot_api.send_photo(fishers.user)
        bot_api.send_voice(fishers.user)
        await bot_api.wait_for_messages(fishers.user, before + 2, timeout=30)
        media_replies = [m.plain_text for m in fishers.messages[before:]]
        assert any("photo" in text for text in media_replies)
        assert any("voice" in text and "type" in text for text in media_replies)

        # a forged button changes nothing and gets a toast
        update_id = bot_api.press_button(hotel.user, hotel.messages[-1], "consent:yes", check=False)
        await bot_api.wait_for(lambda: bot_api.answer_for(update_id), timeout=30)
        assert bot_api.answer_for(update_id).get("show_alert") is True

        summary = await facilitator.say("/summary", expect=2)
        assert [m.kind for m in summary] == ["photo", "text"]  # the themes chart first, then the text
        text = summary[-1].plain_text
        assert "plastic" in text and "ice" in text
        exported = await facilitator.say("/export docx", expect=2)
        document = exported[-1].document
        assert document is not None and document.file_name.endswith(".docx")
        assert document.data[:2] == b"PK"  # a real DOCX (a zip)
        refused = await hotel.say("/summary")
        assert "Only facilitators" in refused[0].plain_text

        with services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(StoredInput)) >= 3

    # the process stops mid-interview and starts again: the stakeholder continues at the same question
    async with running_bot(services_factory):
        replies = await fishers.say("tourists ask for fresh fish dinners")
        assert "Question 3 of 8" in replies[-1].plain_text
