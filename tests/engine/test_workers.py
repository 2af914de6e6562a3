"""Two workers on one store: each message of a person is applied exactly once, in some order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.engine import Incoming, Person
from bot.storage.plan_models import Membership, StoredInput
from tests.engine.conftest import World
from tests.engine.test_flow import join


def test_two_workers_interleaving_one_person_lose_nothing(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    join(world, "tumaini", code)
    workers = [world.engine, world.restart()]
    person = Person(key="cli:tumaini")
    answers = [f"problem number {n} is bad roads in zone {n}" for n in range(6)]

    def send(n: int) -> list[str]:
        replies = workers[n % 2].handle(person, Incoming(text=answers[n], source_id=f"w-{n}"))
        return [reply.text for reply in replies]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(send, range(6)))
    assert all("went wrong" not in text for texts in results for text in texts)
    # a duplicate delivery to the other worker captures nothing
    assert workers[1].handle(person, Incoming(text=answers[0], source_id="w-0")) == []
    with world.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoredInput)) == 6
        topic = session.scalar(select(Membership.topic_index).where(Membership.role == "stakeholder"))
    assert topic == 6
