"""SIGKILL between the commit and the send: after a restart the person gets exactly one reply to that message.

The loopback Bot API stalls the bot's sendMessage into one chat (the request never reaches "Telegram"), so the
worker is killed exactly there: the message and its replies are committed, nothing was sent. Telegram then
delivers the message again (polling: it was never confirmed; webhook: it never got its 200).
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.engine.outbox import decode
from bot.storage.delivery_models import OutboxRow
from bot.storage.plan_models import ProcessedMessage
from planbot_testkit import FakeBotApi
from planbot_testkit.script import INVITE_LINK, ScriptedChat
from tests.reliability.conftest import STAKEHOLDER_STEPS, join, new_plan
from tests.reliability.test_crash import _start
from tests.reliability.test_webhook_crash import Worker
from tests.waiting import await_until

pytestmark = [pytest.mark.slow, pytest.mark.telegram, pytest.mark.model]

ANSWER = "the cooling centre closes at five so the evening milk of our village is lost"


def _owed_texts(watch, key: str) -> list[str]:
    with watch.connect() as connection:
        payloads = connection.scalars(
            select(OutboxRow.payload).where(OutboxRow.recipient == key).order_by(OutboxRow.id)
        ).all()
    return [decode(payload).text for payload in payloads]


def _owed(watch) -> int:
    with watch.connect() as connection:
        return connection.scalar(select(func.count()).select_from(OutboxRow))


def _processed(watch, source_id: str) -> int:
    with watch.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.source_id == source_id)
        )


async def _killed_between_commit_and_send(bot_api: FakeBotApi, farmer: ScriptedChat, watch, post=None):
    """Stall the reply, send the answer, wait until the worker is stuck sending: what it committed and owes."""
    bot_api.stall("sendMessage", chat=farmer.user)
    update_id = bot_api.send_text(farmer.user, ANSWER)
    delivery = asyncio.ensure_future(post(update_id)) if post is not None else None
    await bot_api.wait_for_call("sendMessage", lambda call: call.error == "stalled", timeout=120)
    source_id = f"{farmer.user.id}:{bot_api.message_id_of(update_id)}"
    owed = _owed_texts(watch, f"tg:{farmer.user.id}")
    assert owed and _processed(watch, source_id) == 1, "the answer and its replies are committed"
    return update_id, source_id, owed, delivery


async def _answered_once(bot_api, farmer: ScriptedChat, watch, before: int, owed: list[str], source_id: str):
    await await_until(lambda: _owed(watch) == 0, 120, "every owed reply sent")
    assert [m.plain_text for m in farmer.messages[before:]] == owed  # the replies, each exactly once
    assert _processed(watch, source_id) == 1  # and the answer applied once


async def _polling_case(bot_api: FakeBotApi, tmp_path: Path, database_url: str | None) -> None:
    data_dir = tmp_path / "data"
    url = database_url or f"sqlite:///{(data_dir / 'planbot.db').resolve()}"
    log = tmp_path / "planbot.log"
    process = await _start(bot_api, data_dir, database_url, log)
    watch = create_engine(url)
    try:
        _, code = await new_plan(bot_api)
        farmer = await join(bot_api, code, "Wanjiru")
        before = len(farmer.messages)
        update_id, source_id, owed, _ = await _killed_between_commit_and_send(bot_api, farmer, watch)
        process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(process.wait(), 60)
        bot_api.unstall()
        process = await _start(bot_api, data_dir, database_url, log)
        await farmer.handled(update_id)  # delivered again, found applied
        await _answered_once(bot_api, farmer, watch, before, owed, source_id)
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 60)
        watch.dispose()


async def test_sigkill_between_commit_and_send_polling_on_sqlite(bot_api: FakeBotApi, tmp_path: Path) -> None:
    await _polling_case(bot_api, tmp_path, None)


@pytest.mark.postgres
async def test_sigkill_between_commit_and_send_polling_on_postgres(
    bot_api: FakeBotApi, tmp_path: Path, postgres_url: str
) -> None:
    await _polling_case(bot_api, tmp_path, postgres_url)


async def test_sigkill_between_commit_and_send_by_webhook(bot_api: FakeBotApi, tmp_path: Path) -> None:
    worker = Worker(bot_api, tmp_path / "data", tmp_path / "worker.log")
    await worker.start()
    watch = create_engine(f"sqlite:///{(tmp_path / 'data' / 'planbot.db').resolve()}")
    try:
        facilitator = ScriptedChat(bot_api, bot_api.new_user("Fatma"))
        for text in ("/newplan Dairy", "dairy", "Highlands"):
            await worker.say(facilitator, text)
        await bot_api.wait_for(lambda: INVITE_LINK.search(facilitator.last or ""), timeout=60)
        code = INVITE_LINK.search(facilitator.last).group(2)
        farmer = ScriptedChat(bot_api, bot_api.new_user("Wanjiru"))
        await worker.say(farmer, f"/start {code}")
        for label in STAKEHOLDER_STEPS:
            await worker.tap(farmer, label)
        before = len(farmer.messages)
        update_id, source_id, owed, delivery = await _killed_between_commit_and_send(
            bot_api, farmer, watch, post=worker.post
        )
        worker.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.process.wait(), 60)
        assert await delivery is False  # no 200: Telegram will send it again
        bot_api.unstall()
        await worker.start()
        assert await worker.post(update_id)  # the retry, answered only after the owed replies went out
        await _answered_once(bot_api, farmer, watch, before, owed, source_id)
    finally:
        if worker.process is not None and worker.process.returncode is None:
            worker.process.terminate()
            await asyncio.wait_for(worker.process.wait(), 60)
        watch.dispose()
