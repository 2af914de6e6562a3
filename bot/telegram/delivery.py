"""Delivering engine replies on Telegram: to the sender's chat, and `Reply.to` replies to other chats.

Replies addressed to others (reminders, polls, views asked) can go out in bulk, so they are paced per chat
(Telegram allows about one message a second in one chat; the overall 30/s is PTB's AIORateLimiter's job)
and one unreachable person (blocked the bot, never opened a chat) is logged and skipped, never stopping
the rest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.engine.models import Reply
from bot.telegram.render import escape, keyboard, split_message

log = logging.getLogger(__name__)

PERSON_PREFIX = "tg:"
GROUP_PREFIX = "tg-chat:"
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat

RecordPoll = Callable[[int, str], Awaitable[None]]


def chat_id_of(key: str) -> int | None:
    """The chat of a person key ("tg:<user id>": their private chat) or a group key ("tg-chat:<id>")."""
    for prefix in (GROUP_PREFIX, PERSON_PREFIX):
        if key.startswith(prefix):
            raw = key[len(prefix) :]
            try:
                return int(raw)
            except ValueError:
                return None
    return None


async def send_reply(bot: Bot, chat_id: int, reply: Reply, record_poll: RecordPoll | None = None) -> None:
    """One reply into one chat: a native poll, or escaped text in parts with the buttons on the last part."""
    if reply.poll is not None:
        spec = reply.poll
        message = await bot.send_poll(
            chat_id,
            spec.question,
            spec.options,
            is_anonymous=False,
            allows_multiple_answers=spec.multiple,
        )
        if record_poll is not None and message.poll is not None:
            await record_poll(spec.poll_id, message.poll.id)
        return
    parts = split_message(escape(reply.text))
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply.choices) if last else None,
            disable_web_page_preview=True,
        )
    for attachment in reply.files:
        await bot.send_document(chat_id, document=attachment.content, filename=attachment.name)


class PacedSender:
    """Sends `to` replies one chat at a time: at most one message per chat every `interval` seconds."""

    def __init__(
        self,
        interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def send(self, bot: Bot, chat_id: int, reply: Reply, record_poll: RecordPoll | None = None) -> bool:
        """True when sent; False when Telegram refused it (logged, never raised)."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            wait = self._last.get(chat_id, float("-inf")) + self.interval - self.clock()
            if wait > 0:
                await self.sleep(wait)
            try:
                await send_reply(bot, chat_id, reply, record_poll)
            except Forbidden as exc:
                log.info("chat %s cannot be reached (%s); skipped", chat_id, exc.message)
                return False
            except TelegramError as exc:
                log.warning("could not deliver to chat %s: %s", chat_id, exc.message)
                return False
            finally:
                self._last[chat_id] = self.clock()
                self._forget_idle()
        return True

    def _forget_idle(self, keep: int = 1000) -> None:
        """Chats whose pause is over need no entry; keeps the maps small on a long-running bot."""
        if len(self._last) <= keep:
            return
        cutoff = self.clock() - self.interval
        for chat_id in [c for c, at in self._last.items() if at < cutoff]:
            lock = self._locks.get(chat_id)
            if lock is None or not lock.locked():
                self._last.pop(chat_id, None)
                self._locks.pop(chat_id, None)

    async def deliver(self, bot: Bot, replies: list[Reply], record_poll: RecordPoll | None = None) -> int:
        """Replies addressed to others, in order; returns how many were delivered."""
        sent = 0
        for reply in replies:
            chat_id = chat_id_of(reply.to or "")
            if chat_id is None:
                log.warning("a reply addressed to %r is not for Telegram; skipped", reply.to)
                continue
            sent += await self.send(bot, chat_id, reply, record_poll)
        return sent
