"""Telegram's group side: commands in group chats, poll answers as votes, and the scheduled meeting nudge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application

from bot.engine.models import Reply
from bot.engine.outbox import Outgoing
from bot.messages import catalogue
from bot.telegram.delivery import RecordPoll
from bot.telegram.render import escape
from bot.telegram.translate import person_of, translate

if TYPE_CHECKING:
    from bot.telegram.app import BotState, PlanbotContext

log = logging.getLogger(__name__)

REMINDER_CHECK_SECONDS = 300.0  # how often the job looks for meetings coming up
REMINDER_FIRST_SECONDS = 30.0
REMINDER_JOB = "planbot-meeting-nudges"
OUTBOX_SWEEP_SECONDS = 5.0  # how often each worker looks for replies nobody is sending
OUTBOX_JOB = "planbot-outbox-sweep"


async def _in_executor(state: BotState, call: Callable[..., Any], *args: Any) -> Any:
    """The engine is synchronous (SQL): run it off the event loop, on the engine's threads."""
    return await asyncio.get_running_loop().run_in_executor(state.executor, call, *args)


def poll_recorder(state: BotState) -> RecordPoll:
    async def record(poll_id: int, transport_poll_id: str) -> None:
        await _in_executor(state, state.ready.engine.record_poll, poll_id, transport_poll_id)

    return record


async def deliver(state: BotState, bot: Any, replies: list[Reply]) -> int:
    """`Reply.to` replies through the paced sender; returns how many were delivered."""
    return await state.sender.deliver(bot, [r for r in replies if r.to], poll_recorder(state))


async def on_group_message(update: Update, context: PlanbotContext, send: Callable[..., Any]) -> None:
    """Only commands reach the engine from a group; an unlinked group gets one hint on a mention."""
    chat, message = update.effective_chat, update.effective_message
    state = context.bot_data
    if chat is None or message is None or not message.text or update.edited_message is not None:
        return
    translation = translate(update, state.username)
    if translation is not None and translation.incoming is not None and translation.incoming.command:
        await send(context, chat.id, await _call(state, translation))
        return
    username = state.username
    if not username or f"@{username.lower()}" not in message.text.lower():
        return  # chatter: never captured, never answered
    if await _in_executor(state, state.ready.engine.group_plan, f"tg-chat:{chat.id}") is not None:
        return  # a linked group: the bot only reacts to its commands
    await message.reply_text(escape(catalogue().text("telegram.group_hint")), parse_mode=ParseMode.HTML)


async def _call(state: BotState, translation: Any) -> list[Outgoing]:
    return await _in_executor(state, state.ready.engine.handle_durably, translation.person, translation.incoming)


async def on_poll_answer(update: Update, context: PlanbotContext) -> None:
    """A (non-anonymous) poll answer becomes the person's votes; an empty answer retracts them."""
    answer = update.poll_answer
    person = person_of(update)
    if answer is None or person is None:
        return  # a vote cast as a channel (voter_chat) is not a person's
    engine = context.bot_data.ready.engine
    await _in_executor(context.bot_data, engine.record_vote, answer.poll_id, person.key, list(answer.option_ids))


async def send_due_reminders(state: BotState, bot: Any) -> int:
    """Nudges stakeholders of plans whose meeting is near. The engine records them as sent and stores them in the
    outbox in one transaction, so each is sent once whichever worker runs the check, and after a crash too."""
    hours = state.ready.settings.reminder_hours_before
    queued = await _in_executor(state, lambda: state.ready.engine.queue_reminders(window=timedelta(hours=hours)))
    if not queued:
        return 0
    assert state.courier is not None
    sent = await state.courier.deliver(bot, queued, None, poll_recorder(state))
    log.info("meeting nudges: %d of %d delivered", sent, len(queued))
    return sent


async def reminder_job(context: PlanbotContext) -> None:
    try:
        await send_due_reminders(context.bot_data, context.bot)
    except Exception:
        log.exception("the meeting nudge job failed; it runs again in %.0f s", REMINDER_CHECK_SECONDS)


def schedule_reminders(application: Application, interval: float = REMINDER_CHECK_SECONDS) -> bool:
    """Runs the nudge check every few minutes on PTB's JobQueue (False when PTB was built without one)."""
    if application.job_queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]): meeting nudges are off")
        return False
    application.job_queue.run_repeating(
        reminder_job, interval=interval, first=REMINDER_FIRST_SECONDS, name=REMINDER_JOB
    )
    return True


async def outbox_job(context: PlanbotContext) -> None:
    state = context.bot_data
    if state.courier is None or state.services is None or "engine" not in state.services.__dict__:
        return  # not started yet
    try:
        await state.courier.sweep(context.bot, poll_recorder(state))
    except Exception:
        log.exception("the outbox sweep failed; it runs again in %.0f s", OUTBOX_SWEEP_SECONDS)


def schedule_outbox_sweep(application: Application, interval: float = OUTBOX_SWEEP_SECONDS) -> bool:
    """Every few seconds, on PTB's JobQueue: send the replies a crashed worker (or a passing failure) left owed."""
    if application.job_queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]): owed replies wait for a redelivery")
        return False
    application.job_queue.run_repeating(outbox_job, interval=interval, first=1.0, name=OUTBOX_JOB)
    return True
