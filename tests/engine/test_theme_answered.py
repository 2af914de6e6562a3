"""One rule decides which initiative answers which theme, in /summary, the plan check and the export: a plan whose
accepted initiative is a joint beach clean-up and whose top problem is plastic on the beach never says, anywhere,
that no initiative answers the plastic."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.services import Services
from bot.settings import load_settings
from bot.storage.models import Plan
from tests.engine.conftest import codes_from

pytestmark = pytest.mark.model

PROBLEMS = {
    "hotel": "plastic and seaweed on the beach every morning, guests complain",
    "guesthouse": "the beach near us is dirty with plastic so guests go away",
    "fisher": "plastic bottles all over the beach where we land the boats",
    "guide": "the road to the reef beach is very bad in rainy season",
}
CLEAN_UP = (
    "A joint beach clean-up: all hotels, guesthouses and fishers clear the plastic from the beach together every "
    "month; the hotel association pays for bins and small guesthouses see a cleaner beach within two months."
)
MISSING = "No initiative answers"


@pytest.fixture
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_embeddings) -> Iterator[Services]:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    for name in ("PLANBOT_LLM", "DATABASE_URL", "PLANBOT_CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)
    built = Services(load_settings(), embeddings_override=real_embeddings)
    yield built
    built.close()


def _plan(services: Services) -> tuple[TranscriptAdapter, int]:
    engine = services.engine
    facilitator = TranscriptAdapter(engine, Person(key="cli:amani", display_name="Amani"))
    facilitator.send("/newplan Beach tourism")
    facilitator.send("coastal tourism")
    code, _ = codes_from(facilitator.send("Mwamba")[-1].text)
    for name, problem in PROBLEMS.items():
        person = TranscriptAdapter(engine, Person(key=f"cli:{name}", display_name=name))
        person.send(f"/start {code}")
        for label in ("I agree", "Hotel / tourism", "Small (5-19)", "Skip"):
            person.tap(label)
        person.send(problem)
    facilitator.send(f"/check {CLEAN_UP}")
    facilitator.tap("Skip")
    facilitator.tap("Save as initiative")
    facilitator.send("/initiatives")
    facilitator.tap("1. ")
    facilitator.tap("Accept")
    with services.db.session() as session:
        plan_id = session.scalar(select(Plan.id).where(Plan.name == "Beach tourism"))
    return facilitator, plan_id


def _lines_saying_unanswered(text: str) -> list[str]:
    return [line for line in text.splitlines() if MISSING in line]


def test_the_clean_up_answers_the_plastic_everywhere(services: Services) -> None:
    facilitator, plan_id = _plan(services)
    summary = facilitator.text_of(facilitator.send("/summary"))
    lines = summary.splitlines()
    plastic = next(n for n, line in enumerate(lines) if "plastic" in line.casefold())
    assert "answered by:" in lines[plastic + 1] and "joint beach clean-up" in lines[plastic + 1].casefold(), summary

    listing = facilitator.text_of(facilitator.send("/initiatives"))
    assert not [line for line in _lines_saying_unanswered(listing) if "plastic" in line.casefold()], listing

    draft = json.loads(services.drafts.export(plan_id, "json").content)
    markdown = services.drafts.export(plan_id, "md").content.decode("utf-8")
    checks = {row["id"]: row for row in draft["plan_check"]}
    assert "plastic" not in checks["themes_answered"]["explanation"].casefold() or (
        MISSING not in checks["themes_answered"]["explanation"]
    )
    for row in draft["plan_check"]:
        if MISSING in row["explanation"]:
            assert "plastic" not in row["explanation"].casefold(), row
    assert not [line for line in _lines_saying_unanswered(markdown) if "plastic" in line.casefold()]
    [accepted] = [i for i in draft["initiatives"] if i["accepted"]]
    plastic_themes = [t["label"] for t in draft["themes"] if t["kind"] == "constraint" and "plastic" in t["label"]]
    assert plastic_themes and set(plastic_themes) <= set(accepted["answers"])
    assert not any("road" in answer for answer in accepted["answers"])  # shares "beach" only: not answered
