"""The outbox in the engine: replies stored with the message's effects, owed until sent, never sent twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.engine import Incoming, Person
from bot.engine.models import Reply, ReplyFile
from bot.engine.outbox import LEASE, Outbox, decode, encode
from bot.storage.delivery_models import OutboxRow
from bot.storage.plan_models import ProcessedMessage
from tests.engine.conftest import World
from tests.engine.test_flow import join

ANSWER = "the cooling centre closes at five so the evening milk is lost"


class Clock:
    """The outbox's own clock (leases and retry times), moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _worker(world: World, clock: Clock | None = None):
    """A second worker on the same store, with an outbox of its own (its own claim token)."""
    engine = world.restart()
    engine._outbox = Outbox(engine.db, clock=clock or Clock())
    return engine


def _rows(world: World) -> list[OutboxRow]:
    with world.db.session() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def test_a_reply_is_stored_with_the_effects_of_its_message_and_claimed(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    person = Person(key="cli:tumaini")
    items = world.engine.handle_durably(person, Incoming(text=ANSWER, source_id="m-1"))
    assert items and all(item.id is not None for item in items)
    rows = _rows(world)
    assert [row.id for row in rows] == [item.id for item in items]
    assert {row.claimed_by for row in rows} == {world.engine.outbox.worker}
    assert all(row.recipient == "cli:tumaini" and row.source_id == "m-1" for row in rows)
    assert [decode(row.payload).text for row in rows] == [item.reply.text for item in items]
    for item in items:
        assert world.engine.outbox.renew(item.id)
        world.engine.outbox.sent(item.id)
    assert _rows(world) == []  # once sent, nothing of the reply is kept


def test_a_refusal_that_changed_nothing_is_not_stored_and_nothing_half_done_is(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    person = Person(key="cli:tumaini")
    [refusal] = world.engine.handle_durably(person, Incoming(command="summary", source_id="m-1"))
    assert refusal.id is None and refusal.reply.error
    [empty] = world.engine.handle_durably(person, Incoming(text="   ", source_id="m-2"))
    assert empty.id is None
    assert _rows(world) == []
    with world.db.session() as session:  # the refused command rolled back, its processed row too
        assert session.scalar(select(func.count()).select_from(ProcessedMessage).where(
            ProcessedMessage.source_id == "m-1")) == 0  # fmt: skip


def test_a_message_delivered_again_gets_what_is_still_owed_and_never_what_was_sent(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    person = Person(key="cli:tumaini")
    crashed = world.engine
    items = crashed.handle_durably(person, Incoming(text=ANSWER, source_id="m-1"))
    crashed.outbox.close()  # the worker died between the commit and the send
    restarted = _worker(world)
    again = restarted.handle_durably(person, Incoming(text=ANSWER, source_id="m-1"))
    assert [i.reply.text for i in again] == [i.reply.text for i in items]  # owed, so sent now
    assert [i.id for i in again] == [i.id for i in items]
    for item in again:
        restarted.outbox.sent(item.id)
    assert restarted.handle_durably(person, Incoming(text=ANSWER, source_id="m-1")) == []  # sent: never twice
    with world.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedMessage).where(
            ProcessedMessage.source_id == "m-1")) == 1  # fmt: skip


def test_a_worker_still_sending_keeps_its_replies_until_its_lease_runs_out(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    person = Person(key="cli:tumaini")
    sending = world.engine
    items = sending.handle_durably(person, Incoming(text=ANSWER, source_id="m-1"))
    clock = Clock()
    other = _worker(world, clock)
    clock.now = datetime.now(UTC)
    # the same update at a second worker while the first is alive and sending: nothing to send twice
    assert other.handle_durably(person, Incoming(text=ANSWER, source_id="m-1")) == []
    assert other.outbox.claim_due() == []
    assert not other.outbox.renew(items[0].id)  # not its claim
    clock.now = datetime.now(UTC) + LEASE + timedelta(seconds=1)  # the first worker hung past its lease
    taken = other.outbox.claim_due()
    assert [i.id for i in taken] == [i.id for i in items]
    assert not sending.outbox.renew(items[0].id)  # the first worker, if it wakes up, sends nothing more


def test_a_passing_failure_waits_its_turn_and_keeps_the_chats_order(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    person = Person(key="cli:tumaini")
    clock = Clock()
    engine = world.engine
    engine._outbox = Outbox(engine.db, clock=clock)
    first = engine.handle_durably(person, Incoming(text=ANSWER, source_id="m-1"))
    assert engine.outbox.retry_later(first[0].id, parts_sent=0)  # Telegram was unreachable
    engine.outbox.release([i.id for i in first[1:]])
    assert engine.outbox.claim_due() == []  # not before its retry time, and the rest of the chat waits behind it
    clock.now += timedelta(seconds=3)
    due = engine.outbox.claim_due()
    assert [i.id for i in due] == [i.id for i in first]
    # a new message from the person: what is still owed to the chat goes first, then the new replies
    engine.outbox.retry_later(due[0].id, parts_sent=0)
    engine.outbox.release([i.id for i in due[1:]])
    second = engine.handle_durably(person, Incoming(text="feed prices went up twice this year", source_id="m-2"))
    assert [i.id for i in second][: len(first)] == [i.id for i in first]
    assert all(i.id > first[-1].id for i in second[len(first) :])


def test_a_reply_failing_every_time_is_given_up(world: World) -> None:
    clock = Clock()
    outbox = Outbox(world.db, clock=clock)
    with world.db.session() as session:
        [item] = outbox.store_addressed(session, "test", [Reply(text="hello", to="tg:1")])
    for _ in range(20):
        if not outbox.retry_later(item.id, 0):
            break
        clock.now += timedelta(hours=1)
        assert [i.id for i in outbox.claim_due()] == [item.id]
    assert outbox.pending() == 0


def test_two_workers_sweeping_at_once_take_each_reply_once(world: World) -> None:
    clock = Clock()
    outboxes = [Outbox(world.restart().db, clock=clock) for _ in range(2)]
    with world.db.session() as session:
        outboxes[0].store_addressed(session, "bulk", [Reply(text=f"n{n}", to=f"tg:{n}") for n in range(60)])
    outboxes[0].close()  # its worker died
    taken: list[list[int]] = []
    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            taken += pool.map(lambda outbox: [i.id for i in outbox.claim_due()], outboxes[1:] * 2)
    ids = [row_id for batch in taken for row_id in batch]
    assert len(ids) == len(set(ids)) == 60


def test_long_replies_and_files_survive_the_round_trip() -> None:
    reply = Reply(text="x" * 9000, files=[ReplyFile(name="plan.docx", content=bytes(range(256)) * 3)])
    assert decode(encode(reply)) == reply


def test_reminders_are_stored_once_across_two_workers(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    join(world, "tumaini", code)
    join(world, "baraka", code)
    facilitator.send("/meeting 2027-03-02")
    workers = [world.engine, _worker(world)]
    with ThreadPoolExecutor(2) as pool:
        queued = list(pool.map(lambda engine: engine.queue_reminders(world.now), workers))
    reminded = sorted(item.recipient for items in queued for item in items)
    assert reminded == ["cli:baraka", "cli:tumaini"]  # whichever worker ran it, each person once
    assert all(item.id is not None for items in queued for item in items)
    assert workers[1].queue_reminders(world.now) == [] and workers[0].queue_reminders(world.now) == []
    assert len(_rows(world)) == 2


def test_forgetme_leaves_nothing_owed_to_the_person(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    engine = world.engine
    facilitator_items = engine.handle_durably(Person(key="cli:fatma"), Incoming(command="remind", source_id="f-9"))
    assert any(item.recipient == "cli:tumaini" for item in facilitator_items)
    person = Person(key="cli:tumaini")
    [confirm] = [i for i in engine.handle_durably(person, Incoming(command="forgetme", source_id="t-8"))]
    engine.outbox.sent(confirm.id)
    done = engine.handle_durably(person, Incoming(choice="forget:yes", source_id="t-9"))
    rows = _rows(world)
    assert [row.id for row in rows if row.recipient == "cli:tumaini"] == [i.id for i in done]  # only the goodbye
    assert all(row.person_id is None for row in rows if row.recipient == "cli:tumaini")


@pytest.mark.postgres
def test_on_postgres_a_dead_workers_claims_are_free_at_once_and_a_live_ones_are_not(postgres_url: str) -> None:
    world = World(postgres_url)
    try:
        alive, dead, sweeper = (Outbox(world.restart().db) for _ in range(3))
        with world.db.session() as session:
            alive.store_addressed(session, "a", [Reply(text="from a live worker", to="tg:1")])
            dead.store_addressed(session, "d", [Reply(text="from a dead worker", to="tg:2")])
        dead.close()  # its connection, and with it its advisory lock, is gone
        taken = sweeper.claim_due()
        assert [i.reply.text for i in taken] == ["from a dead worker"]
        with world.db.session() as session:
            expired = datetime.now(UTC) - timedelta(seconds=1)
            session.execute(update(OutboxRow).where(OutboxRow.source_id == "a").values(claimed_until=expired))
        assert [i.reply.text for i in sweeper.claim_due()] == ["from a live worker"]  # a lease that ran out
        alive.close()
        sweeper.close()
    finally:
        world.close()


@pytest.mark.postgres
def test_on_postgres_two_workers_sweeping_at_once_take_each_reply_once(postgres_url: str) -> None:
    world = World(postgres_url)
    try:
        test_two_workers_sweeping_at_once_take_each_reply_once(world)
    finally:
        world.close()


@pytest.mark.postgres
def test_on_postgres_reminders_are_stored_once_across_two_workers(postgres_url: str) -> None:
    from tests.engine.conftest import codes_from

    world = World(postgres_url)
    try:
        facilitator = world.person("fatma")
        facilitator.send("/newplan Coast tourism")
        facilitator.send("tourism")
        code, _ = codes_from(facilitator.send("Kilifi")[-1].text)
        test_reminders_are_stored_once_across_two_workers(world, lambda: (facilitator, code, ""))
    finally:
        world.close()
