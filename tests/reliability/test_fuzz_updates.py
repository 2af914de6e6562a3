"""Generated updates of every kind through planbot's real PTB Application: no unhandled exception, nobody ignored.

The strategies are `bench/fuzz_updates.py`'s, which runs 10,000 of them and prints the figure; here a few
dozen batches (60, of up to 6 updates each), so the suite stays quick on a busy machine.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bench.fuzz_updates import ErrorCount, Targets, deliver, setup, updates
from planbot_testkit import FakeBotApi
from planbot_testkit.script import running_bot
from planbot_testkit.updates import FakeUser
from tests.reliability.conftest import new_plan

pytestmark = [pytest.mark.telegram, pytest.mark.slow]


@pytest.fixture
async def fuzz_target(bot_api: FakeBotApi, fast_services):
    async with running_bot(lambda: fast_services(flood_messages=1_000_000)):
        yield await setup(bot_api)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_generated_updates_raise_nothing_and_everyone_who_writes_is_answered(data, fuzz_target) -> None:
    targets, probe = fuzz_target
    batch = data.draw(st.lists(updates(targets), min_size=1, max_size=6), label="updates")
    with ErrorCount() as errors:
        outcome = await deliver(targets, probe, batch, errors)
    assert not outcome.errors, "\n".join(outcome.errors)
    assert outcome.unanswered_newcomers == 0  # every newcomer's private text got a reply
    assert outcome.probe_silent == 0  # and the bot still answers a stakeholder mid-interview


def test_every_generated_update_is_one_python_telegram_bot_parses() -> None:
    """The strategies stay within what Update.de_json accepts, so the bot sees them as Telegram sends them
    (an update it cannot parse is dropped and logged: that path has its own test)."""
    targets = Targets(FakeBotApi(), [FakeUser(42, "Known")])

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(update=updates(targets))
    def parse(update: dict[str, Any]) -> None:
        assert Update.de_json({"update_id": 1, **update}, None) is not None

    parse()


async def test_a_document_named_longer_than_the_filesystem_allows_is_read_like_any_other(
    bot_api: FakeBotApi, fast_services
) -> None:
    """Found by the fuzz: a 304-character file name made the upload fail with `File name too long`."""
    name = "mapping of the Meru dairy chain " * 9 + ".md"
    async with running_bot(lambda: fast_services(flood_messages=1_000_000)):
        with ErrorCount() as errors:
            facilitator, _ = await new_plan(bot_api)
            document = b"# Cooling\n\nThe cooling centre closes at five, so the evening milk is sold at half price.\n"
            replies = await facilitator.settle(lambda: bot_api.send_document(facilitator.user, name, document))
        assert errors.lines() == []
        assert len(replies) == 1 and replies[0].plain_text.startswith(f'Added "{name}" to this plan')
