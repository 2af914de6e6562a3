"""Reliability fixtures: the loopback Bot API, a bot on the fast fake embedder, people who joined a plan."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import load_settings
from planbot_testkit import FakeBotApi
from planbot_testkit.script import INVITE_LINK, ScriptedChat
from tests.fakes.embeddings import HashingEmbeddings

STAKEHOLDER_STEPS = ("I agree", "Producer", "Micro (1-4 people)", "Skip")


@pytest.fixture
def fast_services(tmp_path: Path, bot_api: FakeBotApi, bot_token: str) -> Callable[..., Services]:
    """Services on HashingEmbeddings (the real engine, SQL and Chroma; only the model is a fake)."""

    def make(**overrides: object) -> Services:
        settings = load_settings(
            data_dir=tmp_path / "data",
            telegram_bot_token=bot_token,
            telegram_base_url=bot_api.base_url,
            **overrides,
        )
        return Services(settings, embeddings_override=HashingEmbeddings())

    return make


class ErrorLog(logging.Handler):
    """Collects ERROR records from planbot and python-telegram-bot: an unhandled exception shows up here."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage() for r in self.records]


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    loggers = [logging.getLogger(name) for name in ("bot", "telegram", "httpx")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def new_plan(bot_api: FakeBotApi, name: str = "Dairy", facilitator: str = "Fatma") -> tuple[ScriptedChat, str]:
    """A facilitator's new plan and its stakeholder invite code."""
    chat = ScriptedChat(bot_api, bot_api.new_user(facilitator))
    await chat.say(f"/newplan {name}")
    await chat.say(name.lower())
    created = await chat.say("Highlands", expect=2)
    code = INVITE_LINK.search("\n".join(m.plain_text or "" for m in created)).group(2)
    return chat, code


async def join(bot_api: FakeBotApi, code: str, name: str) -> ScriptedChat:
    """A stakeholder who opened the invite, agreed, gave a profile and now faces the first question."""
    chat = ScriptedChat(bot_api, bot_api.new_user(name))
    await chat.say(f"/start {code}")
    for label in STAKEHOLDER_STEPS:
        await chat.tap(label)
    return chat


async def say_all(chat: ScriptedChat, text: str) -> list:
    """Send a text and collect every reply to it: at least one, all of them once the bot has handled it."""
    return await chat.settle(lambda: chat.server.send_text(chat.user, text))
