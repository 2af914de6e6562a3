"""Delivering engine replies on Telegram: to the sender's chat, and `Reply.to` replies to other chats.

Replies addressed to others (reminders, polls, views asked) can go out in bulk, so they are paced per chat
(Telegram allows about one message a second in one chat; the overall 30/s is PTB's AIORateLimiter's job)
and one unreachable person (blocked the bot, never opened a chat) is logged and skipped, never stopping
the rest.

Replies the engine stored in the outbox go through the `Courier`: it renews the claim before each reply,
records each part of a long reply once Telegram has it, and deletes the row when the reply is all sent. A
passing failure (Telegram unreachable, a timeout, a flood wait) leaves the reply and the chat's later ones
owed, in order, for the next sweep; a lasting one (blocked, chat not found) gives the reply up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, TelegramError

from bot.engine.models import Reply
from bot.engine.outbox import Outbox, Outgoing
from bot.telegram.render import caption, escape, keyboard, split_message

log = logging.getLogger(__name__)

PERSON_PREFIX = "tg:"
GROUP_PREFIX = "tg-chat:"
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat

RecordPoll = Callable[[int, str], Awaitable[None]]
OnPart = Callable[[int], Awaitable[None]]
LASTING = (Forbidden, BadRequest, ChatMigrated, InvalidToken)  # sending again would fail again


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


def _parts(bot: Bot, chat_id: int, reply: Reply, record_poll: RecordPoll | None) -> list[Callable[[], Awaitable[Any]]]:
    """The Telegram messages one reply takes, in order: a native poll, or its photo (with its caption), text parts
    (buttons on the last) and then its files. Each part is sent once: a resend starts after the parts sent."""
    if reply.poll is not None:
        spec = reply.poll

        async def poll() -> None:
            message = await bot.send_poll(
                chat_id,
                spec.question,
                spec.options,
                is_anonymous=False,
                allows_multiple_answers=spec.multiple,
            )
            if record_poll is not None and message.poll is not None:
                await record_poll(spec.poll_id, message.poll.id)

        return [poll]
    parts: list[Callable[[], Awaitable[Any]]] = []
    if reply.photo is not None:
        photo = reply.photo
        under = caption(photo.caption)
        parts.append(
            lambda: bot.send_photo(
                chat_id,
                photo=photo.content,
                caption=under or None,
                parse_mode=ParseMode.HTML if under else None,
                filename=photo.name,
            )
        )
    texts = split_message(escape(reply.text)) if reply.text.strip() or reply.photo is None else []
    for n, part in enumerate(texts):
        markup = keyboard(reply.choices) if n == len(texts) - 1 else None
        parts.append(
            lambda part=part, markup=markup: bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
            )
        )
    for attachment in reply.files:
        parts.append(
            lambda attachment=attachment: bot.send_document(
                chat_id, document=attachment.content, filename=attachment.name
            )
        )
    return parts


async def send_reply(
    bot: Bot,
    chat_id: int,
    reply: Reply,
    record_poll: RecordPoll | None = None,
    *,
    skip: int = 0,
    on_part: OnPart | None = None,
) -> int:
    """One reply into one chat, from part `skip` on; `on_part(n)` after each part but the last. Returns the parts."""
    parts = _parts(bot, chat_id, reply, record_poll)
    for n in range(skip, len(parts)):
        await parts[n]()
        if on_part is not None and n + 1 < len(parts):
            await on_part(n + 1)
    return len(parts)


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

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """One sender at a time per chat, at least `interval` after the previous one."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            wait = self._last.get(chat_id, float("-inf")) + self.interval - self.clock()
            if wait > 0:
                await self.sleep(wait)
            try:
                yield
            finally:
                self._last[chat_id] = self.clock()
                self._forget_idle()

    async def send(self, bot: Bot, chat_id: int, reply: Reply, record_poll: RecordPoll | None = None) -> bool:
        """True when sent; False when Telegram refused it (logged, never raised)."""
        async with self.slot(chat_id):
            try:
                await send_reply(bot, chat_id, reply, record_poll)
            except Forbidden as exc:
                log.info("chat %s cannot be reached (%s); skipped", chat_id, exc.message)
                return False
            except TelegramError as exc:
                log.warning("could not deliver to chat %s: %s", chat_id, exc.message)
                return False
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


class Courier:
    """Sends what the engine stored in the outbox, and settles each row: sent, kept for later, or given up.

    The outbox's SQL runs on a small thread pool of its own, so bookkeeping never waits behind the engine.
    """

    def __init__(self, outbox: Outbox | Callable[[], Outbox], sender: PacedSender, threads: int = 2) -> None:
        self._outbox = outbox
        self.sender = sender
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="planbot-outbox")

    @property
    def outbox(self) -> Outbox:
        if not isinstance(self._outbox, Outbox):
            self._outbox = self._outbox()
        return self._outbox

    async def _sql(self, call: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, call, *args)

    async def deliver(
        self, bot: Bot, items: list[Outgoing], chat_id: int | None = None, record_poll: RecordPoll | None = None
    ) -> int:
        """Sends `items` in order (those without a recipient to `chat_id`); returns how many replies went out.

        After a passing failure the rest stay owed to the next sweep, so a chat never gets them out of order.
        """
        sent = 0
        for n, item in enumerate(items):
            outcome = await self._one(bot, item, chat_id, record_poll)
            if outcome == "later":
                await self._sql(self.outbox.release, [i.id for i in items[n + 1 :] if i.id is not None])
                break
            sent += outcome == "sent"
        return sent

    async def _one(self, bot: Bot, item: Outgoing, chat_id: int | None, record_poll: RecordPoll | None) -> str:
        """ "sent", "skipped" (someone else has it, or it cannot be sent) or "later" (a passing failure)."""
        reply = item.reply
        target = chat_id_of(item.recipient) if item.recipient else chat_id
        if target is None:
            log.warning("a reply addressed to %r is not for Telegram; dropped", item.recipient)
            if item.id is not None:
                await self._sql(self.outbox.sent, item.id)
            return "skipped"
        if item.id is None:  # a refusal that changed nothing: sent once, never stored
            try:
                await self._send(bot, target, reply, record_poll, 0, None)
            except TelegramError as exc:
                log.warning("could not deliver to chat %s: %s", target, exc.message)
                return "skipped"
            return "sent"
        row_id = item.id
        if not self.outbox.fresh(item) and not await self._sql(self.outbox.renew, row_id):
            return "skipped"  # taken over by another worker, or already sent
        done = item.parts_sent

        async def on_part(count: int) -> None:
            nonlocal done
            done = count
            await self._sql(self.outbox.progress, row_id, count)

        try:
            await self._send(bot, target, reply, record_poll, item.parts_sent, on_part)
        except LASTING as exc:
            log.info("chat %s refused a reply (%s); given up", target, exc.message)
            await self._sql(self.outbox.sent, row_id)
            return "skipped"
        except TelegramError as exc:
            kept = await self._sql(self.outbox.retry_later, row_id, done)
            log.warning(
                "could not deliver to chat %s (%s); %s", target, exc.message, "kept for later" if kept else "given up"
            )
            return "later" if kept else "skipped"
        await self._sql(self.outbox.sent, row_id)
        return "sent"

    async def _send(
        self, bot: Bot, chat_id: int, reply: Reply, record_poll: RecordPoll | None, skip: int, on_part: OnPart | None
    ) -> None:
        if reply.to is None:
            await send_reply(bot, chat_id, reply, record_poll, skip=skip, on_part=on_part)
            return
        async with self.sender.slot(chat_id):  # replies to others go out in bulk: paced per chat
            await send_reply(bot, chat_id, reply, record_poll, skip=skip, on_part=on_part)

    async def sweep(self, bot: Bot, record_poll: RecordPoll | None = None) -> int:
        """Sends what nobody is sending (left by a crash, or due for a retry); returns how many went out."""
        items = await self._sql(self.outbox.claim_due)
        if not items:
            return 0
        by_chat: dict[str, list[Outgoing]] = {}
        for item in items:
            by_chat.setdefault(item.recipient or "", []).append(item)
        counts = await asyncio.gather(*(self.deliver(bot, chat, None, record_poll) for chat in by_chat.values()))
        log.info("outbox sweep: %d of %d owed replies sent", sum(counts), len(items))
        return sum(counts)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
