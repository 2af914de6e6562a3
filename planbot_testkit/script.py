"""Playing a person in a private chat with the bot, and running the bot in-process as `run_polling` would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.services import Services
from bot.telegram.app import build_application, post_init, post_shutdown
from planbot_testkit.server import BotMessage, FakeBotApi, polling
from planbot_testkit.updates import FakeUser

INVITE_LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]{22,64})")


class ScriptedChat:
    """One person's private chat with the bot, as the person sees it."""

    def __init__(self, server: FakeBotApi, user: FakeUser, timeout: float = 60.0) -> None:
        self.server = server
        self.user = user
        self.timeout = timeout

    @property
    def messages(self) -> list[BotMessage]:
        return self.server.messages_to(self.user)

    async def _after(self, push: Callable[[], int], expect: int) -> list[BotMessage]:
        before = len(self.messages)
        update_id = push()
        await self.server.wait_for_messages(self.user, before + expect, timeout=self.timeout)
        await self.handled(update_id)
        return self.messages[before:]

    async def handled(self, update_id: int) -> None:
        """Wait until the bot has handled the update, replies and all. A polling planbot confirms an update (the
        offset of its next getUpdates) only once it has handled it, so that is the sign; by webhook the test
        itself awaits the 200, which comes after the handling."""
        if self.server.webhook is None:
            await self.server.wait_until_confirmed(update_id, timeout=self.timeout)

    async def settle(self, push: Callable[[], int]) -> list[BotMessage]:
        """Push an update and take every message the bot sends back for it: at least one, all of them once it has
        been handled (no guess at how long the bot may stay quiet)."""
        before = len(self.messages)
        update_id = push()
        await self.server.wait_for_messages(self.user, before + 1, timeout=self.timeout)
        await self.handled(update_id)
        return self.messages[before:]

    async def converse(self, text: str) -> list[BotMessage]:
        """Send a text and take every message the bot sends back, however many."""
        return await self.settle(lambda: self.server.send_text(self.user, text))

    async def choose(self, label: str) -> list[BotMessage]:
        """Tap a button and take every message the bot sends back, however many."""
        message, data = self.button(label)
        return await self.settle(lambda: self.server.press_button(self.user, message, data))

    async def say(self, text: str, expect: int = 1) -> list[BotMessage]:
        """Send a text and wait for `expect` messages from the bot."""
        return await self._after(lambda: self.server.send_text(self.user, text), expect)

    def button(self, label: str) -> tuple[BotMessage, str]:
        """The newest message offering a button with this label, and the button's data."""
        for message in reversed(self.messages):
            for button in message.buttons:
                if button["text"] == label:
                    return message, button["callback_data"]
        raise LookupError(f"no button {label!r} in the chat of {self.user.first_name}")

    async def tap(self, label: str, expect: int = 1) -> list[BotMessage]:
        message, data = self.button(label)
        return await self._after(lambda: self.server.press_button(self.user, message, data), expect)

    @property
    def last(self) -> str:
        return self.messages[-1].plain_text or ""


@asynccontextmanager
async def running_bot(make: Callable[[], Services]) -> AsyncIterator[Services]:
    """As `run_polling` does it, inside the caller's event loop: post_init before, post_shutdown after."""
    services = make()
    application = build_application(services)
    await post_init(application)
    try:
        async with polling(application):
            yield services
    finally:
        await post_shutdown(application)
