"""A loopback fake of the Telegram Bot API, so the real python-telegram-bot stack runs without Telegram.

Point PTB at it with ``ApplicationBuilder().base_url(server.base_url).base_file_url(server.base_file_url)``.
It keeps Telegram's behaviour where a bot can get it wrong: getUpdates offsets confirm and drop updates,
unconfirmed updates are delivered again (as after a crash), long polls return as soon as an update
arrives, HTML text and callback data are validated like Telegram does. Tests script users through
``send_text``/``press_button``/... and read what the bot did from ``messages_to``/``calls``.

Everything runs on the caller's event loop; call the scripting methods from that loop. This module must
stay importable without pytest: benchmark scripts and ``planbot demo`` use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import ClientSession, web

from planbot_testkit import updates as factory
from planbot_testkit.updates import FakeChat, FakeUser

if TYPE_CHECKING:
    from telegram.ext import Application, ApplicationBuilder

DEFAULT_TOKEN = "123456789:TEST-loopbackFakeBotApiToken_0000"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for a photo (documents may be larger)
MAX_PHOTO_SIDES = 10_000  # width + height of a photo, at most
MAX_PHOTO_RATIO = 20  # the longer side over the shorter, at most
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8"
MAX_CALLBACK_DATA = 64
MAX_LONG_POLL = 50.0

_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
    ]
)
_TAG = re.compile(r"^(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*$")
_HTML_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

# Form and multipart bodies carry every value as a string; these stay strings, the rest are JSON.
_STRING_PARAMS = frozenset(
    [
        "text",
        "caption",
        "question",
        "parse_mode",
        "caption_parse_mode",
        "question_parse_mode",
        "explanation",
        "explanation_parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "language_code",
        "action",
        "inline_message_id",
        "business_connection_id",
        "ip_address",
        "document",
        "photo",
        "voice",
        "video",
        "audio",
        "animation",
        "sticker",
        "thumbnail",
        "emoji",
        "title",
        "description",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "name",
        "short_description",
    ]
)
_CANONICAL_METHODS = [
    "getMe",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendDocument",
    "sendPhoto",
    "sendPoll",
    "stopPoll",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "getFile",
    "sendChatAction",
    "close",
    "logOut",
]


class BotApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            data["parameters"] = {"retry_after": self.retry_after}
        return data


def bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def parse_html(text: str) -> str:
    """Telegram's HTML parse mode: the plain text, or a 400 "can't parse entities" like Telegram's."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        offset = len(text[:i].encode())
        if char == "<":
            end = text.find(">", i)
            if end == -1:
                raise bad_request(f"can't parse entities: unclosed start tag at byte offset {offset}")
            match = _TAG.match(text[i + 1 : end])
            if match is None:
                raise bad_request(f"can't parse entities: unsupported start tag at byte offset {offset}")
            closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1] != name:
                    expected = f'"</{stack[-1]}>"' if stack else "no end tag"
                    raise bad_request(
                        f"can't parse entities: unmatched end tag at byte offset {offset}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                stack.pop()
            else:
                if name not in _HTML_TAGS or (name == "span" and "tg-spoiler" not in attrs):
                    raise bad_request(f'can\'t parse entities: unsupported start tag "{name}" at byte offset {offset}')
                stack.append(name)
            i = end + 1
        elif char == "&":
            match = _HTML_ENTITY.match(text, i)
            if match is None:
                raise bad_request(f"can't parse entities: unescaped '&' at byte offset {offset}")
            out.append(html.unescape(match.group(0)))
            i = match.end()
        elif char == ">":
            raise bad_request(f"can't parse entities: unescaped '>' at byte offset {offset}")
        else:
            out.append(char)
            i += 1
    if stack:
        raise bad_request(f"can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


@dataclass
class StoredFile:
    """A file the fake can serve through getFile and the download URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class RecordedCall:
    """One request the bot made: canonical method name, decoded params and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, StoredFile] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    error: str | None = None


@dataclass
class BotMessage:
    """A message the bot sent; edits update it in place so tests see its current state."""

    message_id: int
    chat_id: int
    kind: str
    text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    caption: str | None = None
    poll: dict[str, Any] | None = None
    photo: StoredFile | None = None
    sent_at: float = field(default_factory=time.monotonic)
    history: list[str] = field(default_factory=list)
    api: dict[str, Any] = field(default_factory=dict)

    @property
    def plain_text(self) -> str | None:
        """The text as the user reads it (tags stripped, entities decoded)."""
        raw = self.text if self.text is not None else self.caption
        if raw is None:
            return None
        return parse_html(raw) if (self.parse_mode or "").upper() == "HTML" else raw

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every inline keyboard button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def to_api(self) -> dict[str, Any]:
        return dict(self.api)


@dataclass
class _Poll:
    poll_id: str
    message: BotMessage
    voters: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class _Fault:
    method: str
    error: BotApiError
    times: int


@dataclass
class _Stall:
    method: str
    times: int
    chat_id: int | None


class _Poller:
    """One in-flight getUpdates; a newer one terminates it with 409, as Telegram does."""

    def __init__(self) -> None:
        self.terminated = False


class FakeBotApi:
    """The fake server plus its scripting API. Start with ``await server.start()`` or ``async with``."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "planbot_test_bot",
        bot_first_name: str = "planbot",
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 1,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the fake Bot API only listens on loopback, not {host!r}")
        bot_id, sep, _ = token.partition(":")
        if not sep or not bot_id.isdigit():
            raise ValueError("a bot token looks like '123456:secret'")
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.host = host
        self._requested_port = port
        self.port = 0
        self._runner: web.AppRunner | None = None

        self.users: list[FakeUser] = []
        self.chats: dict[int, FakeChat] = {}
        self.calls: list[RecordedCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.blocked_by: set[int] = set()
        self.delivery_counts: dict[int, int] = {}
        self.confirmed_offset = 0
        self.on_message: list[Callable[[BotMessage], None]] = []

        self._pending: list[dict[str, Any]] = []
        self._update_ids = itertools.count(first_update_id)
        self._user_ids = itertools.count(1001)
        self._group_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._bot_messages: dict[int, list[BotMessage]] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._user_message_ids: dict[int, int] = {}
        self._open_queries: set[str] = set()
        self._files: dict[str, StoredFile] = {}
        self._polls: dict[str, _Poll] = {}
        self._faults: list[_Fault] = []
        self._stalls: list[_Stall] = []
        self._unstalled = asyncio.Event()
        self._poller: _Poller | None = None
        self._offline = False
        self._offline_after_delivery = False
        self._stopping = False
        self._changed = asyncio.Event()

    # ---------------------------------------------------------------- lifecycle

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB's ``base_url`` (the token is appended by PTB)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_download)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._stopping = False

    async def stop(self) -> None:
        self._stopping = True
        self._unstalled.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def configure(self, builder: ApplicationBuilder) -> ApplicationBuilder:
        """Wire a PTB ``ApplicationBuilder`` to this server (token and both base URLs)."""
        return builder.token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    # ---------------------------------------------------------------- users and chats

    def new_user(
        self, first_name: str = "Amina", username: str | None = None, *, language_code: str | None = "en"
    ) -> FakeUser:
        user = FakeUser(next(self._user_ids), first_name, username, language_code=language_code)
        self.users.append(user)
        return user

    def new_group(self, title: str = "Dairy platform", *, chat_type: str = "group") -> FakeChat:
        chat = FakeChat(id=-(100_000 + next(self._group_ids)), type=chat_type, title=title)
        self.chats[chat.id] = chat
        return chat

    def block_bot(self, user: FakeUser) -> None:
        """The user blocks the bot: sends to them fail with 403 like Telegram."""
        self.blocked_by.add(user.id)

    def _chat_for(self, user: FakeUser, chat: FakeChat | None) -> FakeChat:
        if user not in self.users:
            self.users.append(user)
        chat = chat or FakeChat.private(user)
        self.chats.setdefault(chat.id, chat)
        if chat.type == "private":
            self.blocked_by.discard(user.id)  # writing to the bot means they unblocked it
        return chat

    def _learn_chats(self, update: dict[str, Any]) -> None:
        """Chats seen in an update become known, so the bot may answer there (as with Telegram)."""
        for value in update.values():
            if not isinstance(value, dict):
                continue
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int) and chat["id"] not in self.chats:
                fields = {k: chat[k] for k in ("type", "title", "username", "first_name") if k in chat}
                self.chats[chat["id"]] = FakeChat(id=chat["id"], **fields)

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    # ---------------------------------------------------------------- scripting: incoming updates

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (hostile or odd ones welcome); an ``update_id`` is assigned if missing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._learn_chats(update)
        self._pending.append(update)
        self._notify()
        return int(update["update_id"])

    def _push_message(self, user: FakeUser, chat: FakeChat | None, **content: Any) -> int:
        return self.push_message_update(self.compose_message(user, chat, **content))

    def compose_message(self, user: FakeUser, chat: FakeChat | None = None, **content: Any) -> dict[str, Any]:
        """The update a message of ``user`` would arrive in, not yet sent (``push_message_update`` sends it).

        Lets a test hand the very same message to a worker of its own first, as if that worker had taken it
        and crashed before answering, and then let Telegram deliver it again."""
        chat = self._chat_for(user, chat)
        msg = factory.message(self._next_message_id(chat.id), chat, user, **content)
        self._user_messages[(chat.id, msg["message_id"])] = msg
        return {"update_id": next(self._update_ids), "message": msg}

    def push_message_update(self, update: dict[str, Any]) -> int:
        update_id = self.push_update(update)
        self._user_message_ids[update_id] = update["message"]["message_id"]
        return update_id

    def message_id_of(self, update_id: int) -> int:
        """The message id of a message the scripted user sent in update ``update_id`` (to edit it later)."""
        return self._user_message_ids[update_id]

    def send_text(self, user: FakeUser, text: str, chat: FakeChat | None = None, **extra: Any) -> int:
        """The user types ``text``; commands and @mentions get entities like a Telegram client adds."""
        return self._push_message(user, chat, text=text, **extra)

    def send_command(
        self,
        user: FakeUser,
        command: str,
        args: str = "",
        chat: FakeChat | None = None,
        *,
        at_bot: bool = False,
    ) -> int:
        name = command.lstrip("/")
        if at_bot:
            name = f"{name}@{self.bot_user['username']}"
        return self.send_text(user, f"/{name} {args}".rstrip(), chat)

    def mention_text(self, text: str) -> str:
        """``text`` addressed to the bot in a group (``@bot text``)."""
        return f"@{self.bot_user['username']} {text}"

    def reply_to_bot(self, user: FakeUser, message: BotMessage, text: str) -> int:
        """The user replies (quotes) one of the bot's messages."""
        return self.send_text(user, text, self.chats.get(message.chat_id), reply_to_message=message.to_api())

    def _register_file(self, data: bytes, folder: str, ext: str, **meta: Any) -> StoredFile:
        n = next(self._file_ids)
        stored = StoredFile(
            file_id=f"FAKE-{folder}-{n:06d}-AgADBAAD",
            file_unique_id=f"U{n:08d}",
            file_path=f"{folder}/file_{n}.{ext}",
            data=data,
            **meta,
        )
        self._files[stored.file_id] = stored
        return stored

    def send_document(
        self,
        user: FakeUser,
        file_name: str,
        data: bytes,
        chat: FakeChat | None = None,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> int:
        """The user uploads a file; the bot can fetch it with getFile and download it."""
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self._register_file(data, "documents", ext, file_name=file_name, mime_type=mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        return self._push_message(user, chat, document=document, caption=caption)

    def send_photo(
        self, user: FakeUser, data: bytes = b"\xff\xd8fakejpeg", chat: FakeChat | None = None, *, caption=None
    ) -> int:
        stored = self._register_file(data, "photos", "jpg", mime_type="image/jpeg")
        sizes = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": w,
                "height": w,
                "file_size": len(data),
            }
            for w in (90, 320)
        ]
        return self._push_message(user, chat, photo=sizes, caption=caption)

    def send_voice(self, user: FakeUser, data: bytes = b"OggSfake", chat: FakeChat | None = None, *, duration=3):
        stored = self._register_file(data, "voice", "oga", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._push_message(user, chat, voice=voice)

    def send_video(self, user: FakeUser, data: bytes = b"fakemp4", chat: FakeChat | None = None, *, duration=5):
        stored = self._register_file(data, "videos", "mp4", mime_type="video/mp4")
        video = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 640,
            "height": 360,
            "duration": duration,
            "mime_type": "video/mp4",
            "file_size": len(data),
        }
        return self._push_message(user, chat, video=video)

    def send_sticker(self, user: FakeUser, emoji: str = "👍", chat: FakeChat | None = None) -> int:
        stored = self._register_file(b"RIFFfakewebp", "stickers", "webp", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._push_message(user, chat, sticker=sticker)

    def send_location(self, user: FakeUser, latitude: float, longitude: float, chat: FakeChat | None = None):
        return self._push_message(user, chat, location={"latitude": latitude, "longitude": longitude})

    def send_contact(
        self,
        user: FakeUser,
        phone_number: str,
        first_name: str,
        chat: FakeChat | None = None,
        *,
        user_id=None,
    ) -> int:
        contact = {"phone_number": phone_number, "first_name": first_name}
        if user_id is not None:
            contact["user_id"] = user_id
        return self._push_message(user, chat, contact=contact)

    def edit_text(self, user: FakeUser, message_id: int, new_text: str, chat: FakeChat | None = None) -> int:
        """The user edits one of their own earlier text messages (an ``edited_message`` update)."""
        chat = self._chat_for(user, chat)
        original = self._user_messages.get((chat.id, message_id))
        if original is None or original.get("from", {}).get("id") != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in chat {chat.id} to edit")
        update = factory.edited_message_update(next(self._update_ids), original, new_text)
        self._user_messages[(chat.id, message_id)] = update["edited_message"]
        return self.push_update(update)

    def press_button(self, user: FakeUser, message: BotMessage, data: str, *, check: bool = True) -> int:
        """The user taps an inline button on the bot's ``message``; ``check`` insists the button exists."""
        current = self._find_bot_message(message.chat_id, message.message_id)
        if current is None:
            raise ValueError(f"the bot sent no message {message.message_id} in chat {message.chat_id}")
        if check and data not in current.callback_data:
            raise ValueError(f"message {current.message_id} has no button {data!r}: {current.callback_data}")
        self._chat_for(user, self.chats.get(message.chat_id))
        update_id = next(self._update_ids)
        query_id = self.query_id_for(update_id)
        self._open_queries.add(query_id)
        return self.push_update(factory.callback_query_update(update_id, query_id, user, current.to_api(), data))

    @staticmethod
    def query_id_for(update_id: int) -> str:
        """The callback query id carried by the press_button update ``update_id``."""
        return f"cq{update_id}"

    def answer_for(self, update_id: int) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery params for a press_button update, if it answered."""
        return self.callback_answers.get(self.query_id_for(update_id))

    def poll_answer(self, user: FakeUser, poll_message: BotMessage, option_ids: Iterable[int]) -> int:
        """The user votes in a (non-anonymous) poll the bot sent; an empty list retracts the vote."""
        assert poll_message.poll is not None, "poll_answer needs a message the bot sent with sendPoll"
        poll = self._polls[poll_message.poll["id"]]
        options = list(option_ids)
        if poll.message.poll and poll.message.poll["is_closed"]:
            raise ValueError("the poll is closed")
        poll.voters[user.id] = options
        self._recount(poll)
        return self.push_update(factory.poll_answer_update(next(self._update_ids), poll.poll_id, user, options))

    def add_bot_to_group(self, user: FakeUser, chat: FakeChat) -> int:
        """``user`` adds the bot to ``chat`` (a ``my_chat_member`` update)."""
        self._chat_for(user, chat)
        return self.push_update(factory.my_chat_member_update(next(self._update_ids), chat, user, self.bot_user))

    # ---------------------------------------------------------------- scripting: faults

    def inject_error(
        self,
        method: str,
        code: int = 429,
        description: str | None = None,
        *,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` fail with this Bot API error (e.g. 429 flood wait)."""
        if code == 429 and retry_after is None:
            retry_after = 1
        text = description or (f"Too Many Requests: retry after {retry_after}" if code == 429 else "Bad Request")
        self._faults.append(_Fault(self._canonical(method), BotApiError(code, text, retry_after), times))

    def stall(self, method: str, *, times: int = 1, chat: int | FakeUser | FakeChat | None = None) -> None:
        """The next ``times`` calls of ``method`` (into ``chat``, if given) never get an answer and change nothing:
        the bot is left waiting as if Telegram had not received them. A bot killed meanwhile sent nothing; a
        living one gets 502 Bad Gateway at ``unstall()``. Stalled calls are recorded with error "stalled"."""
        chat_id = None if chat is None else self._chat_id(chat)
        self._unstalled = asyncio.Event()
        self._stalls.append(_Stall(self._canonical(method), times, chat_id))

    def unstall(self) -> None:
        self._stalls.clear()
        self._unstalled.set()

    def _stalled(self, method: str, params: dict[str, Any]) -> bool:
        for stall in self._stalls:
            if stall.method == method and stall.times > 0 and stall.chat_id in (None, params.get("chat_id")):
                stall.times -= 1
                return True
        return False

    def go_offline(self) -> None:
        """Telegram becomes unreachable: every request (and any waiting long poll) gets 502 Bad Gateway."""
        self._offline = True
        self._notify()

    def go_online(self) -> None:
        self._offline = False
        self._offline_after_delivery = False
        self._notify()

    def go_offline_after_next_delivery(self) -> None:
        """Cut the link right after the next getUpdates hands out updates, so they stay unconfirmed.

        That is a bot that crashed between receiving updates and confirming them: on restart
        Telegram delivers them again.
        """
        self._offline_after_delivery = True

    # ---------------------------------------------------------------- inspection

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an offset."""
        return list(self._pending)

    def messages_to(self, chat_id: int | FakeUser | FakeChat) -> list[BotMessage]:
        """The bot's messages in a chat, in the order sent (edits applied)."""
        return list(self._bot_messages.get(self._chat_id(chat_id), []))

    def last_message_to(self, chat_id: int | FakeUser | FakeChat) -> BotMessage | None:
        sent = self._bot_messages.get(self._chat_id(chat_id))
        return sent[-1] if sent else None

    def calls_to(self, method: str) -> list[RecordedCall]:
        name = self._canonical(method)
        return [call for call in self.calls if call.method == name]

    def commands_for(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        return list(self.commands.get((self._scope_key(scope), language_code), []))

    def file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every change) and return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{c.method}{'!' if c.error else ''}" for c in self.calls[-8:])
                raise TimeoutError(f"condition not met within {timeout}s; last calls: [{recent}]")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_messages(
        self, chat_id: int | FakeUser | FakeChat, n: int = 1, timeout: float = 30.0
    ) -> list[BotMessage]:
        """Wait until the bot has sent at least ``n`` messages in total to the chat; return them all."""
        return await self.wait_for(lambda: found if len(found := self.messages_to(chat_id)) >= n else None, timeout)

    async def wait_for_call(
        self, method: str, predicate: Callable[[RecordedCall], bool] | None = None, timeout: float = 30.0
    ) -> RecordedCall:
        name = self._canonical(method)

        def found() -> RecordedCall | None:
            for call in self.calls:
                if call.method == name and (predicate is None or predicate(call)):
                    return call
            return None

        return await self.wait_for(found, timeout)

    async def wait_until_confirmed(self, update_id: int, timeout: float = 30.0) -> None:
        """Wait until the bot confirmed ``update_id`` with a later getUpdates offset."""
        await self.wait_for(lambda: self.confirmed_offset > update_id, timeout)

    async def post_to_webhook(
        self, url: str, update: dict[str, Any], secret_token: str | None = None, *, timeout: float = 10.0
    ) -> int:
        """Deliver an update to a bot's webhook as Telegram would; returns the HTTP status."""
        host = urlsplit(url).hostname or ""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"post_to_webhook only posts to loopback, not {host!r}")
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._learn_chats(update)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token is not None else {}
        async with (
            ClientSession() as session,
            session.post(url, json=update, headers=headers, timeout=timeout) as response,
        ):
            await response.read()
            return response.status

    # ---------------------------------------------------------------- HTTP plumbing

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    @staticmethod
    def _canonical(method: str) -> str:
        lowered = method.lower()
        for name in _CANONICAL_METHODS:
            if name.lower() == lowered:
                return name
        return method

    @staticmethod
    def _chat_id(chat: int | FakeUser | FakeChat) -> int:
        return chat if isinstance(chat, int) else chat.id

    @staticmethod
    def _scope_key(scope: dict[str, Any] | None) -> str:
        if not scope or scope.get("type") == "default":
            return "default"
        return json.dumps(scope, sort_keys=True)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
        params: dict[str, Any] = dict(request.query)
        uploads: dict[str, tuple[str, bytes, str]] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise bad_request("invalid JSON body") from exc
                if not isinstance(body, dict):
                    raise bad_request("JSON body must be an object")
                return {**params, **body}, uploads
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = (value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value
        decoded: dict[str, Any] = {}
        for key, value in params.items():
            decoded[key] = self._decode(key, value) if isinstance(value, str) else value
        return decoded, uploads

    @staticmethod
    def _decode(key: str, value: str) -> Any:
        if key in _STRING_PARAMS:
            return value
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, dict | list | bool | int | float) else value

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").to_api(), status=401)
        method = self._canonical(request.match_info["method"])
        call = RecordedCall(method, {})
        try:
            if self._offline:
                raise BotApiError(502, "Bad Gateway")
            call.params, uploads = await self._read_params(request)
            self.calls.append(call)
            self._notify()
            self._apply_fault(method)
            if self._stalled(method, call.params):
                call.error = "stalled"
                self._notify()
                await self._unstalled.wait()
                raise BotApiError(502, "Bad Gateway")
            handler = getattr(self, f"_api_{method}", None)
            if handler is None or method not in _CANONICAL_METHODS:
                raise BotApiError(404, "Not Found: method not found")
            result = await handler(call, uploads)
        except BotApiError as error:
            call.error = error.description
            self._notify()
            return web.json_response(error.to_api(), status=error.code)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    def _apply_fault(self, method: str) -> None:
        for fault in self._faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                raise fault.error

    async def _handle_download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").to_api(), status=401)
        path = request.match_info["file_path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
        return web.json_response(BotApiError(404, "Not Found").to_api(), status=404)

    # ---------------------------------------------------------------- validation helpers

    def _target_chat(self, params: dict[str, Any]) -> FakeChat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise bad_request("chat not found")
        chat = self.chats[chat_id]
        if chat.type == "private" and chat_id in self.blocked_by:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _checked_text(raw: Any, parse_mode: Any, limit: int, what: str) -> str:
        if not isinstance(raw, str):
            raise bad_request(f"{what} must be a string")
        plain = parse_html(raw) if isinstance(parse_mode, str) and parse_mode.upper() == "HTML" else raw
        if not plain.strip():
            raise bad_request(f"{what} is empty")
        if len(plain) > limit:
            raise bad_request(f"{what} is too long")
        return plain

    @staticmethod
    def _checked_markup(markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                        raise bad_request("BUTTON_DATA_INVALID")
                elif not any(
                    k in button
                    for k in (
                        "url",
                        "switch_inline_query",
                        "web_app",
                        "login_url",
                        "switch_inline_query_current_chat",
                        "copy_text",
                        "pay",
                    )
                ):
                    raise bad_request("text buttons are unallowed in the inline keyboard")
        return markup

    def _find_bot_message(self, chat_id: int, message_id: Any) -> BotMessage | None:
        for sent in self._bot_messages.get(chat_id, []):
            if sent.message_id == message_id:
                return sent
        return None

    def _store(self, chat: FakeChat, sent: BotMessage, **content: Any) -> BotMessage:
        sent.api = factory.message(sent.message_id, chat, None, entities=[], **content)
        sent.api["from"] = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        if sent.reply_markup:
            sent.api["reply_markup"] = sent.reply_markup
        self._bot_messages.setdefault(chat.id, []).append(sent)
        for listener in self.on_message:
            listener(sent)
        return sent

    def _recount(self, poll: _Poll) -> None:
        assert poll.message.poll is not None
        counts = [0] * len(poll.message.poll["options"])
        for chosen in poll.voters.values():
            for index in chosen:
                if 0 <= index < len(counts):
                    counts[index] += 1
        for option, count in zip(poll.message.poll["options"], counts, strict=True):
            option["voter_count"] = count
        poll.message.poll["total_voter_count"] = sum(1 for chosen in poll.voters.values() if chosen)
        poll.message.api["poll"] = poll.message.poll

    # ---------------------------------------------------------------- Bot API methods

    async def _api_getMe(self, call: RecordedCall, uploads: dict) -> Any:
        return self.bot_user

    async def _api_getUpdates(self, call: RecordedCall, uploads: dict) -> Any:
        if self.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        params = call.params
        offset, limit, timeout = params.get("offset", 0), params.get("limit", 100), params.get("timeout", 0)
        if not all(isinstance(v, int | float) for v in (offset, limit, timeout)):
            raise bad_request("offset, limit and timeout must be numbers")
        self._confirm(int(offset))
        limit = min(max(int(limit), 1), 100)
        if self._poller is not None:
            self._poller.terminated = True
        poller = self._poller = _Poller()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(float(timeout), 0.0), MAX_LONG_POLL)
        try:
            while True:
                changed = self._changed
                if poller.terminated:
                    raise BotApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot "
                        "instance is running",
                    )
                if self._offline:
                    raise BotApiError(502, "Bad Gateway")
                allowed = params.get("allowed_updates")
                batch = [u for u in self._pending if not allowed or any(k in u for k in allowed)][:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._stopping:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
        finally:
            if self._poller is poller:
                self._poller = None
        for update in batch:
            self.delivery_counts[update["update_id"]] = self.delivery_counts.get(update["update_id"], 0) + 1
        if batch and self._offline_after_delivery:
            self._offline_after_delivery = False
            self._offline = True
        return batch

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = self._pending[offset:]
            if keep:
                self.confirmed_offset = max(self.confirmed_offset, keep[0]["update_id"])
            self._pending = keep
        elif offset > 0:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    async def _api_sendMessage(self, call: RecordedCall, uploads: dict) -> Any:
        params = call.params
        chat = self._target_chat(params)
        text = params.get("text")
        plain = self._checked_text(text, params.get("parse_mode"), MAX_TEXT, "message text")
        markup = self._checked_markup(params.get("reply_markup"))
        sent = BotMessage(
            self._next_message_id(chat.id),
            chat.id,
            "text",
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        return self._store(chat, sent, text=plain).to_api()

    async def _api_editMessageText(self, call: RecordedCall, uploads: dict) -> Any:
        params = call.params
        sent = self._editable(params)
        text = params.get("text")
        plain = self._checked_text(text, params.get("parse_mode"), MAX_TEXT, "message text")
        markup = self._checked_markup(params.get("reply_markup"))
        if sent.kind != "text":
            raise bad_request("there is no text in the message to edit")
        if text == sent.text and params.get("parse_mode") == sent.parse_mode and markup == sent.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        sent.history.append(sent.text or "")
        sent.text, sent.parse_mode, sent.reply_markup = text, params.get("parse_mode"), markup
        sent.api["text"] = plain
        sent.api["edit_date"] = factory.now()
        self._set_markup(sent, markup)
        return sent.to_api()

    async def _api_editMessageReplyMarkup(self, call: RecordedCall, uploads: dict) -> Any:
        sent = self._editable(call.params)
        markup = self._checked_markup(call.params.get("reply_markup"))
        if markup == sent.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        sent.reply_markup = markup
        sent.api["edit_date"] = factory.now()
        self._set_markup(sent, markup)
        return sent.to_api()

    @staticmethod
    def _set_markup(sent: BotMessage, markup: dict[str, Any] | None) -> None:
        if markup:
            sent.api["reply_markup"] = markup
        else:
            sent.api.pop("reply_markup", None)

    def _editable(self, params: dict[str, Any]) -> BotMessage:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the fake")
        chat = self._target_chat(params)
        sent = self._find_bot_message(chat.id, params.get("message_id"))
        if sent is None:
            raise bad_request("message to edit not found")
        return sent

    async def _api_answerCallbackQuery(self, call: RecordedCall, uploads: dict) -> Any:
        query_id = call.params.get("callback_query_id")
        if query_id not in self._open_queries:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = call.params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = dict(call.params)
        return True

    async def _api_sendDocument(self, call: RecordedCall, uploads: dict) -> Any:
        params = call.params
        chat = self._target_chat(params)
        value = params.get("document")
        if isinstance(value, str) and value.startswith("attach://"):
            value = None
            upload = uploads.get(params["document"].removeprefix("attach://"))
        else:
            upload = uploads.get("document")
        if upload is not None:
            file_name, data, mime = upload
            if not data:
                raise bad_request("file must be non-empty")
            ext = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
            stored = self._register_file(data, "documents", ext, file_name=file_name, mime_type=mime)
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
        else:
            raise bad_request(
                "wrong file identifier/HTTP URL specified" if value else "there is no document in the request"
            )
        call.files["document"] = stored
        caption, plain_caption, markup = self._caption_and_markup(params)
        sent = BotMessage(
            self._next_message_id(chat.id),
            chat.id,
            "document",
            document=stored,
            caption=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        return self._store(chat, sent, document=document, caption=plain_caption).to_api()

    def _caption_and_markup(self, params: dict) -> tuple[Any, str | None, Any]:
        """A file message's caption (as sent, and as the chat shows it once parsed) and its checked keyboard."""
        caption = params.get("caption")
        if not caption:
            return caption, None, self._checked_markup(params.get("reply_markup"))
        plain = self._checked_text(caption, params.get("parse_mode"), MAX_CAPTION, "message caption")
        return caption, plain, self._checked_markup(params.get("reply_markup"))

    async def _api_sendPhoto(self, call: RecordedCall, uploads: dict) -> Any:
        """A photo uploaded (multipart, as PTB sends bytes) or sent again by file_id; checked like Telegram checks
        it: an image (PNG or JPEG), at most 10 MB, sides that add up to at most 10000 and a ratio of at most 20."""
        params = call.params
        chat = self._target_chat(params)
        value = params.get("photo")
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
        else:
            upload = uploads.get("photo")
        if upload is not None:
            file_name, data, mime = upload
            if not data:
                raise bad_request("file must be non-empty")
            if len(data) > MAX_PHOTO_BYTES:
                raise bad_request("PHOTO_SAVE_FILE_INVALID")
            size = _image_size(data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > MAX_PHOTO_SIDES or max(size) > MAX_PHOTO_RATIO * max(min(size), 1):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            ext = "png" if data.startswith(_PNG) else "jpg"
            stored = self._register_file(data, "photos", ext, file_name=file_name, mime_type=mime or f"image/{ext}")
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
            width = height = 320
        else:
            raise bad_request(
                "wrong file identifier/HTTP URL specified" if value else "there is no photo in the request"
            )
        call.files["photo"] = stored
        caption, plain_caption, markup = self._caption_and_markup(params)
        sent = BotMessage(
            self._next_message_id(chat.id),
            chat.id,
            "photo",
            photo=stored,
            caption=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        sizes = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            }
        ]
        return self._store(chat, sent, photo=sizes, caption=plain_caption).to_api()

    async def _api_sendPoll(self, call: RecordedCall, uploads: dict) -> Any:
        params = call.params
        chat = self._target_chat(params)
        question = params.get("question")
        if not isinstance(question, str) or not 1 <= len(question) <= 300:
            raise bad_request("poll question length must not exceed 300")
        raw_options = params.get("options")
        if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 12:
            raise bad_request(
                "poll must have at least 2 option"
                if not raw_options or len(raw_options) < 2
                else "poll can't have more than 12 options"
            )
        options = []
        for option in raw_options:
            text = option.get("text") if isinstance(option, dict) else option
            if not isinstance(text, str) or not 1 <= len(text) <= 100:
                raise bad_request("poll options length must not exceed 100")
            options.append({"persistent_id": str(len(options)), "text": text, "voter_count": 0})
        markup = self._checked_markup(params.get("reply_markup"))
        poll_id = f"poll{next(self._file_ids)}"
        poll = {
            "id": poll_id,
            "question": question,
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": True,
            "members_only": False,
        }
        sent = BotMessage(self._next_message_id(chat.id), chat.id, "poll", poll=poll, reply_markup=markup)
        self._store(chat, sent, poll=poll)
        self._polls[poll_id] = _Poll(poll_id, sent)
        return sent.to_api()

    async def _api_stopPoll(self, call: RecordedCall, uploads: dict) -> Any:
        chat = self._target_chat(call.params)
        sent = self._find_bot_message(chat.id, call.params.get("message_id"))
        if sent is None or sent.poll is None:
            raise bad_request("message with poll to stop not found")
        if sent.poll["is_closed"]:
            raise bad_request("poll has already been closed")
        sent.poll["is_closed"] = True
        sent.api["poll"] = sent.poll
        return sent.poll

    async def _api_setMyCommands(self, call: RecordedCall, uploads: dict) -> Any:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(call.params.get("scope")), call.params.get("language_code", ""))
        self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _api_getMyCommands(self, call: RecordedCall, uploads: dict) -> Any:
        return self.commands_for(call.params.get("scope"), call.params.get("language_code", ""))

    async def _api_deleteMyCommands(self, call: RecordedCall, uploads: dict) -> Any:
        self.commands.pop((self._scope_key(call.params.get("scope")), call.params.get("language_code", "")), None)
        return True

    async def _api_deleteWebhook(self, call: RecordedCall, uploads: dict) -> Any:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            if self._pending:
                self.confirmed_offset = max(self.confirmed_offset, self._pending[-1]["update_id"] + 1)
            self._pending.clear()
        return True

    async def _api_setWebhook(self, call: RecordedCall, uploads: dict) -> Any:
        url = call.params.get("url", "")
        if not url:
            return await self._api_deleteWebhook(call, uploads)
        if not isinstance(url, str) or not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = call.params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {k: v for k, v in call.params.items() if k != "certificate"}
        return True

    async def _api_getWebhookInfo(self, call: RecordedCall, uploads: dict) -> Any:
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook and self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _api_getFile(self, call: RecordedCall, uploads: dict) -> Any:
        stored = self._files.get(call.params.get("file_id", ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return stored.to_api()

    async def _api_sendChatAction(self, call: RecordedCall, uploads: dict) -> Any:
        self._target_chat(call.params)
        return True

    async def _api_close(self, call: RecordedCall, uploads: dict) -> Any:
        return True

    async def _api_logOut(self, call: RecordedCall, uploads: dict) -> Any:
        return True


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG (from its header) or a JPEG (from its first frame); None: not an image."""
    if data.startswith(_PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(_JPEG):
        return None
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[at + 7 : at + 9], "big"), int.from_bytes(data[at + 5 : at + 7], "big")
        at += 2 + length
    return None


@contextlib.asynccontextmanager
async def polling(app: Application, *, timeout: float = 10.0) -> AsyncIterator[Application]:
    """Run a PTB ``Application`` in polling mode inside the current event loop, stopped cleanly after."""
    await app.initialize()
    await app.start()
    assert app.updater is not None, "the Application was built without an Updater"
    await app.updater.start_polling(poll_interval=0.0, timeout=timeout)
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
