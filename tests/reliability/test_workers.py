"""Several webhook workers on one PostgreSQL and one Chroma server, fed like a load balancer would."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.engine.topics import interview_data
from bot.storage.delivery_models import OutboxRow
from bot.storage.plan_models import Membership, PersonRow, ProcessedMessage, StoredInput
from bot.telegram.loopback import FakeBotApi
from bot.telegram.loopback.script import INVITE_LINK, ScriptedChat
from tests.reliability.conftest import STAKEHOLDER_STEPS
from tests.waiting import first_of, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.telegram, pytest.mark.model, pytest.mark.postgres]

WORKERS = 2
POST_TIMEOUT = 180.0  # Telegram waits long for a webhook's answer; a loaded machine may need it
PEOPLE = 8
SECRET = "webhook-secret-for-tests-123"
CHROMA = Path(sys.executable).with_name("chroma")
ANSWERS = (
    "the cooling centre closes at five so the evening milk is lost",
    "a hotel in town wants fresh yoghurt every morning for tourists",
    "we could buy one milk can for each family with pooled money",
    "the cooperative chairman decides who gets loans from the bank",
    "the processor at the junction buys from nearly all farmers here",
    "ten members test milk with a lactometer for one month first",
    "weekly payments instead of monthly would keep farmers coming",
    "a solar cooler at the collection point would save evening milk",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """A Chroma server (`chroma run`) on a free loopback port, stopped afterwards."""
    if not CHROMA.exists():
        pytest.skip("the chroma command is not installed in this environment")
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    process = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:

        def up() -> bool:
            if process.poll() is not None:
                pytest.fail(f"chroma run exited: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            return _heartbeat(port)

        wait_until(up, 120, "chroma run answering its heartbeat")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)
        log.close()


class Balancer:
    """Posts updates to the workers' webhooks in turn, as an nginx upstream would."""

    def __init__(self, bot_api: FakeBotApi, urls: list[str]) -> None:
        self.bot_api = bot_api
        self.urls = urls
        self._turn = itertools.count()

    def _update(self, update_id: int) -> dict:
        return next(u for u in self.bot_api.pending_updates if u["update_id"] == update_id)

    async def post(self, update_id: int, worker: int | None = None) -> None:
        index = next(self._turn) % len(self.urls) if worker is None else worker
        status = await self.bot_api.post_to_webhook(
            self.urls[index], self._update(update_id), SECRET, timeout=POST_TIMEOUT
        )
        assert status == 200

    async def say(self, chat: ScriptedChat, text: str, expect: int = 1) -> list:
        before = len(chat.messages)
        await self.post(self.bot_api.send_text(chat.user, text))
        await self.bot_api.wait_for_messages(chat.user, before + expect, timeout=60)
        return chat.messages[before:]

    async def tap(self, chat: ScriptedChat, label: str) -> None:
        before = len(chat.messages)
        message, data = chat.button(label)
        await self.post(self.bot_api.press_button(chat.user, message, data))
        await self.bot_api.wait_for_messages(chat.user, before + 1, timeout=60)


@pytest.fixture
async def workers(bot_api: FakeBotApi, tmp_path: Path, postgres_url: str, chroma_url: str) -> AsyncIterator:
    async for running in start_workers(bot_api, tmp_path, postgres_url, chroma_url):
        yield running


async def start_workers(
    bot_api: FakeBotApi, tmp_path: Path, postgres_url: str, chroma_url: str, **settings: str
) -> AsyncIterator:
    """WORKERS `planbot run --webhook` processes on one PostgreSQL and one Chroma server, behind a Balancer."""
    ports = [free_port() for _ in range(WORKERS)]
    processes = []
    for n, port in enumerate(ports):
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": bot_api.token,
            "PLANBOT_TELEGRAM_BASE_URL": bot_api.base_url,
            "PLANBOT_DATA_DIR": str(tmp_path / f"worker{n}"),
            "DATABASE_URL": postgres_url,
            "PLANBOT_CHROMA_URL": chroma_url,
            "PLANBOT_WEBHOOK_SECRET": SECRET,
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "PLANBOT_LOG_LEVEL": "DEBUG",  # the most talkative level must still keep the secrets out
            **settings,
        }
        command = [sys.executable, "-m", "bot.cli.app", "run", "--webhook", "--port", str(port)]
        command += ["--url", f"https://planbot.example/w{n}", "--path", "telegram"]
        out = (tmp_path / f"worker{n}.log").open("wb")
        processes.append(await asyncio.create_subprocess_exec(*command, env=env, stdout=out, stderr=subprocess.STDOUT))
        out.close()
    try:
        started = bot_api.wait_for(lambda: len(bot_api.calls_to("setWebhook")) >= WORKERS, timeout=240)
        done = await first_of(started, *(process.wait() for process in processes))
        exited = [n for n, process in enumerate(processes) if process.returncode is not None]
        if exited:
            raise AssertionError((tmp_path / f"worker{exited[0]}.log").read_text(errors="replace")[-3000:])
        for future in done:
            future.result()  # the workers' start-up timing out says so
        for port in ports:
            await bot_api.wait_for(lambda p=port: _listening(p), timeout=60)
        yield Balancer(bot_api, [f"http://127.0.0.1:{port}/telegram" for port in ports]), postgres_url
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), 60)
        for n in range(WORKERS):
            log = (tmp_path / f"worker{n}.log").read_text(errors="replace")
            assert "Traceback" not in log, log[-3000:]
            assert SECRET not in log and bot_api.token.split(":", 1)[1] not in log, "a secret reached the logs"
            print(f"\nworker {n}: {log.count('retrying a message')} optimistic retries")


def connection_count(watch, model) -> int:
    with watch.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_two_workers_apply_every_message_once_and_keep_the_interview_consistent(
    bot_api: FakeBotApi, workers
) -> None:
    balancer, url = workers
    facilitator = ScriptedChat(bot_api, bot_api.new_user("Fatma"))
    await balancer.say(facilitator, "/newplan Dairy")
    await balancer.say(facilitator, "dairy")
    created = await balancer.say(facilitator, "Highlands", expect=2)
    code = INVITE_LINK.search("\n".join(m.plain_text or "" for m in created)).group(2)

    async def join(n: int) -> ScriptedChat:
        chat = ScriptedChat(bot_api, bot_api.new_user(f"Farmer{n}"))
        await balancer.say(chat, f"/start {code}")
        for label in STAKEHOLDER_STEPS:
            await balancer.tap(chat, label)
        return chat

    people = list(await asyncio.gather(*(join(n) for n in range(PEOPLE))))

    # each person's eight answers arrive at once, spread over both workers, and every one of them
    # twice (Telegram retrying a webhook it thinks failed), the two copies on different workers
    sent: dict[int, list[int]] = {}
    posts = []
    for chat in people:
        sent[chat.user.id] = [bot_api.send_text(chat.user, f"{answer} ({chat.user.first_name})") for answer in ANSWERS]
        for update_id in sent[chat.user.id]:
            posts += [balancer.post(update_id, 0), balancer.post(update_id, 1)]
    await asyncio.gather(*posts)

    watch = create_engine(url)
    topics = [topic.key for topic in interview_data().topics]

    def done() -> bool:
        with watch.connect() as connection:
            finished = connection.scalar(
                select(func.count()).select_from(Membership).where(Membership.interview_done_at.is_not(None))
            )
        return finished == PEOPLE

    try:
        # every post got its 200, which each worker sends only after handling: all is applied and answered by now
        assert done()
        assert not connection_count(watch, OutboxRow), "replies were left owed"
        with watch.connect() as connection:
            for chat in people:
                person = connection.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{chat.user.id}"))
                sources = {f"{chat.user.id}:{bot_api.message_id_of(u)}" for u in sent[chat.user.id]}
                processed = Counter(
                    connection.scalars(select(ProcessedMessage.source_id).where(ProcessedMessage.person_id == person))
                )
                assert all(processed[s] == 1 for s in sources), chat.user.first_name
                by_source: dict[str, set[str | None]] = {}
                rows = connection.execute(
                    select(StoredInput.source_id, StoredInput.question).where(StoredInput.person_id == person)
                )
                for source, question in rows:
                    by_source.setdefault(source, set()).add(question)
                assert set(by_source) == sources, chat.user.first_name  # every answer kept, nothing else
                # whatever order the workers took them in, each answer moved the interview on by exactly one
                answered = sorted(q for questions in by_source.values() for q in questions)
                assert answered == sorted(topics), (chat.user.first_name, by_source)
                # and every answer was answered once: each next question reached the person exactly once
                texts = [m.plain_text or "" for m in chat.messages]
                for k in range(2, len(topics) + 1):
                    assert sum(f"Question {k} of {len(topics)}" in t for t in texts) == 1, (chat.user.first_name, k)
    finally:
        watch.dispose()


async def test_a_person_over_the_flood_limit_on_one_worker_is_limited_on_the_other(
    bot_api: FakeBotApi, tmp_path: Path, postgres_url: str, chroma_url: str
) -> None:
    """The bucket is in PostgreSQL: behind a round-robin balancer a person gets one limit, not one per worker.
    (The window is a day long, so no token comes back while the test runs, however slowly.)"""
    from bot.messages import catalogue

    throttled = catalogue().text("reliability.throttled", seconds=86400).split(";")[0]
    limited = {"PLANBOT_FLOOD_MESSAGES": "10", "PLANBOT_FLOOD_SECONDS": "86400"}
    async for balancer, url in start_workers(bot_api, tmp_path, postgres_url, chroma_url, **limited):
        user = bot_api.new_user("Baraka")
        for n in range(16):  # alternating: eight to each worker, each under a per-worker limit of ten
            await balancer.post(bot_api.send_text(user, f"hello, message number {n}"))
        texts = [m.plain_text or "" for m in bot_api.messages_to(user)]
        assert sum(text.startswith(throttled) for text in texts) == 1
        watch = create_engine(url)
        try:
            with watch.connect() as connection:
                person = connection.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{user.id}"))
                processed = connection.scalar(
                    select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.person_id == person)
                )
        finally:
            watch.dispose()
        assert processed == 10
