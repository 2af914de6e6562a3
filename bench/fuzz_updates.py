"""Generated Telegram updates through the real python-telegram-bot Application, counted: 0 unhandled exceptions.

    .venv/bin/python -m bench.fuzz_updates [--updates 10000] [--batch 10] [--seed 0] [--real-model]

Hypothesis draws updates of every kind Telegram sends (texts, captions on photos, videos and documents with
random bytes, entities with any offsets, callback data both real and made up, edited messages, channel posts,
polls, member changes, reactions, inline queries, kinds no Bot API has yet, chat types that do not exist, huge
and empty fields, from newcomers, from stakeholders mid-interview and from the facilitator). They go in batches
to planbot wired as `planbot run` wires it (`build_application`, polling the loopback fake Bot API on
127.0.0.1; SQL and Chroma real; the embedder is the fast hashing fake unless --real-model). After each batch:
every update handled and confirmed, an error record from planbot or python-telegram-bot (what the PTB error
handler logs for an unhandled exception) counted, each newcomer's private text answered, and a stakeholder who
is never fuzzed still answered. Prints the figure; exit 1 when any exception or silence was seen.

`tests/reliability/test_fuzz_updates.py` runs the same strategies and checks for a moderate number of examples.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import telegram
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as with_seed
from hypothesis import strategies as st

from planbot_testkit import FakeBotApi
from planbot_testkit.script import INVITE_LINK, ScriptedChat
from planbot_testkit.updates import FakeUser

_fresh_ids = itertools.count(7_000_000_000)
_query_ids = itertools.count(1)

COMMANDS = (
    "/start", "/help", "/plans", "/switch", "/mine", "/forgetme", "/cancel", "/newplan", "/invite", "/roles",
    "/vision", "/meeting", "/summary", "/notes", "/propose", "/check", "/initiatives", "/export", "/remind",
    "/vote", "/linkgroup", "/language", "/no_such_command", "/start@planbot_bot", "/START",
)  # fmt: skip
WORDS = ("I agree", "Skip", "Producer", "Micro (1-4 people)", "1", "2", "0", "-1", "99", "yes", "no", "/")
ENTITY_TYPES = (
    "bot_command", "mention", "hashtag", "cashtag", "url", "email", "phone_number", "bold", "italic", "underline",
    "strikethrough", "spoiler", "code", "pre", "text_link", "text_mention", "custom_emoji", "blockquote",
    "expandable_blockquote", "a_kind_from_the_future",
)  # fmt: skip
CHAT_TYPES = ("group", "supergroup", "channel", "sender", "secret", "", "a_chat_type_from_the_future")
REPEATED = ("a", "я", "😀", "\u202e", "\x00", " ", "\n", "ab ", "<b>", "&amp;", "*_`[", "\ufeff")
HUGE = (1, 4096, 4097, 10_000, 100_000)
FILE_HEADS = (
    b"", b"MZ\x90\x00\x03\x00", b"%PDF-1.4\n", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"# Notes\n\nthe cooling centre closes early\n", b"\xff\xfe", b"\x7fELF",
)  # fmt: skip
FILE_NAMES = ("report.pdf", "plan.docx", "notes.txt", "notes.md", "photo.png", "noext", "", "x" * 300 + ".pdf")
UPDATE_KINDS = (
    "message", "message", "message", "message", "media", "media", "edited", "channel", "callback", "callback",
    "group", "poll_answer", "member", "reaction", "inline", "join_request", "unknown",
)  # fmt: skip


@dataclass
class Targets:
    """The people, chats and buttons of the running bot the generated updates aim at (looked up at draw time)."""

    server: FakeBotApi
    people: list[FakeUser]  # fuzzed: the facilitator and stakeholders; never the probe

    def buttons(self) -> list[tuple[Any, str]]:
        """(bot message, callback data) of every button the bot offered the fuzzed people."""
        found = []
        for person in self.people:
            for message in self.server.messages_to(person)[-6:]:
                found.extend((message, data) for data in message.callback_data)
        return found

    def register_file(self, data: bytes, name: str) -> str:
        ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
        return self.server._register_file(data, "documents", ext or "bin", file_name=name).file_id


# ------------------------------------------------------------------------------------------------ strategies
def _repeated(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(REPEATED)) * draw(st.sampled_from(HUGE))


@st.composite
def texts(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.text(max_size=300))  # any Unicode, the empty string included
    if kind == 1:
        tail = draw(st.one_of(st.just(""), st.text(max_size=80).map(lambda t: " " + t)))
        return draw(st.sampled_from(COMMANDS)) + tail
    if kind == 2:
        return draw(st.sampled_from(WORDS))
    if kind == 3:
        return _repeated(draw)
    if kind == 4:
        return draw(st.sampled_from(["the milk price is too low", "feed costs too much", "the road is bad"]))
    return draw(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40))


def entities(length_hint: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    bound = max(length_hint, 1) * 2 + 5
    return st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(ENTITY_TYPES),
                "offset": st.integers(-3, bound),
                "length": st.integers(-3, bound),
            },
            optional={
                "url": st.text(max_size=30),
                "language": st.text(max_size=10),
                "custom_emoji_id": st.text(max_size=10),
                "user": st.builds(lambda i: {"id": i, "is_bot": False, "first_name": "x"}, st.integers(1, 2**40)),
            },
        ),
        max_size=5,
    )


def _fresh_user(draw: st.DrawFn) -> dict[str, Any]:
    first = draw(st.one_of(st.text(max_size=80), st.sampled_from(["", "x" * 10_000, "\u202eevil", "😀" * 300])))
    user: dict[str, Any] = {"id": next(_fresh_ids), "is_bot": draw(st.integers(0, 19)) == 0, "first_name": first}
    for key in ("last_name", "username"):
        if draw(st.booleans()):
            user[key] = draw(st.text(max_size=40))
    if draw(st.booleans()):
        user["language_code"] = draw(st.sampled_from(["en", "sw", "fr", "pt-BR", "zz", "", "EN-us", "x" * 50]))
    return user


def _user(draw: st.DrawFn, targets: Targets) -> dict[str, Any]:
    """A known person (their real Telegram shape) or a newcomer."""
    if targets.people and draw(st.booleans()):
        return draw(st.sampled_from(targets.people)).to_api()
    return _fresh_user(draw)


def _message(draw: st.DrawFn, chat: dict[str, Any], sender: dict[str, Any] | None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 2**31 - 1)),
        "date": draw(st.integers(0, 2**31 - 1)),
        "chat": chat,
    }
    if sender is not None:
        message["from"] = sender
    if draw(st.integers(0, 5)) == 0:
        message["reply_to_message"] = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": chat}
    if draw(st.integers(0, 7)) == 0:
        message["message_thread_id"] = draw(st.integers(-(2**31), 2**31 - 1))
    if draw(st.integers(0, 7)) == 0 and sender is not None:
        message["forward_origin"] = {"type": "user", "date": 0, "sender_user": sender}
    return message


def _with_text(draw: st.DrawFn, message: dict[str, Any]) -> dict[str, Any]:
    text = draw(texts())
    message["text"] = text
    if draw(st.booleans()):
        message["entities"] = draw(entities(len(text)))
    return message


def _with_media(draw: st.DrawFn, targets: Targets, message: dict[str, Any]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["document", "photo", "video", "voice", "audio", "animation", "sticker", "other"]))
    stored = {"file_id": "FAKE-none", "file_unique_id": "u"}
    if kind == "document":
        name = draw(st.sampled_from(FILE_NAMES))
        data = draw(st.sampled_from(FILE_HEADS)) + draw(st.binary(max_size=400))
        document: dict[str, Any] = {
            "file_id": targets.register_file(data, name),
            "file_unique_id": f"U{next(_query_ids)}",
            "file_size": draw(st.sampled_from([len(data), 0, 10**9, 2**31 - 1])),
        }
        if name:
            document["file_name"] = name
        if draw(st.booleans()):
            document["mime_type"] = draw(st.sampled_from(["application/pdf", "text/plain", "", "x/y"]))
        message["document"] = document
    elif kind == "photo":
        message["photo"] = [{**stored, "width": w, "height": w} for w in draw(st.lists(st.integers(0, 5000)))]
    elif kind in ("video", "animation"):
        message[kind] = {**stored, "width": 1, "height": 1, "duration": draw(st.integers(0, 10**6))}
    elif kind in ("voice", "audio"):
        message[kind] = {**stored, "duration": draw(st.integers(0, 10**6))}
    elif kind == "sticker":
        sticker = {"width": 1, "height": 1, "is_animated": False, "is_video": False, "type": "regular"}
        message["sticker"] = {**stored, **sticker}
    else:
        other = draw(st.sampled_from(["location", "contact", "dice", "venue", "new_chat_title", "poll"]))
        message.update(_other_content(draw, other))
    if draw(st.booleans()):
        caption = draw(texts())
        message["caption"] = caption
        if draw(st.booleans()):
            message["caption_entities"] = draw(entities(len(caption)))
    return message


def _other_content(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    if kind == "location":
        return {"location": {"latitude": 91.5, "longitude": -181.0}}
    if kind == "contact":
        return {"contact": {"phone_number": draw(st.text(max_size=30)), "first_name": ""}}
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": draw(st.integers(-5, 100))}}
    if kind == "venue":
        place = {"location": {"latitude": 0.0, "longitude": 0.0}, "title": draw(st.text(max_size=50)), "address": ""}
        return {"venue": place}
    if kind == "new_chat_title":
        return {"new_chat_title": draw(st.text(max_size=50))}
    poll = {
        "id": "p",
        "question": draw(st.text(max_size=50)),
        "options": [{"text": "a", "voter_count": 0, "persistent_id": "0"}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": True,
        "members_only": False,
    }
    return {"poll": poll}


def _private_chat(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def _odd_chat(draw: st.DrawFn) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": draw(st.integers(-(10**13), -1)), "type": draw(st.sampled_from(CHAT_TYPES))}
    if draw(st.booleans()):
        chat["title"] = draw(st.one_of(st.text(max_size=60), st.just("t" * 5000)))
    return chat


@st.composite
def updates(draw: st.DrawFn, targets: Targets) -> dict[str, Any]:
    """One update of any kind, from a known person or a newcomer."""
    kind = draw(st.sampled_from(UPDATE_KINDS))
    user = _user(draw, targets)
    if kind == "message":
        return {"message": _with_text(draw, _message(draw, _private_chat(user), user))}
    if kind == "media":
        return {"message": _with_media(draw, targets, _message(draw, _private_chat(user), user))}
    if kind == "edited":
        message = _message(draw, _private_chat(user), user)
        message = _with_text(draw, message) if draw(st.booleans()) else _with_media(draw, targets, message)
        message["edit_date"] = draw(st.integers(0, 2**31 - 1))
        return {"edited_message": message}
    if kind == "channel":
        chat = {"id": draw(st.integers(-(10**13), -1)), "type": "channel", "title": draw(st.text(max_size=30))}
        message = _message(draw, chat, None)
        message["sender_chat"] = chat
        message = _with_text(draw, message) if draw(st.booleans()) else _with_media(draw, targets, message)
        key = draw(st.sampled_from(["channel_post", "edited_channel_post"]))
        if key == "edited_channel_post":
            message["edit_date"] = 1
        return {key: message}
    if kind == "callback":
        return {"callback_query": _callback(draw, targets, user)}
    if kind == "group":
        sender = None if draw(st.integers(0, 4)) == 0 else user
        message = _message(draw, _odd_chat(draw), sender)
        if draw(st.integers(0, 3)) == 0:
            message["new_chat_members"] = [_fresh_user(draw) for _ in range(draw(st.integers(0, 3)))]
            return {"message": message}
        return {"message": _with_text(draw, message) if draw(st.booleans()) else _with_media(draw, targets, message)}
    if kind == "poll_answer":
        answer: dict[str, Any] = {
            "poll_id": draw(st.text(max_size=20)),
            "option_ids": draw(st.lists(st.integers(-1, 50), max_size=5)),
        }
        answer["option_persistent_ids"] = [str(option) for option in answer["option_ids"]]
        if draw(st.integers(0, 4)) == 0:
            answer["voter_chat"] = _odd_chat(draw)
        else:
            answer["user"] = user
        return {"poll_answer": answer}
    if kind == "member":
        statuses = st.sampled_from(sorted(MEMBER_FLAGS))
        chat = _odd_chat(draw) if draw(st.booleans()) else _private_chat(user)
        member = {
            "chat": chat,
            "from": user,
            "date": 0,
            "old_chat_member": {"user": user, "status": draw(statuses), "until_date": 0},
            "new_chat_member": {"user": user, "status": draw(statuses), "until_date": 0},
        }
        for status in (member["old_chat_member"], member["new_chat_member"]):
            status.update(MEMBER_FLAGS[status["status"]])
        return {draw(st.sampled_from(["my_chat_member", "chat_member"])): member}
    if kind == "reaction":
        emoji = {"type": "emoji", "emoji": draw(st.sampled_from(["👍", "🔥", "💩"]))}
        return {
            "message_reaction": {
                "chat": _private_chat(user),
                "message_id": draw(st.integers(1, 10**6)),
                "date": 0,
                "user": user,
                "old_reaction": [],
                "new_reaction": draw(st.lists(st.just(emoji), max_size=3)),
            }
        }
    if kind == "inline":
        if draw(st.booleans()):
            return {"inline_query": {"id": str(next(_query_ids)), "from": user, "query": draw(texts()), "offset": ""}}
        return {"chosen_inline_result": {"result_id": draw(st.text(max_size=9)), "from": user, "query": ""}}
    if kind == "join_request":
        return {
            "chat_join_request": {
                "chat": _odd_chat(draw),
                "from": user,
                "user_chat_id": user["id"],
                "date": 0,
                "bio": draw(st.text(max_size=70)),
            }
        }
    future = draw(st.sampled_from(["a_kind_from_the_future", "x_unknown", "updateNewThing"]))
    return {future: {"whatever": draw(st.text(max_size=20)), "n": draw(st.integers())}}


def _required_flags(cls: type) -> dict[str, bool]:
    """Every flag python-telegram-bot may require of a chat member of this kind (they grow with the Bot API)."""
    return {
        name: False
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if "bool" in str(parameter.annotation)
    }


MEMBER_FLAGS = {
    "creator": _required_flags(telegram.ChatMemberOwner),
    "administrator": _required_flags(telegram.ChatMemberAdministrator),
    "member": _required_flags(telegram.ChatMemberMember),
    "restricted": _required_flags(telegram.ChatMemberRestricted),
    "left": _required_flags(telegram.ChatMemberLeft),
    "kicked": _required_flags(telegram.ChatMemberBanned),
}


def _callback(draw: st.DrawFn, targets: Targets, user: dict[str, Any]) -> dict[str, Any]:
    """A made-up press, or (drawn the same way whatever the bot offers, so hypothesis can replay it) a real
    button of a real message, pressed by its owner or by someone else."""
    query: dict[str, Any] = {"id": f"fz{next(_query_ids)}", "from": user, "chat_instance": draw(st.text(max_size=20))}
    how, pick = draw(st.integers(0, 4)), draw(st.integers(0, 2**16))
    if draw(st.booleans()):
        query["message"] = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": _private_chat(user)}
    else:
        query["inline_message_id"] = draw(st.text(max_size=20))
    choice = draw(st.integers(0, 3))
    made_up = draw(st.one_of(st.text(max_size=100), st.sampled_from(["consent:yes", "x:" * 40, ""])))
    if choice == 0:
        query["game_short_name"] = draw(st.text(max_size=20))
    elif choice == 1:
        query["data"] = _repeated(draw)
    else:
        query["data"] = made_up
    offered = targets.buttons()
    if offered and how <= 1:
        message, data = offered[pick % len(offered)]
        query.pop("inline_message_id", None)
        query.pop("game_short_name", None)
        query["message"], query["data"] = message.to_api(), data
        if how == 0:
            query["from"] = {"id": message.chat_id, "is_bot": False, "first_name": "Owner"}
    return query


# ------------------------------------------------------------------------------------------ what is checked
class ErrorCount(logging.Handler):
    """ERROR records from planbot and python-telegram-bot: what an unhandled exception leaves (on_error logs it)."""

    LOGGERS = ("bot", "telegram", "httpx")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage() for r in self.records]

    def __enter__(self) -> ErrorCount:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


@dataclass
class Outcome:
    updates: int = 0
    errors: list[str] = field(default_factory=list)
    unanswered_newcomers: int = 0
    probe_silent: int = 0
    unanswered: list[dict[str, Any]] = field(default_factory=list)
    newcomer_texts: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, other: Outcome) -> None:
        self.updates += other.updates
        self.errors += other.errors
        self.unanswered_newcomers += other.unanswered_newcomers
        self.probe_silent += other.probe_silent
        self.unanswered += other.unanswered
        self.newcomer_texts += other.newcomer_texts
        self.kinds += other.kinds

    @property
    def clean(self) -> bool:
        return not self.errors and not self.unanswered_newcomers and not self.probe_silent


def _newcomers_text(targets: Targets, update: dict[str, Any]) -> bool:
    """A text someone new wrote to the bot in private: whatever it says, it must get a reply."""
    message = update.get("message") or {}
    sender = message.get("from") or {}
    known = {person.id for person in targets.people}
    return (
        message.get("chat", {}).get("type") == "private"
        and bool(message.get("text"))
        and not sender.get("is_bot", True)
        and sender.get("id") not in known
    )


async def deliver(
    targets: Targets, probe: ScriptedChat, batch: list[dict[str, Any]], errors: ErrorCount, timeout: float = 60.0
) -> Outcome:
    """Push a batch, wait until the bot has handled (and confirmed) all of it, then check what people saw."""
    server = targets.server
    seen = len(errors.records)
    last = 0
    for update in batch:
        last = server.push_update(update)
    await server.wait_until_confirmed(last, timeout=timeout)
    outcome = Outcome(updates=len(batch))
    texts_ = [update for update in batch if _newcomers_text(targets, update)]
    outcome.newcomer_texts = len(texts_)
    outcome.kinds = Counter(next(key for key in update if key != "update_id") for update in batch)
    outcome.unanswered = [u for u in texts_ if not server.messages_to(u["message"]["from"]["id"])]
    outcome.unanswered_newcomers = len(outcome.unanswered)
    try:
        await probe.converse("the milk price is too low this month")
    except TimeoutError:
        outcome.probe_silent = 1
    outcome.errors = [line for line in errors.lines()[seen:]]
    return outcome


async def setup(server: FakeBotApi) -> tuple[Targets, ScriptedChat]:
    """A plan, its facilitator and three stakeholders mid-interview (fuzzed), and one more (the probe)."""
    facilitator = ScriptedChat(server, server.new_user("Fatma"))
    await facilitator.say("/newplan Dairy")
    await facilitator.say("dairy")
    created = await facilitator.say("Highlands", expect=2)
    code = INVITE_LINK.search("\n".join(m.plain_text or "" for m in created)).group(2)
    chats = []
    for name in ("Wanjiru", "Kofi", "Mai", "Probe"):
        chat = ScriptedChat(server, server.new_user(name))
        await chat.say(f"/start {code}")
        for label in ("I agree", "Producer", "Micro (1-4 people)", "Skip"):
            await chat.tap(label)
        chats.append(chat)
    people = [facilitator.user] + [chat.user for chat in chats[:-1]]
    return Targets(server, people), chats[-1]


# ---------------------------------------------------------------------------------------------- the run
def make_services(data_dir: Path, server: FakeBotApi, real_model: bool) -> Callable[[], Any]:
    from bot.services import Services
    from bot.settings import load_settings

    def make() -> Services:
        settings = load_settings(
            data_dir=data_dir,
            telegram_bot_token=server.token,
            telegram_base_url=server.base_url,
            flood_messages=1_000_000,  # the fuzz is one person sending thousands: the flood limit is tested apart
        )
        if real_model:
            return Services(settings)
        from tests.fakes.embeddings import HashingEmbeddings

        return Services(settings, embeddings_override=HashingEmbeddings())

    return make


def run(total: int, batch: int, seed: int, real_model: bool) -> tuple[Outcome, float]:
    """The bot on an event loop in a thread; hypothesis (in this thread) draws each batch and waits for it."""
    from planbot_testkit.script import running_bot

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="planbot-fuzz-loop", daemon=True)
    thread.start()

    def call(coroutine, timeout: float = 600.0):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)

    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="planbot-fuzz-") as folder, ErrorCount() as errors:
        server = FakeBotApi()
        call(server.start())
        bot = running_bot(make_services(Path(folder) / "data", server, real_model))
        call(bot.__aenter__())
        try:
            targets, probe = call(setup(server))
            started = time.perf_counter()

            @settings(
                max_examples=max(1, total // batch),
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
                derandomize=False,
            )
            @given(data=st.data())
            def example(data: st.DataObject) -> None:
                updates_ = data.draw(st.lists(updates(targets), min_size=batch, max_size=batch))
                outcome.add(call(deliver(targets, probe, updates_, errors)))

            with_seed(seed)(example)()
            elapsed = time.perf_counter() - started
        finally:
            call(bot.__aexit__(None, None, None))
            call(server.stop())
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
    return outcome, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=10, help="updates pushed at once before checking")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real-model", action="store_true", help="the packaged embedding model, not the fake")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    outcome, elapsed = run(args.updates, args.batch, args.seed, args.real_model)
    print(
        f"{outcome.updates} generated updates in {elapsed:.1f} s ({outcome.updates / elapsed:.1f}/s): "
        f"{len(outcome.errors)} unhandled exceptions, "
        f"{outcome.unanswered_newcomers} of {outcome.newcomer_texts} newcomers' private texts unanswered, "
        f"{outcome.probe_silent} probes unanswered"
        f" ({'packaged model' if args.real_model else 'hashing embedder'}, batches of {args.batch}, seed {args.seed})"
    )
    print("  by kind: " + ", ".join(f"{kind} {n}" for kind, n in outcome.kinds.most_common()))
    for line in outcome.errors[:20]:
        print("  " + line[:300])
    for update in outcome.unanswered[:20]:
        print("  unanswered: " + json.dumps(update, ensure_ascii=False)[:400])
    return 0 if outcome.clean else 1


if __name__ == "__main__":
    sys.exit(main())
