"""The demo workshop played through the engine on a test database (hashing embeddings: fast, offline), with one
more stakeholder who stopped after the first answer, so the progress chart has someone still going."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.charts import Picture
from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.export.draft import Draft
from bot.export.picture import gather_picture
from bot.services import Services
from bot.settings import load_settings
from bot.storage.plan_models import Invite
from tests.export.test_demo_plan import play_workshop
from tests.fakes.embeddings import HashingEmbeddings


def _unfinished_stakeholder(services: Services, plan_id: int) -> None:
    with services.db.session() as session:
        code = session.scalar(select(Invite.code).where(Invite.plan_id == plan_id, Invite.role == "stakeholder"))
    chat = TranscriptAdapter(services.engine, Person(key="cli:late-trader", display_name="Late trader"))
    chat.send(f"/start {code}")
    for label in ("I agree", "Trader / buyer", "Micro (1-4 people)", "Skip"):
        chat.tap(label)
    chat.send("the road to the beach floods and tourists cannot reach the guesthouses")


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, int]]:
    with pytest.MonkeyPatch.context() as patch:
        data = tmp_path_factory.mktemp("charts") / "data"
        patch.setenv("PLANBOT_DATA_DIR", str(data))
        for name in ("PLANBOT_LLM", "DATABASE_URL", "PLANBOT_CHROMA_URL"):
            patch.delenv(name, raising=False)
        services = Services(load_settings(), embeddings_override=HashingEmbeddings())
        try:
            plan_id = play_workshop(services)
            _unfinished_stakeholder(services, plan_id)
            yield services, plan_id
        finally:
            services.close()


@pytest.fixture(scope="package")
def demo_draft_and_picture(demo: tuple[Services, int]) -> tuple[Draft, Picture]:
    services, plan_id = demo
    with services.db.session() as session:
        draft = services.drafts.draft(plan_id, session)
        return draft, gather_picture(session, plan_id, draft)


@pytest.fixture
def picture(demo_draft_and_picture: tuple[Draft, Picture]) -> Picture:
    return demo_draft_and_picture[1]


@pytest.fixture
def draft(demo_draft_and_picture: tuple[Draft, Picture]) -> Draft:
    return demo_draft_and_picture[0]


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path
