"""A loopback Bot API server: Telegram's HTTP API on 127.0.0.1, for the offline demo, the tests and benchmarks.

It speaks enough of the Bot API for python-telegram-bot to run unchanged against it (getUpdates with real offset
semantics, sendMessage with HTML validation, documents, polls, callbacks), and lets a script play the users.

A test double, so not part of the product: it is its own distribution (``planbot_testkit/pyproject.toml``), left
out of the planbot wheel. `make` installs it into the dev venv; elsewhere ``pip install ./planbot_testkit``.
"""

from planbot_testkit.server import DEFAULT_TOKEN, BotMessage, FakeBotApi, polling
from planbot_testkit.updates import FakeChat, FakeUser

__all__ = ["DEFAULT_TOKEN", "BotMessage", "FakeBotApi", "FakeChat", "FakeUser", "polling"]
