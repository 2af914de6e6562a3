"""Moved to `bot.telegram.loopback` (the offline demo uses it too); kept importable for tests being migrated."""

from bot.telegram.loopback.server import *  # noqa: F403
from bot.telegram.loopback.server import DEFAULT_TOKEN, BotMessage, FakeBotApi, polling  # noqa: F401
