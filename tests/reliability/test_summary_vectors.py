"""/summary reads the vectors kept with each input instead of re-embedding the whole plan every time."""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings
from sqlalchemy import select, update

from bot.engine import Engine, Incoming, Person, invites
from bot.storage import Database
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.themes import cluster
from tests.engine.fakes import FakeAnswerer, KeywordExtractor
from tests.fakes.embeddings import HashingEmbeddings
from tests.fakes.engines import offline_parts


class CountingEmbeddings(Embeddings):
    """HashingEmbeddings that counts how many texts it was asked to embed."""

    def __init__(self) -> None:
        self.inner = HashingEmbeddings()
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.texts += 1
        return self.inner.embed_query(text)


def _engine(tmp_path: Path, embeddings: Embeddings) -> Engine:
    db = Database(f"sqlite:///{tmp_path / 'planbot.db'}")
    db.migrate()
    return Engine(db, KeywordExtractor(), FakeAnswerer(), embeddings, cluster=cluster, **offline_parts(embeddings))


def _plan_with_inputs(engine: Engine) -> Person:
    facilitator = Person(key="cli:fatma", display_name="Fatma")
    for step in (Incoming(command="newplan", args="Dairy"), Incoming(text="dairy"), Incoming(text="Meru")):
        engine.handle(facilitator, step)
    with engine.db.session() as session:
        plan_id = session.scalar(select(Plan.id))
        code = invites.create_invite(session, plan_id, "stakeholder", engine.clock()).code
    for n, words in enumerate(("feed prices are too high", "the milk road is bad", "feed costs too much")):
        farmer = Person(key=f"cli:farmer{n}", display_name=f"Farmer {n}")
        engine.handle(farmer, Incoming(command="start", args=code))
        engine.handle(farmer, Incoming(choice="consent:yes", content_type="choice"))
        with engine.db.session() as session:
            person = session.scalar(select(PersonRow.id).where(PersonRow.key == farmer.key))
            session.execute(
                update(Membership)
                .where(Membership.person_id == person)
                .values(actor_type="producer", size="micro", organisation="")
            )
        engine.handle(farmer, Incoming(text=f"{words}, problem for all of us", source_id=f"m{n}"))
    return facilitator


def test_summary_embeds_nothing_already_stored_and_fills_old_rows_once(tmp_path: Path) -> None:
    embeddings = CountingEmbeddings()
    engine = _engine(tmp_path, embeddings)
    facilitator = _plan_with_inputs(engine)
    with engine.db.session() as session:
        stored = list(session.scalars(select(StoredInput)))
    assert stored and all(row.vector for row in stored)  # kept when the inputs were stored
    before = embeddings.texts
    first = engine.handle(facilitator, Incoming(command="summary"))[0].text
    assert embeddings.texts == before  # nothing re-embedded
    assert "feed" in first
    with engine.db.session() as session:  # rows from before migration 0005 have no vector yet
        session.execute(update(StoredInput).values(vector=None))
    again = engine.handle(facilitator, Incoming(command="summary"))[0].text
    assert embeddings.texts == before + len(stored) and again == first
    engine.handle(facilitator, Incoming(command="summary"))
    assert embeddings.texts == before + len(stored)  # filled once, then read
