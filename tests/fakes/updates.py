"""Moved to `bot.telegram.loopback.updates`; kept importable for tests being migrated."""

from bot.telegram.loopback.updates import *  # noqa: F403
from bot.telegram.loopback.updates import FakeChat, FakeUser  # noqa: F401
