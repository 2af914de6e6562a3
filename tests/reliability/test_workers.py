"""Several webhook workers on one PostgreSQL and one Chroma server, fed like a load balancer would."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, func, select
from sqlalchemy import text as sql

from bot.engine.topics import interview_data
from bot.storage.delivery_models import OutboxRow
from bot.storage.plan_models import Membership, PersonRow, ProcessedMessage, StoredInput
from planbot_testkit import DEFAULT_TOKEN, FakeBotApi
from planbot_testkit.script import INVITE_LINK, ScriptedChat
from tests.conftest import POSTGRES_URL
from tests.reliability.conftest import STAKEHOLDER_STEPS
from tests.waiting import await_until, first_of, wait_until

# One Chroma server, one database and one pair of workers for the whole module: starting them (two model loads,
# the migration, the guidance synced to Chroma) is most of the time on a busy machine, so it is paid once.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.telegram,
    pytest.mark.model,
    pytest.mark.postgres,
    pytest.mark.asyncio(loop_scope="module"),
]

WORKERS = 2
POST_TIMEOUT = 180.0  # Telegram waits long for a webhook's answer; a loaded machine may need it
WAIT = 180.0  # the bound of every wait on a condition: generous, since only a failure ever reaches it
START_TIMEOUT = 300.0  # two workers loading the model and migrating, beside a Chroma server, on 2 busy cores
STAKEHOLDERS = 20
REDELIVER_EVERY = 4  # one message in four arrives twice at once, one copy on each worker
SECRET = "webhook-secret-for-tests-123"
# The flood limit the workers run with: a day's window, so no token comes back while the tests run however slowly;
# 30 is above what any stakeholder here sends (5 to join, 10 messages, their redeliveries), and FLOODER sends more.
FLOOD = {"PLANBOT_FLOOD_MESSAGES": "30", "PLANBOT_FLOOD_SECONDS": "86400"}
FLOODER = 40
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
AFTER = (  # said once the interview is over: added to the plan without a question
    "the road to the market floods every rainy season so trucks cannot reach us",
    "ten farmers could share one truck to carry the milk to town together",
)
MESSAGES_EACH = len(ANSWERS) + len(AFTER)  # 10 each, 200 in all


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


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL for this module's workers, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10})
    try:
        with admin.connect() as connection:
            connection.execute(sql("select 1"))
    except Exception:
        admin.dispose()
        if os.environ.get("PLANBOT_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL not reachable at {POSTGRES_URL}, and PLANBOT_REQUIRE_POSTGRES is set (CI)")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    name = f"planbot_workers_{os.getpid()}_{free_port()}"
    with admin.connect() as connection:
        connection.execute(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server (`chroma run`) on a free loopback port, stopped afterwards."""
    if not CHROMA.exists():
        pytest.skip("the chroma command is not installed in this environment")
    tmp_path = tmp_path_factory.mktemp("chroma")
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

        wait_until(up, START_TIMEOUT, "chroma run answering its heartbeat")
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
        self.turn = itertools.count()

    def _update(self, update_id: int) -> dict:
        return next(u for u in self.bot_api.pending_updates if u["update_id"] == update_id)

    async def post(self, update_id: int, worker: int | None = None) -> None:
        index = next(self.turn) % len(self.urls) if worker is None else worker
        status = await self.bot_api.post_to_webhook(
            self.urls[index], self._update(update_id), SECRET, timeout=POST_TIMEOUT
        )
        assert status == 200

    async def say(self, chat: ScriptedChat, text: str, expect: int = 1) -> list:
        before = len(chat.messages)
        await self.post(self.bot_api.send_text(chat.user, text))
        await self.bot_api.wait_for_messages(chat.user, before + expect, timeout=WAIT)
        return chat.messages[before:]

    async def tap(self, chat: ScriptedChat, label: str) -> None:
        before = len(chat.messages)
        message, data = chat.button(label)
        await self.post(self.bot_api.press_button(chat.user, message, data))
        await self.bot_api.wait_for_messages(chat.user, before + 1, timeout=WAIT)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot_api() -> AsyncIterator[FakeBotApi]:
    """The module's loopback Bot API server (the workers, started once, talk to this one)."""
    server = FakeBotApi(DEFAULT_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def workers(
    bot_api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory, module_postgres_url: str, chroma_url: str
) -> AsyncIterator:
    tmp_path = tmp_path_factory.mktemp("workers")
    async for running in start_workers(bot_api, tmp_path, module_postgres_url, chroma_url, **FLOOD):
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
        started = bot_api.wait_for(lambda: len(bot_api.calls_to("setWebhook")) >= WORKERS, timeout=START_TIMEOUT)
        done = await first_of(started, *(process.wait() for process in processes))
        exited = [n for n, process in enumerate(processes) if process.returncode is not None]
        if exited:
            raise AssertionError((tmp_path / f"worker{exited[0]}.log").read_text(errors="replace")[-3000:])
        for future in done:
            future.result()  # the workers' start-up timing out says so
        for port in ports:  # no Bot API event tells of a port opening: polled, bounded
            await await_until(lambda p=port: _listening(p), WAIT, f"a worker listening on port {port}")
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


async def test_two_workers_take_200_messages_from_20_stakeholders_and_answer_each_once(
    bot_api: FakeBotApi, workers
) -> None:
    """Twenty stakeholders at once, each one's ten messages in order, spread round-robin over both workers, one
    message in four delivered twice at once (on both workers, as Telegram retrying a webhook it thinks failed)."""
    from bot.messages import catalogue

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

    people = list(await asyncio.gather(*(join(n) for n in range(STAKEHOLDERS))))

    def sends_to(user) -> int:
        """The bot's sendMessage calls to one person, as the fake Bot API recorded them (failed ones too)."""
        return sum(str(c.params.get("chat_id")) == str(user.id) for c in bot_api.calls_to("sendMessage"))

    sent: dict[int, list[int]] = {}  # each person's update ids, in the order sent
    replies: dict[int, list[list[str]]] = {}  # what came back for each of them, message by message
    sends_before = {chat.user.id: sends_to(chat.user) for chat in people}  # those of joining
    redelivered = 0

    async def converse(chat: ScriptedChat) -> None:
        """One person's messages in order: the next goes once the last one's posts have their 200."""
        nonlocal redelivered
        user = chat.user
        sent[user.id], replies[user.id] = [], []
        for n, text in enumerate((*ANSWERS, *AFTER)):
            before = len(bot_api.messages_to(user))
            update_id = bot_api.send_text(user, f"{text} ({user.first_name})")
            sent[user.id].append(update_id)
            if (user.id + n) % REDELIVER_EVERY == 0:
                redelivered += 1
                first = next(balancer.turn) % WORKERS
                await asyncio.gather(balancer.post(update_id, first), balancer.post(update_id, 1 - first))
            else:
                await balancer.post(update_id)
            replies[user.id].append([m.plain_text or "" for m in bot_api.messages_to(user)[before:]])

    started = time.monotonic()
    await asyncio.gather(*(converse(chat) for chat in people))
    took = time.monotonic() - started

    topics = [topic.key for topic in interview_data().topics]
    messages = catalogue()
    progress = [messages.text("interview.progress", n=k, total=len(topics)) for k in range(1, len(topics) + 1)]
    done, added = messages.text("interview.done"), messages.text("interview.added", items="").strip()
    watch = create_engine(url)
    lost = duplicated = answered_once = 0
    try:
        assert not connection_count(watch, OutboxRow), "replies were left owed"
        with watch.connect() as connection:
            for chat in people:
                name, user = chat.user.first_name, chat.user
                person = connection.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{user.id}"))
                sources = [f"{user.id}:{bot_api.message_id_of(u)}" for u in sent[user.id]]
                processed = Counter(
                    connection.scalars(select(ProcessedMessage.source_id).where(ProcessedMessage.person_id == person))
                )
                questions: dict[str, set[str | None]] = {}
                rows = connection.execute(
                    select(StoredInput.source_id, StoredInput.question).where(StoredInput.person_id == person)
                )
                for source, question in rows:
                    questions.setdefault(source, set()).add(question)
                lost += sum(processed[s] == 0 or s not in questions for s in sources)
                duplicated += sum(processed[s] > 1 for s in sources) + sum(len(r) > 1 for r in replies[user.id])
                answered_once += sum(len(r) == 1 for r in replies[user.id])
                # in order, every answer went to the question it was given for, and the two after the interview
                # were added to the plan with no question
                assert [questions.get(s) for s in sources] == [{t} for t in topics] + [{None}] * len(AFTER), name
                assert set(questions) == set(sources), name  # nothing kept that was not said
                # each reply is the one its message called for: the next question, the end, "added"
                expected = [*progress[1:], done, *[added] * len(AFTER)]
                for n, (got, want) in enumerate(zip(replies[user.id], expected, strict=True)):
                    assert len(got) == 1 and want in got[0], (name, n, got, want)
                # and the fake Bot API recorded no other send to them, early, late or failed: one per message
                assert sends_to(user) - sends_before[user.id] == MESSAGES_EACH, name
                # the interview is where the answers put it: past the last question, no follow-up pending
                membership = connection.execute(
                    select(Membership.topic_index, Membership.followup_pending, Membership.interview_done_at).where(
                        Membership.person_id == person
                    )
                ).one()
                assert membership[:2] == (len(topics) - 1, False) and membership[2] is not None, name
        total = sum(len(ids) for ids in sent.values())
        assert total == STAKEHOLDERS * MESSAGES_EACH == 200
        print(
            f"\n{total} messages from {STAKEHOLDERS} stakeholders ({redelivered} delivered twice) in {took:.1f} s: "
            f"{lost} lost, {duplicated} duplicated, {answered_once} answered exactly once"
        )
        assert (lost, duplicated, answered_once) == (0, 0, total)
    finally:
        watch.dispose()


async def test_a_person_over_the_flood_limit_on_one_worker_is_limited_on_the_other(
    bot_api: FakeBotApi, workers
) -> None:
    """The bucket is in PostgreSQL: behind a round-robin balancer a person gets one limit, not one per worker."""
    from bot.messages import catalogue

    balancer, url = workers
    limit = int(FLOOD["PLANBOT_FLOOD_MESSAGES"])
    throttled = catalogue().text("reliability.throttled", seconds=int(FLOOD["PLANBOT_FLOOD_SECONDS"])).split(";")[0]
    user = bot_api.new_user("Baraka")
    for n in range(FLOODER):  # alternating: half to each worker, each half under the limit
        await balancer.post(bot_api.send_text(user, f"hello, message number {n}"), n % WORKERS)
    assert FLOODER // WORKERS < limit < FLOODER
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
    assert processed == limit
