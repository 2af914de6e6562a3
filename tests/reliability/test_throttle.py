"""A flood from one person is throttled with one clear reply; what was accepted is all kept; the limit is one
limit for every worker (kept in SQL), and after a restart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.messages import catalogue
from bot.storage import Database
from bot.storage.plan_models import PersonRow, ProcessedMessage, StoredInput
from bot.telegram.app import build_application, post_init, post_shutdown
from bot.telegram.throttle import FloodThrottle, SharedFloodThrottle, Verdict
from planbot_testkit import FakeBotApi
from planbot_testkit.server import polling
from tests.reliability.conftest import join, new_plan

pytestmark = [pytest.mark.telegram]

THROTTLED = catalogue().text("reliability.throttled", seconds=10).split(";")[0]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sql"])
def make_throttle(request, tmp_path: Path) -> Iterator[Callable[..., FloodThrottle | SharedFloodThrottle]]:
    """The in-memory bucket and the shared one in SQL behave alike."""
    databases: list[Database] = []

    def make(messages: int, seconds: float, clock: Clock) -> FloodThrottle | SharedFloodThrottle:
        if request.param == "memory":
            return FloodThrottle(messages, seconds, clock=clock)
        db = Database(f"sqlite:///{tmp_path / 'limits.db'}")
        db.migrate()
        databases.append(db)
        return SharedFloodThrottle(db, messages, seconds, clock=clock)

    yield make
    for db in databases:
        db.dispose()


def test_bucket_allows_the_limit_then_refuses_telling_once_per_window(make_throttle) -> None:
    clock = Clock()
    throttle = make_throttle(30, 10, clock)
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


def test_the_shared_bucket_is_one_limit_for_two_workers_and_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    first, second = Database(url), Database(url)
    first.migrate()
    workers = [SharedFloodThrottle(db, 10, 10, clock=clock) for db in (first, second)]
    verdicts = [workers[n % 2].check("tg:7") for n in range(14)]  # a balancer alternating the workers
    assert verdicts[:10] == [Verdict.allow] * 10 and verdicts[10] is Verdict.refuse_and_tell
    first.dispose()
    second.dispose()
    restarted = Database(url)
    assert SharedFloodThrottle(restarted, 10, 10, clock=clock).check("tg:7") is Verdict.refuse_quietly
    clock.now += 1.0
    assert SharedFloodThrottle(restarted, 10, 10, clock=clock).check("tg:7") is Verdict.allow
    restarted.dispose()


def test_idle_people_are_forgotten_when_the_table_is_full() -> None:
    clock = Clock()
    throttle = FloodThrottle(5, 10, clock=clock, max_keys=100)
    for n in range(100):
        throttle.check(f"tg:{n}")
    clock.now += 60
    throttle.check("tg:new")
    assert len(throttle) == 1


async def test_a_flood_of_100_messages_is_throttled_with_one_reply_and_loses_nothing_accepted(
    bot_api: FakeBotApi, fast_services
) -> None:
    """The bucket's clock is held still, so the count is exact however fast or slow the machine is."""
    clock = Clock()
    services = fast_services(flood_messages=30, flood_seconds=10)
    application = build_application(services)
    application.bot_data.throttle.clock = clock
    await post_init(application)
    try:
        async with polling(application):
            _, code = await new_plan(bot_api)
            farmer = await join(bot_api, code, "Wanjiru")  # its /start took one of the 30 (button taps are free)
            before = len(farmer.messages)
            sent = [
                bot_api.send_text(farmer.user, f"problem number {n}: the feed for cow {n} costs too much")
                for n in range(100)
            ]
            await farmer.handled(sent[-1])
            replies = [m.plain_text or "" for m in farmer.messages[before:]]
            throttled = [text for text in replies if text.startswith(THROTTLED)]
            assert len(throttled) == 1
            with services.db.session() as session:
                person = session.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{farmer.user.id}"))
                processed = session.scalar(
                    select(func.count()).select_from(ProcessedMessage).where(ProcessedMessage.person_id == person)
                )
                texts = list(session.scalars(select(StoredInput.text).where(StoredInput.person_id == person)))
            accepted = processed - 5  # /start and the four profile taps
            assert accepted == 29
            # every accepted message was answered and its words kept; refused ones were not processed
            assert len(replies) >= accepted + 1
            captured = {int(t.split(":")[0].split()[-1]) for t in texts if t.startswith("problem number")}
            assert captured == set(range(29))
            clock.now += 10.0  # the window has passed: the person is heard again
            more = await farmer.say("the vet comes too rarely")
            assert not any(m.plain_text.startswith(THROTTLED) for m in more)
    finally:
        await post_shutdown(application)
