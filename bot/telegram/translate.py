"""Turning a Telegram Update into the engine's transport-neutral `Person` and `Incoming`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from telegram import Message, Update

from bot.engine.models import Incoming, Person


class Unsupported(StrEnum):
    """Kinds of message planbot cannot take yet; each gets a clear reply from the catalogue."""

    photo = "photo"
    sticker = "sticker"
    video = "video"
    voice = "voice"
    audio = "audio"
    location = "location"
    contact = "contact"
    animation = "animation"
    video_note = "video_note"
    poll = "poll"
    other = "other"


@dataclass(frozen=True)
class Translation:
    person: Person
    incoming: Incoming | None = None
    unsupported: Unsupported | None = None
    document_file_id: str | None = None
    document_size: int | None = None


def person_of(update: Update) -> Person | None:
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Person(key=f"tg:{user.id}", display_name=name[:200], language=_language(user.language_code))


def _language(code: str | None) -> str | None:
    return code.split("-")[0].lower() if code else None


def source_id_of(message: Message) -> str:
    """The same Telegram message always maps to the same id, so a redelivery has no second effect."""
    return f"{message.chat.id}:{message.message_id}"


def _command(message: Message, bot_username: str | None) -> tuple[str, str] | None:
    text = message.text or ""
    if not text.startswith("/"):
        return None
    head, _, args = text.partition(" ")
    name, _, mention = head[1:].partition("@")
    if mention and bot_username and mention.lower() != bot_username.lower():
        return None  # a command addressed to another bot in a group
    if not name or not name.replace("_", "").isalnum():
        return None
    return name.lower(), args.strip()


def _unsupported(message: Message) -> Unsupported:
    for kind in Unsupported:
        if kind is not Unsupported.other and getattr(message, kind.value, None):
            return kind
    return Unsupported.other


def translate(update: Update, bot_username: str | None) -> Translation | None:
    """None for updates that carry nothing for the engine (e.g. from a bot, or of a kind we ignore)."""
    translation = _translate(update, bot_username)
    message = update.edited_message or update.message
    if translation is None or translation.incoming is None or message is None:
        return translation
    if message.chat.type == "private":
        return translation
    where = {"chat_key": f"tg-chat:{message.chat.id}", "chat_type": str(message.chat.type)}
    return replace(translation, incoming=translation.incoming.model_copy(update=where))


def _translate(update: Update, bot_username: str | None) -> Translation | None:
    person = person_of(update)
    if person is None:
        return None
    if update.callback_query is not None:
        query = update.callback_query
        return Translation(person, Incoming(choice=query.data or "", source_id=f"cb:{query.id}", content_type="choice"))
    message = update.edited_message or update.message
    if message is None:
        return None
    edited = update.edited_message is not None
    source_id = source_id_of(message)
    if message.text is not None:
        command = None if edited else _command(message, bot_username)
        if command is not None:
            name, args = command
            return Translation(person, Incoming(command=name, args=args, source_id=source_id))
        return Translation(person, Incoming(text=message.text, source_id=source_id, edited=edited))
    if message.caption and message.document is None:
        return Translation(person, Incoming(text=message.caption, source_id=source_id, edited=edited))
    if message.document is not None:
        return Translation(
            person,
            Incoming(
                content_type="document",
                document_name=message.document.file_name or "document",
                text=message.caption,
                source_id=source_id,
            ),
            document_file_id=message.document.file_id,
            document_size=message.document.file_size,
        )
    return Translation(person, unsupported=_unsupported(message))
