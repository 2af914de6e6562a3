"""One embedding call per answer, and a plan's stored vectors read by /propose, the plan check and the export.

The whole product is wired as it runs (`Services`), on a counting embedder: what the model is asked to embed is
what a worker would spend its time on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from bot.services import Services
from bot.settings import load_settings
from bot.storage.models import Plan
from bot.storage.plan_models import StoredInput
from bot.storage.workshop_models import InitiativeRow
from bot.themes.plan_themes import PlanThemes, items_for, pack_vector, unpack_vector
from tests.fakes.embeddings import CountingEmbeddings, HashingEmbeddings
from tests.fakes.plans import join_stakeholder, open_plan

ANSWERS = {
    "asha": "plastic on the beach keeps tourists away",
    "juma": "no ice for the fish at the landing site",
    "neema": "the plastic on the beach is a big problem",
    "baraka": "the road to the beach is broken",
}


@pytest.fixture
def embeddings() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def services(clean_env: Path, monkeypatch: pytest.MonkeyPatch, embeddings: CountingEmbeddings) -> Iterator[Services]:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(clean_env / "data"))
    built = Services(load_settings(), embeddings_override=embeddings)
    yield built
    built.close()


def _stored(services: Services) -> list[StoredInput]:
    with services.db.session() as session:
        rows = list(session.scalars(select(StoredInput).order_by(StoredInput.id)))
        session.expunge_all()
    return rows


def _embedded_texts(embeddings: CountingEmbeddings) -> set[str]:
    return {text for call in embeddings.calls for text in call}


def test_an_answer_costs_one_embedding_call_and_its_input_keeps_that_vector(
    services: Services, embeddings: CountingEmbeddings
) -> None:
    _, code = open_plan(services)
    first = join_stakeholder(services, "asha", code)
    first.send(ANSWERS["asha"])  # the first answer also embeds the extractor's prototypes, once per worker
    second = join_stakeholder(services, "juma", code)
    embeddings.calls.clear()
    reply = second.send("no ice for the fish. the road to the landing site is broken")
    assert "ice" in reply[0].text  # the answer was noted
    assert len(embeddings.calls) == 1  # the extractor's call; storing the inputs asked for nothing more
    rows = [row for row in _stored(services) if "ice" in row.text or "road" in row.text]
    assert {row.text for row in rows} <= set(embeddings.calls[0])
    for row in rows:  # the vector kept is the embedding of the words kept
        expected = np.asarray(HashingEmbeddings().embed_documents([row.text])[0], dtype=np.float32)
        assert np.array_equal(np.asarray(unpack_vector(row.vector), dtype=np.float32), expected)


def test_propose_plan_check_and_export_embed_no_stored_input(
    services: Services, embeddings: CountingEmbeddings
) -> None:
    facilitator, code = open_plan(services)
    for name, answer in ANSWERS.items():
        join_stakeholder(services, name, code).send(answer)
    stored = _stored(services)
    assert len(stored) >= len(ANSWERS) and all(row.vector for row in stored)
    texts = {row.text for row in stored}

    embeddings.calls.clear()
    proposed = facilitator.send("/propose")
    assert proposed and proposed[0].text  # the facilitator got the proposals (or why there are none)
    assert not texts & _embedded_texts(embeddings)

    with services.db.session() as session:
        plan_id = session.scalar(select(Plan.id))
        session.add(
            InitiativeRow(
                plan_id=plan_id,
                title="Joint beach clean-up",
                text="Monthly joint beach clean-up by hotels and fishers, with bins at the landing site.",
                body={"title": "Joint beach clean-up", "description": "Monthly joint beach clean-up."},
                origin="check",
                status="accepted",
                answers=[],
            )
        )
    embeddings.calls.clear()
    listed = facilitator.send("/initiatives")  # lists the initiatives with the plan-level check
    assert "Joint beach clean-up" in listed[0].text
    exported = services.drafts.export(plan_id, "md").content.decode()
    assert "plastic on the beach" in exported
    assert not texts & _embedded_texts(embeddings)


def test_an_input_without_a_vector_is_embedded_once_and_then_read(services: Services) -> None:
    counting = CountingEmbeddings()
    themes = PlanThemes(counting)
    _, code = open_plan(services)
    for name in ("asha", "neema"):
        join_stakeholder(services, name, code).send(ANSWERS[name])
    with services.db.session() as session:
        plan_id = session.scalar(select(Plan.id))
        rows = list(session.scalars(select(StoredInput)))
        rows[0].vector = None  # kept before vectors were stored
        lost = rows[0].text
    with services.db.session() as session:
        items, grouped = themes.themes(session, plan_id)
    assert counting.calls == [[lost]]
    assert all(item.vector for item in items) and grouped
    with services.db.session() as session:
        again, _ = themes.themes(session, plan_id)
    assert counting.calls == [[lost]] and again == items  # stored the first time, read since


def test_vectors_kept_under_another_model_are_replaced_by_the_current_models() -> None:
    old = StoredInput(id=1, person_id=1, plan_id=1, kind="constraint", text="no ice", vector=pack_vector([1.0, 0]))
    new = StoredInput(id=2, person_id=2, plan_id=1, kind="constraint", text="no road", vector=None)
    counting = CountingEmbeddings()
    items = PlanThemes(counting).items([old, new])
    assert counting.calls == [["no road"], ["no ice"]]
    assert [len(item.floats() or []) for item in items] == [256, 256]
    assert unpack_vector(old.vector) == items[0].floats()  # kept, so the next read embeds nothing
    PlanThemes(counting).items([old, new])
    assert len(counting.calls) == 2


def test_a_grouping_hook_of_its_own_gets_no_stored_vector() -> None:
    """A caller grouping with its own hook may use another model than the one the vectors were stored with."""
    row = StoredInput(id=1, person_id=1, plan_id=1, kind="constraint", text="no ice", vector=pack_vector([1.0, 0]))
    assert [item.vector for item in items_for([row], lambda items: [])] == [None]
