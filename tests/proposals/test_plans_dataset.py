"""The scripted plans through the REAL engine (terminal adapter, real extractor and model), then proposed for."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.capture import OfflineExtractor
from bot.domain import SUPPORT_QUALITIES, InputKind, Verdict
from bot.engine import Engine
from bot.storage import Database
from bot.themes import cluster
from evals.datasets import dataset_path
from evals.suites.proposals import load, reading, run_plan, traceable
from tests.engine.fakes import FakeAnswerer
from tests.fakes.engines import offline_parts

pytestmark = pytest.mark.model

PLANS = load(dataset_path("plans", "test"))


def test_the_test_split_has_three_value_chains() -> None:
    assert len(PLANS) >= 3 and len({row["value_chain"] for row in PLANS}) >= 3


@pytest.mark.parametrize("row", PLANS, ids=[row["id"] for row in PLANS])
def test_each_test_plan_gets_proposals_that_pass_trace_cover_and_use_named_players(
    row, tmp_path: Path, real_embeddings
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'planbot.db'}")
    db.migrate()
    engine = Engine(
        db,
        OfflineExtractor(real_embeddings),
        FakeAnswerer(),
        real_embeddings,
        cluster=cluster,
        **offline_parts(real_embeddings),
    )
    try:
        outcome = run_plan(engine, db, real_embeddings, row)
    finally:
        db.dispose()
    assert not outcome.problems
    assert outcome.proposals
    for proposal in outcome.proposals:
        assert proposal.verdict in (Verdict.recommended, Verdict.revise), proposal.text
        assert traceable(proposal) and proposal.answers
    assert outcome.covered() >= {q.value for q in SUPPORT_QUALITIES}
    assert outcome.named(InputKind.influential_actor) and outcome.uses(InputKind.influential_actor)
    assert outcome.named(InputKind.aggregation_point) and outcome.uses(InputKind.aggregation_point)
    metrics = reading([outcome])["metrics"]
    assert metrics["no_long_copies_share"] == 1.0 and metrics["fields_traced_share"] == 1.0
    assert metrics["title_ok_share"] == 1.0 and metrics["clean_slot_share"] >= 0.95
