"""A webhook worker SIGKILLed mid-burst: what it had not acknowledged, Telegram sends again, applied once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, func, select

from bot.engine.topics import interview_data
from bot.storage.delivery_models import OutboxRow
from bot.storage.plan_models import Membership, PersonRow, ProcessedMessage
from planbot_testkit import FakeBotApi
from planbot_testkit.script import INVITE_LINK, ScriptedChat
from tests.reliability.conftest import STAKEHOLDER_STEPS
from tests.reliability.test_workers import SECRET, free_port

pytestmark = [pytest.mark.slow, pytest.mark.telegram, pytest.mark.model]

PEOPLE = 5
MESSAGES = 10
KILL_AFTER = 15
POST_TIMEOUT = 180.0  # Telegram waits long for a webhook's answer; a loaded machine may need it


class Worker:
    """One `planbot run --webhook` process; `post` is Telegram delivering one update and awaiting the 200."""

    def __init__(self, bot_api: FakeBotApi, data_dir: Path, log: Path) -> None:
        self.bot_api, self.data_dir, self.log = bot_api, data_dir, log
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.bot_api.token,
            "PLANBOT_TELEGRAM_BASE_URL": self.bot_api.base_url,
            "PLANBOT_DATA_DIR": str(self.data_dir),
            "PLANBOT_WEBHOOK_SECRET": SECRET,
            "PLANBOT_FLOOD_MESSAGES": "10000",
            "HF_HUB_OFFLINE": "1",
        }
        for name in ("DATABASE_URL", "PLANBOT_CHROMA_URL"):
            env.pop(name, None)
        calls = len(self.bot_api.calls_to("setWebhook"))
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli.app", "run", "--webhook", "--port", str(self.port),
                "--url", "https://planbot.example", "--path", "telegram",
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        await self.bot_api.wait_for(lambda: len(self.bot_api.calls_to("setWebhook")) > calls, timeout=180)

    def update(self, update_id: int) -> dict:
        return next(u for u in self.bot_api.pending_updates if u["update_id"] == update_id)

    async def post(self, update_id: int) -> bool:
        """True when the worker acknowledged the update (200), False when the connection died first."""
        try:
            status = await self.bot_api.post_to_webhook(self.url, self.update(update_id), SECRET, timeout=POST_TIMEOUT)
        except (TimeoutError, aiohttp.ClientError):
            return False
        return status == 200

    async def say(self, chat: ScriptedChat, text: str) -> None:
        before = len(chat.messages)
        assert await self.post(self.bot_api.send_text(chat.user, text))
        await self.bot_api.wait_for_messages(chat.user, before + 1, timeout=POST_TIMEOUT)

    async def tap(self, chat: ScriptedChat, label: str) -> None:
        message, data = chat.button(label)
        assert await self.post(self.bot_api.press_button(chat.user, message, data))


async def test_sigkill_of_a_webhook_worker_loses_and_doubles_nothing(bot_api: FakeBotApi, tmp_path: Path) -> None:
    worker = Worker(bot_api, tmp_path / "data", tmp_path / "worker.log")
    await worker.start()
    watch = create_engine(f"sqlite:///{(tmp_path / 'data' / 'planbot.db').resolve()}")
    try:
        facilitator = ScriptedChat(bot_api, bot_api.new_user("Fatma"))
        for text in ("/newplan Dairy", "dairy", "Highlands"):
            await worker.say(facilitator, text)
        await bot_api.wait_for(lambda: INVITE_LINK.search(facilitator.last or ""), timeout=30)
        code = INVITE_LINK.search(facilitator.last).group(2)

        async def join(n: int) -> ScriptedChat:
            chat = ScriptedChat(bot_api, bot_api.new_user(f"Farmer{n}"))
            await worker.say(chat, f"/start {code}")
            for label in STAKEHOLDER_STEPS:
                await worker.tap(chat, label)
            return chat

        people = list(await asyncio.gather(*(join(n) for n in range(PEOPLE))))  # they join at the same time

        queued = {chat.user.id: [bot_api.send_text(chat.user, f"answer {m} of farmer {n}: the milk price is low")
                                 for m in range(MESSAGES)] for n, chat in enumerate(people)}  # fmt: skip
        sources = {
            uid: [f"{uid}:{bot_api.message_id_of(update_id)}" for update_id in ids] for uid, ids in queued.items()
        }
        every_source = [s for ids in sources.values() for s in ids]

        def processed() -> int:
            with watch.connect() as connection:
                return connection.scalar(
                    select(func.count())
                    .select_from(ProcessedMessage)
                    .where(ProcessedMessage.source_id.in_(every_source))
                )

        async def deliver(uid: int, retries: int = 0) -> None:
            """Telegram sends one chat's updates one at a time, the next only after the previous got its 200,
            and sends an update again (a few times) when it got none."""
            failures = 0
            while queued[uid]:
                if await worker.post(queued[uid][0]):
                    queued[uid].pop(0)
                    continue
                failures += 1  # no 200: it stays first in line, to be sent again
                if failures > retries:
                    return

        burst = asyncio.gather(*(deliver(chat.user.id) for chat in people))
        await bot_api.wait_for(lambda: processed() >= KILL_AFTER, timeout=120)
        worker.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.process.wait(), 30)
        await burst
        at_kill = processed()
        left = sum(len(ids) for ids in queued.values())
        assert left > 0, "the burst ended before the kill: the test proves nothing"

        await worker.start()  # Telegram keeps retrying until a worker answers again
        await asyncio.gather(*(deliver(chat.user.id, retries=3) for chat in people))
        assert all(not ids for ids in queued.values())
        assert processed() == PEOPLE * MESSAGES
        with watch.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(OutboxRow)) == 0, "replies left owed"
        topics = len(interview_data().topics)
        with watch.connect() as connection:
            for chat in people:
                person = connection.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{chat.user.id}"))
                counts = dict(
                    connection.execute(
                        select(ProcessedMessage.source_id, func.count())
                        .where(ProcessedMessage.person_id == person)
                        .group_by(ProcessedMessage.source_id)
                    ).all()
                )
                assert all(counts.get(source) == 1 for source in sources[chat.user.id])
                membership = connection.execute(
                    select(Membership.topic_index, Membership.interview_done_at).where(Membership.person_id == person)
                ).one()
                assert membership.topic_index == topics - 1 and membership.interview_done_at is not None
        print(f"\nkilled after {at_kill} of {PEOPLE * MESSAGES}; {left} were not acknowledged and were sent again")
    finally:
        if worker.process is not None and worker.process.returncode is None:
            worker.process.terminate()
            await asyncio.wait_for(worker.process.wait(), 60)
        watch.dispose()
