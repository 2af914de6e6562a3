"""A loopback Bot API server: Telegram's HTTP API on 127.0.0.1, for the offline demo, the tests and benchmarks.

It speaks enough of the Bot API for python-telegram-bot to run unchanged against it (getUpdates with real offset
semantics, sendMessage with HTML validation, documents, polls, callbacks), and lets a script play the users.
"""

from bot.telegram.loopback.server import DEFAULT_TOKEN, BotMessage, FakeBotApi, polling
from bot.telegram.loopback.updates import FakeChat, FakeUser

__all__ = ["DEFAULT_TOKEN", "BotMessage", "FakeBotApi", "FakeChat", "FakeUser", "polling"]
