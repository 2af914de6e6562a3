"""Every message answered once through the real PTB stack: sends that fail, workers that die before sending,
messages delivered again, reminders, and replies long enough to take several Telegram messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram.error import Forbidden, NetworkError

from bot.engine import Engine, Incoming, Person
from bot.engine import outbox as outbox_module
from bot.engine.models import Reply, ReplyFile
from bot.engine.outbox import Outbox
from bot.storage import Database
from bot.storage.delivery_models import OutboxRow
from bot.telegram import groups as tg_groups
from bot.telegram.delivery import Courier, PacedSender
from planbot_testkit import FakeBotApi
from planbot_testkit.script import running_bot
from tests.fakes.embeddings import HashingEmbeddings
from tests.reliability.conftest import join, new_plan
from tests.waiting import await_until

pytestmark = [pytest.mark.telegram]


@pytest.fixture(autouse=True)
def quick_sweeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep every half second and retries after one, so waiting on them takes no time (bounds stay long)."""
    monkeypatch.setattr(tg_groups, "OUTBOX_SWEEP_SECONDS", 0.5)
    monkeypatch.setattr(outbox_module, "BACKOFF_SECONDS", (1,))


ANSWER = "the cooling centre closes at five so the evening milk of our village is lost"


def _owed(services) -> list[OutboxRow]:
    with services.db.session() as session:
        return list(session.scalars(select(OutboxRow)))


def _count(chat, text: str) -> int:
    return sum(text in (m.plain_text or "") for m in chat.messages)


async def test_a_send_that_fails_is_sent_later_exactly_once(bot_api: FakeBotApi, fast_services) -> None:
    async with running_bot(lambda: fast_services(flood_messages=1000)) as services:
        _, code = await new_plan(bot_api)
        farmer = await join(bot_api, code, "Wanjiru")
        bot_api.inject_error("sendMessage", 502, "Bad Gateway")  # Telegram unreachable for one call
        update_id = bot_api.send_text(farmer.user, ANSWER)
        await farmer.handled(update_id)
        assert _count(farmer, "Question 2 of 8") == 0 and len(_owed(services)) >= 1  # owed, not lost
        await bot_api.wait_for(lambda: _count(farmer, "Question 2 of 8") == 1, timeout=60)  # the sweep sent it
        await await_until(lambda: not _owed(services), 60, "nothing owed")
        # the interview goes on from there, answered once
        replies = await farmer.say("feed prices went up twice since the long rains")
        assert "Question 3 of 8" in replies[-1].plain_text
        assert _count(farmer, "Question 2 of 8") == 1


async def test_a_message_whose_worker_died_before_answering_is_answered_once_when_delivered_again(
    bot_api: FakeBotApi, fast_services
) -> None:
    async with running_bot(lambda: fast_services(flood_messages=1000)) as services:
        _, code = await new_plan(bot_api)
        farmer = await join(bot_api, code, "Wanjiru")
        update = bot_api.compose_message(farmer.user, text=ANSWER)
        source_id = f"{farmer.user.id}:{update['message']['message_id']}"
        # another worker took the message, committed it and its replies, and died before sending them
        crashed = Engine(Database(services.settings.resolved_database_url), services.extractor,
                         services.answerer, HashingEmbeddings(), checker=services.checker,
                         proposer=services.proposer)  # fmt: skip
        person = Person(key=f"tg:{farmer.user.id}", display_name="Wanjiru")
        stored = crashed.handle_durably(person, Incoming(text=ANSWER, source_id=source_id))
        assert stored and all(item.id is not None for item in stored)
        crashed.outbox.close()
        crashed.db.dispose()
        before = len(farmer.messages)
        update_id = bot_api.push_message_update(update)  # Telegram delivers it again, to this worker
        await farmer.handled(update_id)
        assert [m.plain_text for m in farmer.messages[before:]] == [item.reply.text for item in stored]
        assert not _owed(services)
        # and once more: everything was sent, so nothing is sent twice
        again = bot_api.push_message_update({**update, "update_id": update["update_id"] + 100_000})
        await farmer.handled(again)
        assert len(farmer.messages) == before + len(stored)


async def test_a_reminder_left_by_a_dead_worker_is_sent_once_by_another(bot_api: FakeBotApi, fast_services) -> None:
    async with running_bot(lambda: fast_services(flood_messages=1000)) as services:
        facilitator, code = await new_plan(bot_api)
        farmer = await join(bot_api, code, "Wanjiru")
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        await facilitator.say(f"/meeting {tomorrow}")
        crashed = Engine(Database(services.settings.resolved_database_url), services.extractor,
                         services.answerer, HashingEmbeddings(), checker=services.checker,
                         proposer=services.proposer)  # fmt: skip
        [nudge] = crashed.queue_reminders(window=timedelta(hours=48))  # recorded and owed, then the worker died
        crashed.outbox.close()
        crashed.db.dispose()
        assert services.engine.queue_reminders(window=timedelta(hours=48)) == []  # recorded: not made again
        await bot_api.wait_for(lambda: _count(farmer, "meeting") >= 1, timeout=60)  # this worker's sweep
        await await_until(lambda: not _owed(services), 60, "nothing owed")
        assert _count(farmer, nudge.reply.text.split("\n")[0][:40]) == 1


class PartsBot:
    """A bot that records what it sends and fails the sends listed in `fail` (1-based, over all its sends)."""

    def __init__(self, fail: dict[int, Exception]) -> None:
        self.fail = fail
        self.sent: list[tuple[int, str]] = []
        self.calls = 0

    async def _record(self, chat_id: int, what: str) -> None:
        self.calls += 1
        if self.calls in self.fail:
            raise self.fail[self.calls]
        self.sent.append((chat_id, what))

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        await self._record(chat_id, text[:12])

    async def send_document(self, chat_id: int, document: bytes, filename: str, **_: object) -> None:
        await self._record(chat_id, filename)


async def test_a_long_reply_cut_off_midway_is_finished_from_where_it_stopped(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'planbot.db'}")
    db.migrate()
    clock = [datetime(2027, 3, 1, tzinfo=UTC)]
    outbox = Outbox(db, clock=lambda: clock[0])
    courier = Courier(outbox, PacedSender(interval=0.0))
    long_text = "\n\n".join(f"part {n} " + "x" * 3000 for n in range(3))  # three Telegram messages
    replies = [
        Reply(text=long_text, files=[ReplyFile(name="plan.md", content=b"# plan")], to="tg:1"),
        Reply(text="and the next reply", to="tg:1"),
        Reply(text="someone who blocked the bot", to="tg:2"),
        Reply(text="someone else", to="tg:3"),
    ]
    with db.session() as session:
        items = outbox.store_addressed(session, "test", replies)
    bot = PartsBot({3: NetworkError("Bad Gateway"), 4: Forbidden("Forbidden: bot was blocked by the user")})
    assert await courier.deliver(bot, items[:2]) == 0  # the third message of the first reply failed
    assert await courier.deliver(bot, items[2:]) == 1  # the blocked person is given up, the next one reached
    assert [what for _, what in bot.sent] == ["part 0 xxxxx", "part 1 xxxxx", "someone else"]
    assert await courier.sweep(bot) == 0  # not before the retry time; the next reply waits behind it
    clock[0] += timedelta(minutes=1)
    assert await courier.sweep(bot) == 2
    assert [what for _, what in bot.sent] == [
        "part 0 xxxxx", "part 1 xxxxx", "someone else", "part 2 xxxxx", "plan.md", "and the next"
    ]  # fmt: skip
    assert outbox.pending() == 0
    courier.close()
    outbox.close()
    db.dispose()


async def test_a_program_sent_as_a_pdf_gets_one_clear_line(bot_api: FakeBotApi, fast_services, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="pypdf")
    async with running_bot(lambda: fast_services(flood_messages=1000)) as services:
        facilitator, _ = await new_plan(bot_api)
        exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
        replies = await facilitator.settle(lambda: bot_api.send_document(facilitator.user, "budget.pdf", exe))
        assert [m.plain_text for m in replies] == [
            "budget.pdf: not a PDF file: its contents are a Windows program (.exe); "
            "send the document itself, saved as PDF"
        ]
        assert not [r for r in caplog.records if r.name.startswith("pypdf")]
        assert not _owed(services)
