"""planbot's real PTB Application, polling the loopback fake Bot API server, end to end."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import Services
from bot.settings import load_settings
from bot.storage.plan_models import StoredInput
from bot.telegram.app import build_application, post_init, post_shutdown
from tests.fakes.bot_api import BotMessage, FakeBotApi, polling
from tests.fakes.updates import FakeUser

pytestmark = [pytest.mark.telegram, pytest.mark.model]

INVITE_LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]{22,64})")


class Chat:
    """One person's private chat with the bot, as the person sees it."""

    def __init__(self, server: FakeBotApi, user: FakeUser) -> None:
        self.server = server
        self.user = user

    @property
    def messages(self) -> list[BotMessage]:
        return self.server.messages_to(self.user)

    async def _after(self, push: Callable[[], int], expect: int) -> list[BotMessage]:
        before = len(self.messages)
        push()
        await self.server.wait_for_messages(self.user, before + expect, timeout=30)
        return self.messages[before:]

    async def say(self, text: str, expect: int = 1) -> list[BotMessage]:
        return await self._after(lambda: self.server.send_text(self.user, text), expect)

    async def tap(self, label: str, expect: int = 1) -> list[BotMessage]:
        message = next(m for m in reversed(self.messages) if any(b["text"] == label for b in m.buttons))
        data = next(b["callback_data"] for b in message.buttons if b["text"] == label)
        return await self._after(lambda: self.server.press_button(self.user, message, data), expect)

    @property
    def last(self) -> str:
        return self.messages[-1].plain_text or ""


@pytest.fixture
def services_factory(real_embeddings, tmp_path: Path, bot_api: FakeBotApi, bot_token: str):
    def make() -> Services:
        settings = load_settings(
            data_dir=tmp_path / "data", telegram_bot_token=bot_token, telegram_base_url=bot_api.base_url
        )
        return Services(settings, embeddings_override=real_embeddings)

    return make


@asynccontextmanager
async def running_bot(make: Callable[[], Services]) -> AsyncIterator[Services]:
    """As `run_polling` does it, inside the test's event loop: post_init before, post_shutdown after."""
    services = make()
    application = build_application(services)
    await post_init(application)
    try:
        async with polling(application):
            yield services
    finally:
        await post_shutdown(application)


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

        summary = await facilitator.say("/summary")
        text = summary[0].plain_text
        assert "plastic" in text and "ice" in text
        refused = await hotel.say("/summary")
        assert "Only facilitators" in refused[0].plain_text

        with services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(StoredInput)) >= 3


    # the process stops mid-interview and starts again: the stakeholder continues at the same question
    async with running_bot(services_factory):
        replies = await fishers.say("tourists ask for fresh fish dinners")
        assert "Question 3 of 8" in replies[-1].plain_text
