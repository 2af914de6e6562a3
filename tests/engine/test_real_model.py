"""The engine with the real capture extractor and theme clustering on the packaged model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.capture import OfflineExtractor
from bot.cli.terminal import TranscriptAdapter
from bot.engine import Engine, Person
from bot.storage import Database
from bot.storage.plan_models import StoredInput
from tests.engine.conftest import codes_from
from tests.engine.fakes import FakeAnswerer
from tests.fakes.engines import offline_parts

pytestmark = pytest.mark.model


def test_interview_with_the_real_extractor_and_themes(tmp_path: Path, real_embeddings) -> None:
    db = Database(f"sqlite:///{tmp_path / 'planbot.db'}")
    db.migrate()
    engine = Engine(
        db, OfflineExtractor(real_embeddings), FakeAnswerer(), real_embeddings, **offline_parts(real_embeddings)
    )
    facilitator = TranscriptAdapter(engine, Person(key="cli:fac", display_name="Fac"))
    facilitator.send("/newplan Lake fish")
    facilitator.send("fisheries")
    code, _ = codes_from(facilitator.send("Kisumu")[-1].text)
    answers = {
        "juma": ["no ice at landing beach, fish rot before market", "skip"],
        "akinyi": ["fish go bad because no ice at the beach", "skip"],
        "otieno": ["we lack cold storage so fish spoil", "skip"],
    }
    for name, lines in answers.items():
        person = TranscriptAdapter(engine, Person(key=f"cli:{name}", display_name=name))
        person.send(f"/start {code}")
        person.tap("I agree")
        person.tap("Producer")
        person.tap("Micro")
        person.tap("Skip")
        for line in lines:
            person.send(line)
    with db.session() as session:
        kinds = session.scalars(select(StoredInput.kind)).all()
    assert kinds.count("constraint") >= 3
    summary = facilitator.send("/summary")[0].text
    first_theme = summary.splitlines()[summary.splitlines().index("Problems:") + 1]
    assert "3 people" in first_theme, summary
    db.dispose()
