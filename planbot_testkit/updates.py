"""Bot API update factories: plain dicts in Telegram's JSON shape.

They feed the fake Bot API server and also work directly with ``telegram.Update.de_json(data, bot)``
in unit tests, so an adapter can be tested without any HTTP at all. Entity offsets are counted in
UTF-16 code units, as Telegram does, so emoji in stakeholder messages do not shift commands.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}")


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user as the bot sees them."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat: private chats share the user's id, groups have negative ids."""

    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        return cls(id=user.id, type="private", username=user.username, first_name=user.first_name)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` and ``mention`` entities a Telegram client would attach to ``text``."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION.finditer(text):
        if not any(start <= match.start() < end for start, end, _ in found):
            found.append((match.start(), match.end(), "mention"))
    found.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in found
    ]


def now() -> int:
    return int(time.time())


def message(
    message_id: int,
    chat: FakeChat,
    user: FakeUser | None,
    *,
    text: str | None = None,
    date: int | None = None,
    entities: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Message object; ``text`` gets command/mention entities unless ``entities`` is given."""
    data: dict[str, Any] = {"message_id": message_id, "date": date or now(), "chat": chat.to_api()}
    if user is not None:
        data["from"] = user.to_api()
    if text is not None:
        data["text"] = text
        ents = text_entities(text) if entities is None else entities
        if ents:
            data["entities"] = ents
    data.update({key: value for key, value in extra.items() if value is not None})
    return data


def message_update(update_id: int, msg: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": update_id, "message": msg}


def text_update(
    update_id: int, user: FakeUser, text: str, *, chat: FakeChat | None = None, message_id: int = 1
) -> dict[str, Any]:
    """The commonest update: ``user`` types ``text`` (private chat unless ``chat`` is given)."""
    return message_update(update_id, message(message_id, chat or FakeChat.private(user), user, text=text))


def edited_message_update(update_id: int, msg: dict[str, Any], new_text: str) -> dict[str, Any]:
    edited = dict(msg)
    edited["text"] = new_text
    edited.pop("entities", None)
    ents = text_entities(new_text)
    if ents:
        edited["entities"] = ents
    edited["edit_date"] = now()
    return {"update_id": update_id, "edited_message": edited}


def callback_query_update(
    update_id: int,
    query_id: str,
    user: FakeUser,
    msg: dict[str, Any],
    data: str,
    *,
    chat_instance: str | None = None,
) -> dict[str, Any]:
    """A button press: ``msg`` is the bot's message that carried the inline keyboard."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id,
            "from": user.to_api(),
            "message": msg,
            "chat_instance": chat_instance or str(msg["chat"]["id"]),
            "data": data,
        },
    }


def poll_answer_update(
    update_id: int,
    poll_id: str,
    user: FakeUser,
    option_ids: list[int],
    option_persistent_ids: list[str] | None = None,
) -> dict[str, Any]:
    """A vote in a non-anonymous poll; persistent ids default to the option indexes as strings."""
    persistent = [str(i) for i in option_ids] if option_persistent_ids is None else option_persistent_ids
    return {
        "update_id": update_id,
        "poll_answer": {
            "poll_id": poll_id,
            "user": user.to_api(),
            "option_ids": list(option_ids),
            "option_persistent_ids": persistent,
        },
    }


def my_chat_member_update(
    update_id: int,
    chat: FakeChat,
    by: FakeUser,
    bot_user: dict[str, Any],
    *,
    old_status: str = "left",
    new_status: str = "member",
) -> dict[str, Any]:
    """The bot was added to (or removed from) a group by ``by``."""
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": now(),
            "old_chat_member": {"status": old_status, "user": bot_user},
            "new_chat_member": {"status": new_status, "user": bot_user},
        },
    }
