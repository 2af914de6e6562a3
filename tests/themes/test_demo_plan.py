"""The demo plan (knowledge/demo-workshop.yaml) as stored inputs, grouped and checked with the real model.

The inputs are the stakeholders' answers as said (one input per answer, its kind from the question), so the
joint "no waste collection on the beach and no budget for it" and "the village chief and the hotel association
chairman" stay as stakeholders typed them whatever capture does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.checker import OfflineChecker
from bot.checker.plan_check import PlanCheckId
from bot.engine import Engine, Incoming, Person
from bot.proposals.store import plan_check_for
from bot.storage import Database
from bot.storage.models import Plan
from bot.storage.plan_models import PersonRow, StoredInput
from bot.storage.workshop_models import InitiativeRow
from bot.themes import ThemeItem, cluster
from tests.engine.fakes import FakeAnswerer, KeywordExtractor
from tests.fakes.engines import offline_parts

pytestmark = pytest.mark.model

SCRIPT = Path(__file__).resolve().parents[2] / "knowledge" / "demo-workshop.yaml"
KINDS = ["constraint", "opportunity", "idea", "influential_actor", "aggregation_point", "idea", "idea", "idea"]
CLEAN_UP = (
    "Every month the hotels, guesthouses and the fishers' cooperative meet in the community hall to plan a joint "
    "beach clean-up; the hotel association pays for bins, first cleaner beach within 2 months, and all small "
    "guesthouses and fishers can take part."
)
ROAD = "the road to the reef beach is very bad in rainy season"


def _demo_rows() -> list[tuple[int, str, str]]:
    """(person, kind, text) of every answer of the demo's stakeholders, in order."""
    script = yaml.safe_load(SCRIPT.read_text(encoding="utf-8"))
    rows = []
    for person, stakeholder in enumerate(script["stakeholders"], start=1):
        for kind, answer in zip(KINDS, stakeholder["answers"], strict=True):
            if answer.strip().lower() != "skip":
                rows.append((person, kind, answer))
    return rows


@pytest.fixture
def demo(tmp_path: Path, real_embeddings):
    db = Database(f"sqlite:///{tmp_path / 'planbot.db'}")
    db.migrate()
    engine = Engine(
        db, KeywordExtractor(), FakeAnswerer(), real_embeddings, cluster=cluster, **offline_parts(real_embeddings)
    )
    facilitator = Person(key="cli:amani", display_name="Amani")
    for step in (Incoming(command="newplan", args="Mwamba"), Incoming(text="coastal tourism"), Incoming(text="Mwamba")):
        engine.handle(facilitator, step)
    with db.session() as session:
        plan_id = session.scalar(select(Plan.id))
        people = {}
        for person, kind, text in _demo_rows():
            if person not in people:
                row = PersonRow(key=f"cli:s{person}", display_name=f"S{person}")
                session.add(row)
                session.flush()
                people[person] = row.id
            session.add(
                StoredInput(
                    person_id=people[person],
                    plan_id=plan_id,
                    kind=kind,
                    text=text,
                    summary=text,
                    confidence=0.9,
                    source_id=f"demo-{len(people)}-{kind}-{hash(text)}",
                )
            )
        session.add(
            InitiativeRow(plan_id=plan_id, title=CLEAN_UP[:80], text=CLEAN_UP, origin="check", status="accepted")
        )
    yield engine, facilitator, plan_id
    db.dispose()


def test_the_road_to_the_reef_beach_is_not_grouped_with_the_plastic_on_the_beach(real_embeddings) -> None:
    rows = _demo_rows()
    items = [ThemeItem(id=n, person_id=p, kind=k, text=t) for n, (p, k, t) in enumerate(rows, start=1)]
    themes = cluster(items, real_embeddings)
    text = {n: t for n, (_, _, t) in enumerate(rows, start=1)}
    road = next(t for t in themes if any(text[i].startswith(ROAD) for i in t.item_ids))
    assert not any("plastic" in text[i] for i in road.item_ids)
    plastic = next(t for t in themes if any(text[i].startswith("plastic and seaweed") for i in t.item_ids))
    assert any("dirty with plastic" in text[i] for i in plastic.item_ids)
    for theme in themes:
        assert len(theme.label) <= 60 and "…" not in theme.label, theme.label
    actors = {t.label: t for t in themes if t.kind == "influential_actor"}
    joint = next(n for n, t in text.items() if t == "the village chief and the hotel association chairman")
    holding = [label for label, t in actors.items() if joint in t.item_ids]
    assert len(holding) == 2, actors  # one input, two actors: each theme counts it
    assert any("chief" in label for label in holding) and any("chairman" in label for label in holding)


def test_the_plan_check_sees_the_accepted_beach_clean_up_answering_the_beach_plastic(demo, real_embeddings) -> None:
    engine, _, plan_id = demo
    with engine.db.session() as session:
        check = plan_check_for(session, plan_id, OfflineChecker(real_embeddings), real_embeddings)
    explanation = check.item(PlanCheckId.themes_answered).explanation
    missing = explanation if "No initiative answers" in explanation else ""
    assert "plastic" not in missing and "beach" not in missing.replace(ROAD, ""), explanation
    # which initiative answers it: in the same line when every top theme is answered, else in a line of its own
    pairs = " ".join(item.explanation for item in check.checks if item.id.value.startswith("themes_answered"))
    assert 'by "Every month the hotels' in pairs, pairs


def test_summary_says_which_accepted_initiative_answers_each_problem(demo) -> None:
    engine, facilitator, _ = demo
    text = engine.handle(facilitator, Incoming(command="summary"))[0].text
    lines = text.splitlines()
    problems = lines[lines.index("Problems:") + 1 :]
    first = problems[0]
    assert first.startswith("1. ") and "beach" in first and "…" not in first.split(" - ")[0], text
    assert problems[1].startswith("   answered by: Every month the hotels"), text
    road = next(n for n, line in enumerate(problems) if ROAD in line)
    assert problems[road + 1] == "   no accepted initiative answers it yet", text
    named = next(line for line in lines if line.startswith("Influential actors named:"))
    listed = named.split(": ", 1)[1].split("; ")
    assert "the village chief" in listed and "the hotel association chairman" in listed, named
    assert "the village chief and the hotel association chairman" not in listed


def test_the_proposer_material_and_the_export_carry_the_short_labels_and_the_same_answers(
    demo, real_embeddings
) -> None:
    from bot.export.service import DraftService
    from bot.proposals.material import material_for

    engine, _, plan_id = demo
    checker = OfflineChecker(real_embeddings)
    with engine.db.session() as session:
        material = material_for(session, plan_id, lambda items: cluster(items, real_embeddings))
        labels = {theme.label for theme in material.themes}
        assert "plastic and seaweed on the beach every morning" in labels
        assert all(len(label) <= 60 and "…" not in label for label in labels), labels

    def plan_check(session, pid, _checked):
        return plan_check_for(session, pid, checker, real_embeddings)

    draft = DraftService(engine.db, checker, real_embeddings, plan_check=plan_check).draft(plan_id)
    assert {theme.label for theme in draft.themes} <= labels
    assert all("…" not in theme.label for theme in draft.themes)
    pairs = " ".join(row.explanation for row in draft.plan_check if row.id.startswith("themes_answered"))
    assert '"plastic and seaweed on the beach every morning" by "Every month the hotels' in pairs
