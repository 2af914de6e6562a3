"""Groups, native polls, votes, reminders and the meeting nudge: the real PTB stack on the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from telegram.error import Forbidden
from telegram.ext import Application

from bot.engine.models import Reply
from bot.services import Services
from bot.storage.workshop_models import VoteRow
from bot.telegram import groups as tg_groups
from bot.telegram.app import build_application, post_init, post_shutdown
from bot.telegram.delivery import PacedSender, chat_id_of
from planbot_testkit.server import FakeBotApi, polling
from tests.telegram.kit import INVITE_LINK, Chat


class FakeBot:
    """Records sends with the (fake) time they happened; chats in `blocked` refuse like Telegram (403)."""

    def __init__(self, clock: list[float], blocked: set[int]) -> None:
        self.clock = clock
        self.blocked = blocked
        self.sent: list[tuple[int, float]] = []

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        if chat_id in self.blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")
        self.sent.append((chat_id, self.clock[0]))


async def test_bulk_sends_are_paced_per_chat_and_a_blocked_person_is_skipped() -> None:
    clock = [100.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    bot = FakeBot(clock, blocked={2})
    sender = PacedSender(interval=1.0, clock=lambda: clock[0], sleep=sleep)
    replies = [Reply(text=f"reminder {n}", to=key) for n, key in enumerate(["tg:1", "tg:2", "tg:3", "tg:1", "cli:x"])]
    assert await sender.deliver(bot, replies) == 3
    assert [chat for chat, _ in bot.sent] == [1, 3, 1]
    first, second = [at for chat, at in bot.sent if chat == 1]
    assert second - first >= 1.0  # one message a second in one chat
    assert bot.sent[1][1] == 100.0  # other chats do not wait
    assert chat_id_of("tg-chat:-100123") == -100123 and chat_id_of("tg:abc") is None


@pytest.mark.telegram
@pytest.mark.model
@asynccontextmanager
async def running_app(make: Callable[[], Services]) -> AsyncIterator[Application]:
    """As kit.running_bot, but yielding the Application (the nudge job is run by hand, not by its timer)."""
    application = build_application(make())
    jobs = application.job_queue.get_jobs_by_name(tg_groups.REMINDER_JOB)
    assert len(jobs) == 1  # the nudge check is scheduled on PTB's JobQueue
    jobs[0].schedule_removal()
    await post_init(application)
    try:
        async with polling(application):
            yield application
    finally:
        await post_shutdown(application)


async def _join(server: FakeBotApi, code: str, name: str) -> Chat:
    chat = Chat(server, server.new_user(name))
    await chat.say(f"/start {code}")
    await chat.tap("I agree")
    await chat.tap("Producer")
    await chat.tap("Small (5-19)")
    replies = await chat.tap("Skip")
    assert "Question 1 of 8" in replies[-1].plain_text
    return chat


async def test_groups_polls_votes_and_reminders(bot_api: FakeBotApi, services_factory) -> None:
    async with running_app(services_factory) as application:
        services = application.bot_data.ready
        facilitator = Chat(bot_api, bot_api.new_user("Fatma"))
        await facilitator.say("/newplan Lake fish")
        await facilitator.say("fisheries")
        created = await facilitator.say("Kisumu", expect=2)
        invite_text = "\n".join(m.plain_text for m in created)
        stakeholder_line = next(line for line in invite_text.splitlines() if "stakeholder" in line.lower())
        code = INVITE_LINK.search(stakeholder_line).group(2)

        trader = await _join(bot_api, code, "Otieno")
        for answer in [
            "no ice at the beach so fish spoils",
            "hotels in town want more tilapia",
            *["skip"] * 6,
        ]:
            replies = await trader.say(answer)
        assert "that was the last question" in replies[-1].plain_text
        smoker = await _join(bot_api, code, "Akinyi")
        await smoker.say("fish spoils fast, we have no cold room")
        blocked = await _join(bot_api, code, "Juma")
        bot_api.block_bot(blocked.user)

        # an unlinked group: chatter is ignored, a mention gets one short hint
        group = bot_api.new_group("Kisumu fish platform")
        bot_api.send_text(trader.user, "who is going to the market tomorrow?", group)
        bot_api.send_text(trader.user, bot_api.mention_text("hello bot"), group)
        await bot_api.wait_for_messages(group, 1, timeout=30)
        hint = bot_api.messages_to(group)
        assert len(hint) == 1 and "/linkgroup" in hint[0].plain_text

        # a stakeholder cannot link it; the facilitator can
        bot_api.send_text(trader.user, "/linkgroup", group)
        await bot_api.wait_for_messages(group, 2, timeout=30)
        assert "Only facilitators" in bot_api.messages_to(group)[-1].plain_text
        bot_api.send_text(facilitator.user, "/linkgroup", group)
        await bot_api.wait_for_messages(group, 3, timeout=30)
        assert "is now linked" in bot_api.messages_to(group)[-1].plain_text

        # in the linked group a mention gets nothing and chatter is not captured
        bot_api.send_text(smoker.user, bot_api.mention_text("the road to the market is bad"), group)
        bot_api.send_text(facilitator.user, "/help", group)
        await bot_api.wait_for_messages(group, 4, timeout=30)
        assert "do not read or keep" in bot_api.messages_to(group)[-1].plain_text
        assert len(bot_api.messages_to(group)) == 4

        # /vote in the private chat posts a native poll in the group
        confirm = await facilitator.say("/vote")
        assert "posted a poll" in confirm[-1].plain_text
        call = await bot_api.wait_for_call("sendPoll", timeout=30)
        assert call.params["chat_id"] == group.id
        assert call.params.get("is_anonymous") is False and call.params.get("allows_multiple_answers") is True
        poll_message = bot_api.messages_to(group)[-1]
        options = [o["text"] for o in poll_message.poll["options"]]
        assert len(options) >= 2
        spoils = next(i for i, text in enumerate(options) if "spoil" in text)

        def votes() -> int:
            with services.db.session() as session:
                return session.scalar(select(func.count()).select_from(VoteRow)) or 0

        bot_api.poll_answer(trader.user, poll_message, [spoils])
        bot_api.poll_answer(smoker.user, poll_message, [spoils, 1 - spoils if spoils < 2 else 0])
        await bot_api.wait_for(lambda: votes() == 3, timeout=30)
        bot_api.poll_answer(smoker.user, poll_message, [spoils])  # changed their mind: replaces
        await bot_api.wait_for(lambda: votes() == 2, timeout=30)

        summary = await facilitator.say("/summary")
        text = "\n".join(m.plain_text for m in summary)
        assert "Votes from the group polls:" in text
        assert f"{options[spoils]}: 2 votes" in text

        # /remind reaches exactly the unfinished stakeholders; the one who blocked the bot is skipped
        before = {c.user.first_name: len(c.messages) for c in (trader, smoker, blocked)}
        reminded = await facilitator.say("/remind")
        assert "2 stakeholders" in reminded[0].plain_text
        await bot_api.wait_for_messages(smoker.user, before["Akinyi"] + 1, timeout=30)
        assert "not finished" in smoker.last and "Question 2 of 8" in smoker.last
        assert len(trader.messages) == before["Otieno"]
        assert len(blocked.messages) == before["Juma"]
        again = await facilitator.say("/remind")
        assert "Nobody to remind" in again[0].plain_text

        # the scheduled nudge, a day before the meeting, fires once
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        await facilitator.say(f"/meeting {tomorrow}")
        count = len(smoker.messages)
        state = application.bot_data
        assert await tg_groups.send_due_reminders(state, application.bot) == 1  # Juma blocked the bot
        assert len(smoker.messages) == count + 1 and "meeting" in smoker.last
        assert await tg_groups.send_due_reminders(state, application.bot) == 0
        assert len(smoker.messages) == count + 1
