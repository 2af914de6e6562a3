"""Fixtures of the engine tests: a SQLite file under tmp_path, the fakes, and people talking through
the collecting terminal adapter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Engine, Person
from bot.storage import Database
from tests.engine.fakes import FakeAnswerer, KeywordExtractor, group_by_first_word
from tests.fakes.embeddings import HashingEmbeddings
from tests.fakes.engines import offline_parts


class World:
    """An engine on one database, rebuilt on demand (a restart), and adapters per person."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.extractor = KeywordExtractor()
        self.answerer = FakeAnswerer()
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
        self.databases: list[Database] = []
        self.engine = self.restart()

    def restart(self) -> Engine:
        """A new Database and Engine object on the same store, as after a crash or on a second worker."""
        db = Database(self.url)
        db.migrate()
        self.databases.append(db)
        embeddings = HashingEmbeddings()
        self.engine = Engine(
            db,
            self.extractor,
            self.answerer,
            embeddings,
            clock=lambda: self.now,
            cluster=group_by_first_word,
            **offline_parts(embeddings),
        )
        return self.engine

    @property
    def db(self) -> Database:
        return self.databases[-1]

    def person(self, name: str) -> TranscriptAdapter:
        return TranscriptAdapter(self.engine, Person(key=f"cli:{name}", display_name=name.capitalize()))

    def close(self) -> None:
        for db in self.databases:
            db.dispose()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = World(f"sqlite:///{tmp_path / 'planbot.db'}")
    yield built
    built.close()


def codes_from(text: str) -> tuple[str, str]:
    """The stakeholder and co-facilitator codes shown by /invite or /newplan."""
    stakeholder = facilitator = ""
    for line in text.splitlines():
        if line.startswith("stakeholders:"):
            stakeholder = line.split(":", 1)[1].strip()
        if line.startswith("co-facilitators:"):
            facilitator = line.split(":", 1)[1].strip()
    assert stakeholder and facilitator, text
    return stakeholder, facilitator


@pytest.fixture
def new_plan(world: World) -> Callable[..., tuple[TranscriptAdapter, str, str]]:
    def make(name: str = "Coast tourism", chain: str = "tourism", region: str = "Kilifi", who: str = "fatma"):
        facilitator = world.person(who)
        facilitator.send(f"/newplan {name}")
        facilitator.send(chain)
        replies = facilitator.send(region)
        stakeholder_code, facilitator_code = codes_from(replies[-1].text)
        return facilitator, stakeholder_code, facilitator_code

    return make
