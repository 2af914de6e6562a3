"""The flood limit and the LLM budget are counted in SQL: one limit for every worker, kept across restarts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.llm.budget import SharedBudget
from bot.llm.client import Limits, LLMClient, LLMUnavailable
from bot.services import Services
from bot.settings import load_settings
from bot.storage import Database
from bot.telegram.throttle import SharedFloodThrottle, Verdict
from bot.usage import Scope
from tests.fakes.embeddings import HashingEmbeddings
from tests.llm.conftest import RoutingChatModel, scripted

PERSON = Scope(person="tg:1", plan="7")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'planbot.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


def _databases(url: str, n: int) -> list[Database]:
    """`n` workers' connections to one store (each its own engine and pool, as separate processes have)."""
    databases = [Database(url) for _ in range(n)]
    databases[0].migrate()
    return databases


def test_the_budget_counts_requests_and_tokens_per_hour_and_survives_a_restart(store_url: str) -> None:
    clock = Clock()
    first, second = _databases(store_url, 2)
    limits = Limits(person_requests=3, person_tokens=1000, plan_requests=100, plan_tokens=100_000)
    budgets = [SharedBudget(db, limits, clock=clock) for db in (first, second)]
    for n in range(3):
        budgets[n % 2].acquire(PERSON)  # two workers, one budget
    with pytest.raises(LLMUnavailable, match="3 requests this hour"):
        budgets[1].acquire(PERSON)
    assert budgets[0].used("person:tg:1") == (3, 0)
    budgets[0].acquire(Scope(person="tg:2", plan="7"))  # someone else is not held back
    restarted = SharedBudget(Database(store_url), limits, clock=clock)
    with pytest.raises(LLMUnavailable):
        restarted.acquire(PERSON)
    clock.now += 3600 + 60  # an hour later the window has moved on
    restarted.acquire(PERSON)
    restarted.spend(PERSON, 1000)
    with pytest.raises(LLMUnavailable, match="1000 tokens this hour"):
        budgets[0].acquire(PERSON)
    for db in (first, second, restarted.db):
        db.dispose()


def test_two_workers_taking_the_budget_at_once_take_it_exactly_once(store_url: str) -> None:
    """Many threads on two workers race for the last requests of the hour: exactly the limit goes to the model."""
    databases = _databases(store_url, 2)
    limits = Limits(person_requests=10, person_tokens=10**9, plan_requests=10**6, plan_tokens=10**9)
    model = scripted(*(["ok"] * 100))
    clients = [LLMClient(model, budget=SharedBudget(db, limits), sleep=lambda s: None) for db in databases]
    start = threading.Barrier(8)

    def ask(n: int) -> int:
        start.wait()
        answered = 0
        for _ in range(4):
            try:
                with _scope():
                    clients[n % 2].complete([HumanMessage("hello")])
                answered += 1
            except LLMUnavailable as exc:
                assert exc.reason == "budget"
        return answered

    with ThreadPoolExecutor(8) as pool:
        answered = sum(pool.map(ask, range(8)))
    assert answered == 10 and len(model.seen) == 10
    for client in clients:
        client.close()
    for db in databases:
        db.dispose()


def _scope():
    from bot.llm import llm_scope

    return llm_scope(person="tg:1", plan="7")


def test_two_workers_checking_one_flood_at_once_keep_one_limit(store_url: str) -> None:
    clock = Clock()
    databases = _databases(store_url, 2)
    throttles = [SharedFloodThrottle(db, 20, 10, clock=clock) for db in databases]
    start = threading.Barrier(6)

    def flood(n: int) -> list[Verdict]:
        start.wait()
        return [throttles[n % 2].check("tg:9") for _ in range(10)]

    with ThreadPoolExecutor(6) as pool:
        verdicts = [v for batch in pool.map(flood, range(6)) for v in batch]
    assert verdicts.count(Verdict.allow) == 20
    assert verdicts.count(Verdict.refuse_and_tell) == 1  # told once, whichever worker saw it first
    for db in databases:
        db.dispose()


NATURAL = "Sawa, what problems hold your business back these days?"


def _worker(tmp_path: Path, url: str, n: int) -> tuple[RoutingChatModel, Services]:
    model = RoutingChatModel(routes={"phrase": [NATURAL]})
    settings = load_settings(
        data_dir=tmp_path / f"worker{n}",
        database_url=url,
        llm="openai:test-model",
        llm_person_requests_per_hour=3,
    )
    return model, Services(settings, embeddings_override=HashingEmbeddings(), chat_model_override=model)


def test_two_engines_spend_one_llm_budget_for_a_person(tmp_path: Path, store_url: str) -> None:
    """A stakeholder's answers alternate between two workers; the model is asked as often as one budget allows.

    On SQLite the model calls happen inside the engine's turn and are counted in it (no second connection
    waiting on the turn's lock); on PostgreSQL each count is a transaction of its own."""
    workers = [_worker(tmp_path, store_url, n) for n in range(2)]
    try:
        facilitator = TranscriptAdapter(workers[0][1].engine, Person(key="cli:fatma"))
        facilitator.send("/newplan Kilifi fish")
        facilitator.send("fisheries")
        replies = facilitator.send("Kilifi")
        code = next(
            line.split()[-1] for r in replies for line in r.text.splitlines() if line.startswith("stakeholders:")
        )
        people = [TranscriptAdapter(services.engine, Person(key="cli:amina")) for _, services in workers]
        people[1].send(f"/start {code}")
        for label in ("I agree", "Producer", "Micro (1-4 people)", "Skip"):
            people[1].tap(label)
        calls_before = sum(len(model.seen) for model, _ in workers)
        budget = workers[0][1].llm.client.budget
        used_before = budget.used("person:cli:amina")[0]
        for n in range(6):
            replies = people[n % 2].send(f"the fish spoils at the beach because there is no ice, day {n}")
            assert replies and "went wrong" not in replies[-1].text
        calls = sum(len(model.seen) for model, _ in workers) - calls_before
        assert budget.used("person:cli:amina")[0] == 3  # one budget, spent once across both workers
        assert calls == 3 - used_before
        reasons = workers[0][1].llm.stats.reasons() + workers[1][1].llm.stats.reasons()
        assert reasons["budget"] > 0  # past it, the offline path answered
    finally:
        for _, services in workers:
            services.close()
