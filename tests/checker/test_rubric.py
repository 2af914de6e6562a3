"""knowledge/criteria.yaml: the rubric as data, faithful to the guidance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.checker import OfflineChecker
from bot.checker.rubric import CRITERIA_PATH, EmbeddingRule, load_rubric
from bot.domain import CriterionId, Status
from bot.errors import PlanbotError
from tests.fakes.embeddings import HashingEmbeddings

GUIDANCE = CRITERIA_PATH.parent / "upgrading-plan-guidance.md"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_all_eight_criteria_in_contract_order() -> None:
    assert [c.id for c in load_rubric().criteria] == list(CriterionId)


def test_every_quote_is_verbatim_from_the_guidance() -> None:
    guidance = _squash(GUIDANCE.read_text(encoding="utf-8"))
    for criterion in load_rubric().criteria:
        assert _squash(criterion.quote) in guidance, criterion.id
        if criterion.quote_not_met:
            assert _squash(criterion.quote_not_met) in guidance, criterion.id


def test_every_criterion_has_a_label_a_question_cues_and_examples() -> None:
    for criterion in load_rubric().criteria:
        assert criterion.label and criterion.question.endswith("?")
        assert criterion.cues.met and criterion.examples.met


def test_each_example_gets_its_status_from_cues_and_parsing_alone() -> None:
    """With the embedding fallback switched off, the rubric's own examples still come out right."""
    rubric = load_rubric()
    cues_only = rubric.model_copy(update={"embedding": EmbeddingRule(met_threshold=1, not_met_threshold=1, margin=1)})
    checker = OfflineChecker(HashingEmbeddings(), cues_only)
    for criterion in rubric.criteria:
        for status, examples in (
            (Status.met, criterion.examples.met),
            (Status.not_met, criterion.examples.not_met),
        ):
            for example in examples:
                assert checker.check(example).status(criterion.id) is status, (criterion.id, example)


def test_a_broken_rubric_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "criteria.yaml"
    bad.write_text("document: x\nsection: y\ncriteria: []\n", encoding="utf-8")
    with pytest.raises(PlanbotError) as caught:
        load_rubric(bad)
    assert str(bad) in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(PlanbotError, match="no such rubric file"):
        load_rubric(tmp_path / "missing.yaml")
