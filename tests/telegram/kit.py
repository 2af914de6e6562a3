"""Helpers for driving planbot's real PTB Application through the loopback fake Bot API server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import load_settings
from bot.telegram.app import build_application, post_init, post_shutdown
from tests.fakes.bot_api import BotMessage, FakeBotApi, polling
from tests.fakes.updates import FakeUser

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


def make_services_factory(real_embeddings, tmp_path: Path, bot_api: FakeBotApi, bot_token: str):
    def make(**overrides: object) -> Services:
        settings = load_settings(
            data_dir=tmp_path / "data", telegram_bot_token=bot_token, telegram_base_url=bot_api.base_url, **overrides
        )
        return Services(settings, embeddings_override=real_embeddings)

    return make


@pytest.fixture
def services_factory(real_embeddings, tmp_path: Path, bot_api: FakeBotApi, bot_token: str):
    return make_services_factory(real_embeddings, tmp_path, bot_api, bot_token)


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
