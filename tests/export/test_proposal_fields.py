"""A stored proposal's open details and its credit reach every rendering of the draft: what the stakeholders left
to settle at the meeting, and whose idea it restates ("raised by 3 people")."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from bot.services import Services
from bot.settings import load_settings
from bot.storage.models import Plan
from bot.storage.workshop_models import InitiativeRow
from tests.fakes.embeddings import HashingEmbeddings

QUESTIONS = ["Who leads it - someone others follow?", "Who pays for the bins <and> how much?"]
CREDIT = {"input_ids": [3, 5, 8], "people": 3, "note": "The stakeholders' own idea, raised by 3 people."}


@pytest.fixture
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    built = Services(load_settings(), embeddings_override=HashingEmbeddings())
    yield built
    built.close()


def _plan_with_a_proposal(services: Services) -> int:
    with services.db.session() as session:
        plan = Plan(name="Coast tourism", value_chain="tourism", region="Kilifi")
        session.add(plan)
        session.flush()
        text = "All hotels clean the beach together once a week."
        session.add(
            InitiativeRow(
                plan_id=plan.id,
                title="Clean the beach together once a week",
                text=text,
                body={
                    "title": "Clean the beach together once a week",
                    "description": text,
                    "to_settle": QUESTIONS,
                    "credit": CREDIT,
                },
                origin="proposal",
                status="proposed",
                answers=[],
            )
        )
        return plan.id


def test_the_json_draft_carries_the_questions_and_the_credit(services: Services) -> None:
    plan_id = _plan_with_a_proposal(services)
    draft = json.loads(services.drafts.export(plan_id, "json").content)
    [item] = draft["initiatives"]
    assert item["to_settle"] == QUESTIONS
    assert item["credit"] == {"note": CREDIT["note"], "people": 3, "input_ids": [3, 5, 8]}
    assert services.drafts.import_json(json.dumps(draft), "plan.json").updated == 0  # reads back unchanged


def test_the_markdown_lists_them_under_the_initiative(services: Services) -> None:
    plan_id = _plan_with_a_proposal(services)
    markdown = services.drafts.export(plan_id, "md").content.decode("utf-8")
    section = markdown[markdown.index("Clean the beach together once a week") :]
    assert "**Whose idea:** The stakeholders' own idea, raised by 3 people." in section
    settle = section[section.index("**To settle at the meeting:**") :]
    assert "- Who leads it - someone others follow?" in settle
    assert r"- Who pays for the bins \<and\> how much?" in settle  # escaped, never markup


def test_the_docx_shows_them_too(services: Services) -> None:
    plan_id = _plan_with_a_proposal(services)
    document = docx.Document(io.BytesIO(services.drafts.export(plan_id, "docx").content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "The stakeholders' own idea, raised by 3 people." in text
    for question in QUESTIONS:
        assert question in text


def test_a_checked_initiative_has_neither(services: Services) -> None:
    plan_id = _plan_with_a_proposal(services)
    with services.db.session() as session:
        row = session.scalar(select(InitiativeRow))
        row.origin, row.body = "check", {"title": row.title, "description": row.text}
    [item] = json.loads(services.drafts.export(plan_id, "json").content)["initiatives"]
    assert item["to_settle"] == [] and item["credit"] is None
