"""Fixtures for the tests of the real python-telegram-bot stack (the loopback server's are in tests/conftest.py)."""

from tests.telegram.kit import services_factory  # noqa: F401 - the fixture, shared by the bot's tests
