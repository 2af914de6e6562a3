"""A flood from one person is throttled with one clear reply; what was accepted is all kept."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.messages import catalogue
from bot.storage.plan_models import PersonRow, ProcessedMessage, StoredInput
from bot.telegram.loopback import FakeBotApi
from bot.telegram.loopback.script import running_bot
from bot.telegram.throttle import FloodThrottle, Verdict
from tests.reliability.conftest import join, new_plan

pytestmark = [pytest.mark.telegram]

THROTTLED = catalogue().text("reliability.throttled", seconds=10).split(";")[0]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_limit_then_refuses_telling_once_per_window() -> None:
    clock = Clock()
    throttle = FloodThrottle(30, 10, clock=clock)
    verdicts = [throttle.check("tg:1") for _ in range(100)]
    assert verdicts[:30] == [Verdict.allow] * 30
    assert verdicts[30] is Verdict.refuse_and_tell
    assert set(verdicts[31:]) == {Verdict.refuse_quietly}
    assert throttle.check("tg:2") is Verdict.allow  # another person is not slowed down
    clock.now += 1.0  # three more tokens a second, but no second telling inside the window
    assert [throttle.check("tg:1") for _ in range(4)] == [Verdict.allow] * 3 + [Verdict.refuse_quietly]
    clock.now += 10.0
    assert [throttle.check("tg:1") for _ in range(30)] == [Verdict.allow] * 30
    assert throttle.check("tg:1") is Verdict.refuse_and_tell


def test_idle_people_are_forgotten_when_the_table_is_full() -> None:
    clock = Clock()
    throttle = FloodThrottle(5, 10, clock=clock, max_keys=100)
    for n in range(100):
        throttle.check(f"tg:{n}")
    clock.now += 60
    throttle.check("tg:new")
    assert len(throttle) == 1


async def test_a_flood_of_100_messages_in_10_seconds_is_throttled_and_loses_nothing_accepted(
    bot_api: FakeBotApi, fast_services
) -> None:
    async with running_bot(lambda: fast_services(flood_messages=30, flood_seconds=10)) as services:
        _, code = await new_plan(bot_api)
        farmer = await join(bot_api, code, "Wanjiru")  # 5 messages of the 30 already spent
        before = len(farmer.messages)
        started = asyncio.get_running_loop().time()
        sent = []
        for n in range(100):
            sent.append(bot_api.send_text(farmer.user, f"problem number {n}: the feed for cow {n} costs too much"))
            await asyncio.sleep(0.09)  # 100 messages in 9 seconds
        await bot_api.wait_for(lambda: bot_api.confirmed_offset > sent[-1] or not bot_api.pending_updates, 60)
        await asyncio.sleep(1.0)
        elapsed = asyncio.get_running_loop().time() - started
        replies = [m.plain_text or "" for m in farmer.messages[before:]]
        throttled = [text for text in replies if text.startswith(THROTTLED)]
        assert len(throttled) == 1, f"expected one throttle reply in {elapsed:.1f}s, got {len(throttled)}"
        with services.db.session() as session:
            person = session.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{farmer.user.id}"))
            processed = session.scalar(
                select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.person_id == person)
            )
            texts = list(session.scalars(select(StoredInput.text).where(StoredInput.person_id == person)))
        accepted = processed - 5  # the joining steps
        # 25 left in the bucket plus the refill of ~3 a second over the 9 seconds: far below 100
        assert 25 <= accepted <= 25 + int(elapsed * 3) + 2
        # every accepted message was answered and its words kept; refused ones were not processed
        assert len(replies) >= accepted + 1
        captured = {int(t.split(":")[0].split()[-1]) for t in texts if t.startswith("problem number")}
        assert len(captured) == accepted
