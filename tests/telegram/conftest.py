"""Fixtures for tests that run the real python-telegram-bot stack against the loopback fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.bot_api import DEFAULT_TOKEN, FakeBotApi


@pytest.fixture
def bot_token() -> str:
    """A token in Telegram's shape (``<bot id>:<secret>``); it only ever reaches 127.0.0.1."""
    return DEFAULT_TOKEN


@pytest.fixture
async def bot_api(bot_token: str) -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API server on a random loopback port, stopped after the test."""
    server = FakeBotApi(bot_token)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


from tests.telegram.kit import services_factory  # noqa: E402, F401 - the fixture, shared by the bot's tests
