"""Questions in everyday words reach the guidance passage that answers them; off-topic ones still abstain.

With the real packaged model: the expansions (knowledge/answer-expansions.yaml) and the hybrid score together.
"""

from __future__ import annotations

import pytest

from bot.knowledge.chunking import split_markdown
from bot.knowledge.service import GUIDANCE_FILE
from evals.datasets import dataset_path
from evals.suites.answers import run_answers
from evals.suites.common import read_rows

pytestmark = pytest.mark.model

PARAPHRASES = "answers.paraphrase"


@pytest.fixture
def answerer(make_services):
    return make_services().answerer


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("can we fund just one firm??", "avoid enterprise-level interventions"),
        ("how do we keep everyone on board", "maintain stakeholder commitment"),
        ("the investment, what is it for", "Promote investment to relieve constraints"),
        ("quick wins, do they matter", "Offer benefits in the near term"),
        ("shud we sell to diferent buyers", "range of buyers"),
    ],
)
def test_an_everyday_phrasing_is_answered_from_its_passage(answerer, question: str, passage: str) -> None:
    answer = answerer.ask(question)
    assert answer.covered
    assert passage in answer.citations[0].quote
    assert answerer.rank(question)[0].chunk.chunk_id == answer.citations[0].chunk_id


@pytest.mark.parametrize(
    "question", ["how do I get a visa", "what's the weather tomorrow", "best fertilizer for maize?"]
)
def test_an_out_of_scope_question_still_abstains(answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert not answer.covered and answer.citations == []
    assert "does not cover" in answer.answer


def test_the_paraphrase_sets_cover_every_passage_and_hold_out_of_scope_questions() -> None:
    passages = [p.text.lower() for p in split_markdown(GUIDANCE_FILE.read_text(encoding="utf-8"))]
    for split, size, off_topic in (("dev", 40, 8), ("test", 45, 10)):
        rows = read_rows(dataset_path(PARAPHRASES, split), required=("id", "question", "expect"))
        assert len(rows) >= size and sum(row["expect"] is None for row in rows) >= off_topic
        assert len({row["id"] for row in rows}) == len(rows)
        reached = set()
        for row in rows:
            if row["expect"] is not None:
                holding = [n for n, text in enumerate(passages) if row["expect"].lower() in text]
                assert len(holding) == 1, row  # each expectation names exactly one passage
                reached.update(holding)
        assert reached == set(range(len(passages))), split


def test_the_paraphrase_test_set_meets_its_floors(answerer) -> None:
    report = run_answers(answerer, dataset_path(PARAPHRASES, "test"))
    print("answers (paraphrase test):", report.metrics, "baselines:", report.baseline)
    assert report.metrics["recall_at_1"] >= 0.95, report.failures
    assert report.metrics["abstention_recall"] == 1.0, report.failures
    assert report.metrics["citation_validity"] == 1.0
