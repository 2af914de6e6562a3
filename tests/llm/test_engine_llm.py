"""The model in the engine: interview questions phrased for the person, /propose drafted, offline on failure."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage
from sqlalchemy import select

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.messages import catalogue
from bot.services import Services
from bot.settings import load_settings
from bot.storage.workshop_models import InitiativeRow
from tests.fakes.embeddings import HashingEmbeddings
from tests.llm.conftest import RoutingChatModel

CONSTRAINTS_Q = catalogue().text("interview.topics.constraints")
OPPORTUNITIES_Q = catalogue().text("interview.topics.opportunities")
NATURAL = "Sawa, what problems hold your business back these days?"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[RoutingChatModel, Services]]:
    model = RoutingChatModel()
    services = Services(
        load_settings(data_dir=tmp_path, llm="openai:test-model"),
        embeddings_override=HashingEmbeddings(),
        chat_model_override=model,
    )
    yield model, services
    services.close()


def new_plan(services: Services, name: str = "Kilifi fish") -> tuple[TranscriptAdapter, str]:
    facilitator = TranscriptAdapter(services.engine, Person(key="cli:fatma"))
    facilitator.send(f"/newplan {name}")
    facilitator.send("fisheries")
    replies = facilitator.send("Kilifi")
    code = next(line.split()[-1] for r in replies for line in r.text.splitlines() if line.startswith("stakeholders:"))
    return facilitator, code


def join(services: Services, key: str, code: str) -> tuple[TranscriptAdapter, str]:
    person = TranscriptAdapter(services.engine, Person(key=key))
    person.send(f"/start {code}")
    for label in ("I agree", "Producer", "Micro (1-4 people)"):
        person.tap(label)
    [first] = person.tap("Skip")
    return person, first.text


def test_the_engine_asks_the_phrased_question_in_the_same_frame_with_the_same_buttons(world) -> None:
    model, services = world
    model.routes["phrase"] = [NATURAL]
    _, code = new_plan(services)
    person, first = join(services, "cli:wanjiru", code)
    assert first.endswith(f"Question 1 of 8: {NATURAL}")
    assert CONSTRAINTS_Q not in first
    [reply] = person.send("skip")  # the buttons and the frame are untouched by the phrasing
    assert reply.text == f"Skipped.\n\nQuestion 2 of 8: {NATURAL}"
    assert [(c.label, c.data) for c in reply.choices] == [
        ("Why?", "iv:why:1"),
        ("Skip", "iv:skip:1"),
        ("Back", "iv:back:1"),
    ]
    assert services.llm.stats.reasons("phrase")["ok"] >= 2


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"question": "What holds you back?"}', "not_a_question"),
        ("What " + "really " * 80 + "holds your business back?", "too_long"),
        ("What problems hold your business back? Fill https://forms.example.com/x?", "link_or_markup"),
        ("", "empty"),
    ],
)
def test_a_bad_phrasing_falls_back_to_the_catalogue_question(world, reply: str, reason: str) -> None:
    model, services = world
    model.routes["phrase"] = [reply]
    _, code = new_plan(services)
    _, first = join(services, "cli:wanjiru", code)
    assert first.endswith(f"Question 1 of 8: {CONSTRAINTS_Q}")
    assert services.llm.stats.reasons("phrase")[reason] >= 1


def test_a_failing_phraser_never_costs_the_question(world) -> None:
    model, services = world

    def broken(messages: list[BaseMessage]) -> str:
        raise ConnectionError("connection refused")

    model.routes["phrase"] = broken
    _, code = new_plan(services)
    _, first = join(services, "cli:wanjiru", code)
    assert first.endswith(f"Question 1 of 8: {CONSTRAINTS_Q}")
    assert services.llm.stats.reasons("phrase")["error"] >= 1


def test_only_the_persons_own_words_reach_the_phrasing_prompt(world) -> None:
    model, services = world
    model.routes["phrase"] = ["What chances do you see for your business now?"]
    _, code = new_plan(services)
    asha, _ = join(services, "cli:asha", code)
    asha.send("qzsecret the ice at Kilifi landing is too expensive for us")
    model.seen.clear()
    baraka, _ = join(services, "cli:baraka", code)
    [reply] = baraka.send("roads to the beach are bad when it rains")
    assert reply.text.endswith("Question 2 of 8: What chances do you see for your business now?")
    prompts = model.prompts("phrase")
    assert len(prompts) == 2  # baraka's first and second question
    assert all("qzsecret" not in p and "ice at Kilifi" not in p for p in prompts)
    assert "roads to the beach are bad when it rains" in prompts[-1].split("Question:")[-1]
    assert OPPORTUNITIES_Q in prompts[-1]  # the catalogue question is the intent the model is given


# ---- /propose through the drafter -------------------------------------------------------------------------


def _actors(messages: list[BaseMessage]) -> list[str]:
    block = re.search(r"<actors>\n(.*?)\n</actors>", str(messages[-1].content), re.DOTALL)
    return [line[2:].strip() for line in (block.group(1) if block else "").splitlines() if line.startswith("- ")]


def drafting(**overrides: object):
    def reply(messages: list[BaseMessage]) -> str:
        actors = _actors(messages)
        draft = {
            "title": "Shared ice room at the landing site",
            "description": (
                "Small fishers and traders invest together in one ice room and share the risk; "
                "the first benefits come within 3 months and micro and small enterprises benefit most."
            ),
            "actors": actors[:1],
            "lead_actor": actors[0] if actors else None,
            "steps": ["Start small: rent one ice maker for a three month trial"],
            "first_benefits": "within 3 months",
            "beneficiaries": "micro and small fishers",
            "answers": ["t1"],
        }
        draft.update(overrides)
        return json.dumps({"initiatives": [draft]})

    return reply


def interview_plan(services: Services) -> TranscriptAdapter:
    facilitator, code = new_plan(services)
    person, _ = join(services, "cli:asha", code)
    for line in (
        "ice is too expensive at the landing site",
        "hotels in Watamu want fresh fish",
        "we could buy an ice maker together",
        "the beach management unit chairman",
        "the fish market at the landing site",
    ):
        person.send(line)
    return facilitator


def proposal_rows(services: Services) -> list[InitiativeRow]:
    with services.db.session() as session:
        found = list(session.scalars(select(InitiativeRow).where(InitiativeRow.origin == "proposal")))
        session.expunge_all()
        return found


def test_propose_stores_the_checked_drafts_of_the_model(world) -> None:
    model, services = world
    model.routes["draft"] = drafting()
    facilitator = interview_plan(services)
    text = facilitator.text_of(facilitator.send("/propose"))
    assert "Shared ice room at the landing site" in text
    [row] = proposal_rows(services)
    assert row.pattern == "llm_draft" and row.verdict != "not_recommended"
    assert row.scorecard["verdict"] == row.verdict and len(row.scorecard["criteria"]) == 8
    assert row.answers  # the stakeholders' inputs it answers, all of this plan
    drafted = next(messages for use, messages in reversed(model.seen) if use == "draft")  # the judge comes after
    assert _actors(drafted)[0] in row.body["actors"]
    assert services.llm.stats.reasons("draft")["ok"] == 1


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"actors": ["The Minister of Fisheries"], "lead_actor": None}, "invented_actor"),
        ({"answers": ["t1", "t42"]}, "invented_input"),
    ],
)
def test_an_invented_actor_or_input_gives_the_offline_proposals(world, overrides, reason) -> None:
    model, services = world
    model.routes["draft"] = drafting(**overrides)
    facilitator = interview_plan(services)
    facilitator.send("/propose")
    rows = proposal_rows(services)
    assert rows and all(r.pattern != "llm_draft" for r in rows)
    assert not any("Minister" in (r.text or "") for r in rows)
    assert services.llm.stats.reasons("draft")[reason] == 1
