"""The store on SQLite and, where reachable, on PostgreSQL: migrations, transactions, cascades."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.errors import SettingsError
from bot.storage import Database
from bot.storage.models import Chunk, Document, Plan


def _roundtrip(db: Database) -> None:
    db.migrate()
    db.migrate()  # applying migrations again on start is harmless
    assert {"plans", "documents", "chunks", "alembic_version"} <= set(db.table_names())
    with db.session() as session:
        plan = Plan(name="Coastal tourism", value_chain="tourism", region="North coast")
        session.add(plan)
        session.flush()
        document = Document(
            plan_id=plan.id, scope=f"plan-{plan.id}", source="notes.md", title="notes", content_hash="h"
        )
        document.chunks.append(Chunk(id="c1", scope=document.scope, position=0, text="Roads flood.", text_hash="t"))
        session.add(document)
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(Plan(name="half-written", value_chain="", region=""))
        session.flush()
        raise RuntimeError("crash in the middle of a unit of work")
    with db.session() as session:
        assert [p.name for p in session.scalars(select(Plan))] == ["Coastal tourism"]
        assert session.scalar(select(Chunk.text)) == "Roads flood."
        session.delete(session.scalars(select(Document)).one())
    with db.session() as session:
        assert session.scalars(select(Chunk)).all() == []


def test_sqlite_store(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'sub' / 'planbot.db'}")
    _roundtrip(db)
    db.dispose()


@pytest.mark.postgres
def test_postgres_store(postgres_url: str) -> None:
    db = Database(postgres_url)
    _roundtrip(db)
    db.dispose()


def test_a_bad_database_url_is_one_line_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"^DATABASE_URL: not a valid SQLAlchemy URL"):
        Database("not a url")


def test_an_unreachable_database_names_the_variable(tmp_path: Path) -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(SettingsError, match=r"^DATABASE_URL: cannot open the database"):
        db.migrate()
