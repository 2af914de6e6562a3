"""The PTB Application: built once from the services, handlers that make one engine call per Update."""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    CallbackQuery,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)

from bot.engine.models import Person, Reply
from bot.engine.outbox import Outgoing
from bot.errors import SettingsError
from bot.messages import DEFAULT_LANGUAGE, LANGUAGES, Catalogue, catalogue, language_code
from bot.services import Services
from bot.telegram import groups as tg_groups
from bot.telegram.confirming import build_bot
from bot.telegram.delivery import Courier, PacedSender, send_reply
from bot.telegram.ordering import PerPersonUpdateProcessor
from bot.telegram.render import escape, valid_callback_data
from bot.telegram.throttle import FloodThrottle, SharedFloodThrottle, Verdict
from bot.telegram.translate import Translation, person_of, translate

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{5,100}$")

PRIVATE_COMMANDS = ("start", "help", "plans", "switch", "mine", "forgetme", "cancel", "language")
FACILITATOR_COMMANDS = (
    "newplan",
    "invite",
    "roles",
    "planlanguage",
    "vision",
    "meeting",
    "summary",
    "notes",
    "propose",
    "check",
    "initiatives",
    "export",
    "remind",
    "vote",
)
GROUP_COMMANDS = ("linkgroup", "vote", "help")


@dataclass
class BotState:
    """What handlers need, built once in post_init and closed in post_shutdown (typed, not string-keyed)."""

    services: Services | None = None
    executor: ThreadPoolExecutor | None = None
    username: str | None = None
    sender: PacedSender = field(default_factory=PacedSender)
    throttle: FloodThrottle | SharedFloodThrottle | None = None
    courier: Courier | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> Services:
        if self.services is None:
            raise RuntimeError("the bot's services are not started")
        return self.services


class PlanbotContext(CallbackContext[ExtBot, dict, dict, BotState]):
    """The handlers' context: `context.bot_data` is the typed BotState."""


def validate_token(token: str | None) -> str:
    if not token:
        raise SettingsError("TELEGRAM_BOT_TOKEN: missing; `planbot run` needs the token from @BotFather")
    if not _TOKEN.match(token):
        raise SettingsError("TELEGRAM_BOT_TOKEN: malformed; expected digits, a colon and the secret (123456:ABC...)")
    return token


def file_base_url(base_url: str) -> str:
    """The file download URL that goes with a Bot API base URL (…/bot → …/file/bot)."""
    base = base_url.rstrip("/")
    return base[: -len("bot")] + "file/bot" if base.endswith("/bot") else base + "/file/bot"


async def _call_engine(context: PlanbotContext, translation: Translation) -> list[Outgoing]:
    """The engine is synchronous (SQL, embeddings): run it off the event loop. Its replies come back stored in the
    outbox (with the message's effects) and claimed by this worker."""
    state = context.bot_data
    engine = state.ready.engine
    incoming = translation.incoming
    if state.username:
        incoming = incoming.model_copy(update={"invite_link": f"https://t.me/{state.username}?start={{code}}"})
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(state.executor, engine.handle_durably, translation.person, incoming)


async def catalogue_of(context: PlanbotContext, person: Person | None) -> Catalogue:
    """The person's own catalogue, for what the adapter says by itself (media it cannot read, a file too big)."""
    if person is None:
        return catalogue()
    state = context.bot_data
    loop = asyncio.get_running_loop()
    return catalogue(await loop.run_in_executor(state.executor, state.ready.engine.language_of, person))


async def send_replies(context: PlanbotContext, chat_id: int, replies: list[Reply]) -> None:
    """Replies made here, not by the engine (nothing was applied): to `chat_id`, those with `to` paced."""
    state = context.bot_data
    for reply in replies:
        if reply.to is not None:
            await tg_groups.deliver(state, context.bot, [reply])
        else:
            await send_reply(context.bot, chat_id, reply, tg_groups.poll_recorder(state))


async def send_outgoing(context: PlanbotContext, chat_id: int, items: list[Outgoing]) -> None:
    """The engine's replies, sent and settled in the outbox; a reply without a recipient goes to `chat_id`."""
    state = context.bot_data
    assert state.courier is not None
    await state.courier.deliver(context.bot, items, chat_id, tg_groups.poll_recorder(state))


async def on_message(update: Update, context: PlanbotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    state = context.bot_data
    if chat.type != ChatType.PRIVATE:
        await _on_group_message(update, context)
        return
    translation = translate(update, state.username)
    if translation is None:
        return
    if not await _within_flood_limit(context, chat.id, translation):
        return
    if translation.unsupported is not None:
        messages = await catalogue_of(context, translation.person)
        key = f"telegram.unsupported.{translation.unsupported.value}"
        try:
            text = messages.text(key)
        except KeyError:
            text = messages.text("telegram.unsupported.other")
        await send_replies(context, chat.id, [Reply(text=text)])
        return
    if translation.document_file_id is not None:
        messages = await catalogue_of(context, translation.person)
        limit = state.ready.settings.max_file_bytes
        if translation.document_size and translation.document_size > limit:
            await send_replies(context, chat.id, [Reply(text=messages.text("telegram.file_too_large", limit=limit))])
            return
        telegram_file = await context.bot.get_file(translation.document_file_id)
        content = bytes(await telegram_file.download_as_bytearray())
        if len(content) > limit:
            await send_replies(context, chat.id, [Reply(text=messages.text("telegram.file_too_large", limit=limit))])
            return
        translation = Translation(
            translation.person, translation.incoming.model_copy(update={"document_bytes": content})
        )
    replies = await _call_engine(context, translation)
    await send_outgoing(context, chat.id, replies)


async def _within_flood_limit(context: PlanbotContext, chat_id: int, translation: Translation) -> bool:
    """Over the limit a message is not processed; the first refusal in a window says why."""
    state = context.bot_data
    throttle = state.throttle
    if throttle is None:
        return True
    if isinstance(throttle, SharedFloodThrottle):  # SQL: off the event loop, on the outbox's threads
        executor = state.courier.executor if state.courier is not None else state.executor
        verdict = await asyncio.get_running_loop().run_in_executor(executor, throttle.check, translation.person.key)
    else:
        verdict = throttle.check(translation.person.key)
    if verdict is Verdict.allow:
        return True
    log.info("throttled a message of %s", translation.person.key)
    if verdict is Verdict.refuse_and_tell:
        messages = await catalogue_of(context, translation.person)
        text = messages.text("reliability.throttled", seconds=round(throttle.seconds))
        await send_replies(context, chat_id, [Reply(text=text)])
    return False


async def _on_group_message(update: Update, context: PlanbotContext) -> None:
    """Only commands count in groups; unlinked groups get one short hint when the bot is mentioned."""
    await tg_groups.on_group_message(update, context, send_outgoing)


async def on_callback(update: Update, context: PlanbotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    if not valid_callback_data(query.data):
        messages = await catalogue_of(context, person_of(update))
        await _answer_query(query, messages.text("telegram.bad_button"))
        return
    translation = translate(update, context.bot_data.username)
    if translation is None or translation.incoming is None:
        await _answer_query(query)
        return
    replies = await _call_engine(context, translation)
    refusals = [item.reply for item in replies if item.reply.error and item.id is None]
    chat = update.effective_chat
    if refusals and len(refusals) == len(replies):
        if not await _answer_query(query, refusals[0].text[:200]) and chat is not None:
            await send_replies(context, chat.id, refusals[:1])
        return
    await _answer_query(query)
    if chat is not None:
        await send_outgoing(context, chat.id, replies)


async def _answer_query(query: CallbackQuery, alert: str | None = None) -> bool:
    """Answering a button press can fail (a redelivered press is too old): the replies still go out."""
    try:
        await query.answer(alert, show_alert=alert is not None)
        return True
    except TelegramError as exc:
        log.info("could not answer a button press: %s", exc)
        return False


async def on_error(update: object, context: PlanbotContext) -> None:
    log.error("update failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            user = update.effective_user  # no store read here: the store may be what failed
            messages = catalogue(language_code(user.language_code if user else None) or DEFAULT_LANGUAGE)
            await context.bot.send_message(update.effective_chat.id, escape(messages.text("engine.error")))
        except TelegramError:
            log.warning("could not tell the person about the error")


def _command_list(names: tuple[str, ...], language: str = DEFAULT_LANGUAGE) -> list[BotCommand]:
    messages = catalogue(language)
    commands = []
    for name in names:
        try:
            line = messages.text(f"engine.help.{name}")
        except KeyError:
            line = name
        description = line.split(" - ", 1)[-1][:256] or name
        commands.append(BotCommand(name, description))
    return commands


async def post_init(application: Application) -> None:
    state: BotState = application.bot_data
    services = state.ready
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(state.executor, lambda: services.engine)  # build (and warm) everything once
    me = await application.bot.get_me()
    state.username = me.username
    await application.bot.set_my_commands(
        _command_list(PRIVATE_COMMANDS + FACILITATOR_COMMANDS), scope=BotCommandScopeAllPrivateChats()
    )
    await application.bot.set_my_commands(_command_list(GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats())
    for language in LANGUAGES:  # Telegram shows each person the menu in their app's language, where it has one
        if language != DEFAULT_LANGUAGE:
            await application.bot.set_my_commands(
                _command_list(PRIVATE_COMMANDS + FACILITATOR_COMMANDS, language),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=language,
            )
    log.info("planbot is up as @%s", me.username)


async def post_shutdown(application: Application) -> None:
    state: BotState = application.bot_data
    if state.executor is not None:
        state.executor.shutdown(wait=True)
    if state.courier is not None:
        state.courier.close()
    if state.services is not None:
        if "engine" in state.services.__dict__:
            state.services.engine.outbox.close()  # this worker's claims are free for the others at once
        state.services.close()


def build_application(services: Services, *, workers: int = 4) -> Application:
    """The real PTB Application around the engine; the token and Bot API URL come from the settings."""
    settings = services.settings
    token = validate_token(settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None)
    state = BotState(services=services, executor=ThreadPoolExecutor(workers, thread_name_prefix="planbot-engine"))
    bot = build_bot(
        token,
        settings.telegram_base_url,
        file_base_url(settings.telegram_base_url),
        AIORateLimiter(overall_max_rate=30, overall_time_period=1, group_max_rate=20, max_retries=3),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=PlanbotContext, bot_data=BotState))
        .concurrent_updates(PerPersonUpdateProcessor(256))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    bot.confirm_after(application.update_queue.join)  # polling confirms only handled updates
    application.bot_data.services = state.services
    application.bot_data.executor = state.executor
    application.bot_data.throttle = SharedFloodThrottle(
        lambda: services.db, settings.flood_messages, settings.flood_seconds
    )  # one limit for every worker, kept across restarts
    application.bot_data.courier = Courier(lambda: services.engine.outbox, application.bot_data.sender)
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(PollAnswerHandler(tg_groups.on_poll_answer))
    application.add_handler(MessageHandler(filters.ALL, on_message))
    application.add_handler(TypeHandler(Update, _ignore), group=1)
    application.add_error_handler(on_error)
    tg_groups.schedule_reminders(application)
    tg_groups.schedule_outbox_sweep(application, tg_groups.OUTBOX_SWEEP_SECONDS)
    return application


async def _ignore(update: Update, context: PlanbotContext) -> None:
    """Updates of kinds planbot does not use (chat member changes, reactions...) need no reply."""
