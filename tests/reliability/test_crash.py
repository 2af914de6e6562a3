"""SIGKILL in the middle of a burst: after a restart every message is applied exactly once, in order."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.engine.topics import interview_data
from bot.storage.plan_models import Membership, PersonRow, ProcessedMessage, StoredInput
from planbot_testkit import FakeBotApi
from planbot_testkit.script import ScriptedChat
from tests.reliability.conftest import join, new_plan

pytestmark = [pytest.mark.slow, pytest.mark.telegram, pytest.mark.model]

PEOPLE = 8
MESSAGES = 10  # the eight interview questions and two more
KILL_AFTER = 30  # processed burst messages before the SIGKILL
ANSWERS = (
    "the cooling centre closes at five so the evening milk of our village is lost",
    "a hotel in the town wants fresh yoghurt every morning for the tourists",
    "we could put our money together and buy one milk can for each family",
    "the chairman of the cooperative decides who gets the loans from the bank",
    "the processor at the junction buys from nearly all farmers in the valley",
    "start with ten members testing the milk with a lactometer for one month",
    "paying farmers every week instead of every month would keep them coming",
    "a small solar cooler at the collection point would save the evening milk",
    "feed prices went up twice since the long rains and cows give less",
    "the vet comes only once a month and charges too much for a visit",
    "boda riders take our milk to town but they spill a lot on the bad road",
    "women do most of the milking but men receive all the payments",
    "the county gives free training on fodder but nobody told our group",
    "young people leave the farms because there is no money in milk",
    "the dairy board sets a price that the brokers do not respect",
    "our group wants to sell ghee at the weekly market near the bus stage",
    "we lose money when the buyer rejects milk for high acidity",
    "the SACCO could give small loans for chaff cutters if we save together",
    "a lead farmer in the next village grows napier grass and sells cuttings",
    "tourists ask for farm visits so we could show them how we make cheese",
)


def _source_ids(bot_api: FakeBotApi, chat: ScriptedChat, update_ids: list[int]) -> list[str]:
    return [f"{chat.user.id}:{bot_api.message_id_of(u)}" for u in update_ids]


async def _start(bot_api: FakeBotApi, data_dir: Path, database_url: str | None, log: Path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": bot_api.token,
        "PLANBOT_TELEGRAM_BASE_URL": bot_api.base_url,
        "PLANBOT_DATA_DIR": str(data_dir),
        "PLANBOT_FLOOD_MESSAGES": "10000",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("PLANBOT_CHROMA_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    calls = len(bot_api.calls_to("setMyCommands"))
    out = log.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli.app", "run", env=env, stdout=out, stderr=subprocess.STDOUT
    )
    out.close()
    await bot_api.wait_for(lambda: len(bot_api.calls_to("setMyCommands")) >= calls + 2, timeout=120)
    return process


async def crash_and_recover(bot_api: FakeBotApi, tmp_path: Path, database_url: str | None) -> None:
    data_dir = tmp_path / "data"
    url = database_url or f"sqlite:///{(data_dir / 'planbot.db').resolve()}"
    log = tmp_path / "planbot.log"
    process = await _start(bot_api, data_dir, database_url, log)
    watch = create_engine(url)
    try:
        _, code = await new_plan(bot_api)
        people = list(await asyncio.gather(*(join(bot_api, code, f"Farmer{n}") for n in range(PEOPLE))))
        burst: dict[int, list[int]] = {chat.user.id: [] for chat in people}
        started = time.monotonic()
        for n in range(MESSAGES):  # the people type at once: their messages interleave
            for chat in people:
                burst[chat.user.id].append(bot_api.send_text(chat.user, f"{ANSWERS[n]} ({chat.user.first_name})"))
        expected = {chat.user.id: _source_ids(bot_api, chat, burst[chat.user.id]) for chat in people}
        every_id = [s for ids in expected.values() for s in ids]

        def processed() -> int:
            with watch.connect() as connection:
                return connection.scalar(
                    select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.source_id.in_(every_id))
                )

        await bot_api.wait_for(lambda: processed() >= KILL_AFTER, timeout=120)
        process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(process.wait(), 30)
        at_kill = processed()
        assert at_kill < PEOPLE * MESSAGES, "the burst ended before the kill: the test proves nothing"
        process = await _start(bot_api, data_dir, database_url, log)
        await bot_api.wait_for(lambda: processed() == PEOPLE * MESSAGES, timeout=180)
        await bot_api.wait_for(lambda: not bot_api.pending_updates, timeout=30)
        elapsed = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 60)
    _check_consistent(watch, people, expected)
    watch.dispose()
    redelivered = sum(1 for count in bot_api.delivery_counts.values() if count > 1)
    print(f"\nkilled after {at_kill} of {PEOPLE * MESSAGES}; {redelivered} updates redelivered; {elapsed:.1f}s")


def _check_consistent(watch, people: list[ScriptedChat], expected: dict[int, list[str]]) -> None:
    topics = [topic.key for topic in interview_data().topics]
    with watch.connect() as connection:
        for chat in people:
            person = connection.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{chat.user.id}"))
            ids = expected[chat.user.id]
            rows = connection.execute(
                select(ProcessedMessage.source_id, func.count())
                .where(ProcessedMessage.person_id == person)
                .group_by(ProcessedMessage.source_id)
            ).all()
            counts = dict(rows)
            assert all(counts.get(s) == 1 for s in ids), f"{chat.user.first_name}: not every message once"
            inputs = connection.execute(
                select(StoredInput.source_id, StoredInput.question, StoredInput.text, StoredInput.kind).where(
                    StoredInput.person_id == person
                )
            ).all()
            by_source: dict[str, list[tuple[str | None, str]]] = {}
            for source, question, text, _ in inputs:
                by_source.setdefault(source, []).append((question, text))
            # answer n of the interview was taken as the answer to question n: order and count survived
            for n, source in enumerate(ids[: len(topics)]):
                kept = by_source.get(source)
                assert kept, f"{chat.user.first_name}: message {n} stored nothing"
                assert {question for question, _ in kept} == {topics[n]}, f"{chat.user.first_name}: message {n}"
            for source in ids[len(topics) :]:
                assert all(question is None for question, _ in by_source.get(source, []))
            kept_once = [(kind, text) for _, _, text, kind in inputs]
            assert len(kept_once) == len(set(kept_once)), f"{chat.user.first_name}: an input was stored twice"
            membership = connection.execute(
                select(Membership.topic_index, Membership.interview_done_at).where(Membership.person_id == person)
            ).one()
            assert membership.topic_index == len(topics) - 1 and membership.interview_done_at is not None


async def test_sigkill_mid_burst_on_sqlite_loses_and_doubles_nothing(bot_api: FakeBotApi, tmp_path: Path) -> None:
    await crash_and_recover(bot_api, tmp_path, None)


@pytest.mark.postgres
async def test_sigkill_mid_burst_on_postgres_loses_and_doubles_nothing(
    bot_api: FakeBotApi, tmp_path: Path, postgres_url: str
) -> None:
    await crash_and_recover(bot_api, tmp_path, postgres_url)
