"""The answers suite reports a split's everyday-phrasing companion beside its own figures (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answers import ScoredPassage
from bot.domain import Answer, Citation
from bot.errors import PlanbotError
from bot.knowledge.service import RetrievedChunk
from evals.datasets import dataset_path
from evals.runner import load_thresholds
from evals.suites.answers_suite import load, paraphrase_path, run_answers_suite, with_paraphrases

PASSAGES = [
    RetrievedChunk("c-invest", "guide", None, "Promote investment to relieve constraints", 0.0),
    RetrievedChunk("c-steps", "guide", None, "Require small steps with manageable risk", 0.0),
]


class KeywordAnswerer:
    """Ranks the two passages by one shared word; abstains when neither shares one."""

    def rank(self, question: str, plan_id: int | None = None) -> list[ScoredPassage]:
        def share(chunk: RetrievedChunk) -> float:
            return float(any(word in chunk.text.lower() for word in question.lower().split()))

        return sorted((ScoredPassage(c, share(c), share(c), share(c)) for c in PASSAGES), key=lambda p: -p.score)

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        top = self.rank(question)[0]
        if not top.score:
            return Answer(answer="not covered", covered=False)
        citation = Citation(document="guide", chunk_id=top.chunk.chunk_id, quote=top.chunk.text, score=1.0)
        return Answer(answer=top.chunk.text, covered=True, citations=[citation])


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_splits_companion_is_found_and_any_other_file_has_none(tmp_path: Path) -> None:
    assert paraphrase_path(dataset_path("answers", "test")) == dataset_path("answers.paraphrase", "test")
    assert paraphrase_path(dataset_path("answers", "dev")) == dataset_path("answers.paraphrase", "dev")
    assert paraphrase_path(dataset_path("answers.paraphrase", "test")) is None
    assert paraphrase_path(tmp_path / "answers.test.jsonl") is None  # no companion beside it
    assert paraphrase_path(tmp_path / "mine.jsonl") is None


def test_the_companion_is_reported_beside_the_main_figures(tmp_path: Path) -> None:
    main = _write(tmp_path / "answers.test.jsonl", [{"id": "a", "question": "investment", "expect": "investment"}])
    _write(
        tmp_path / "answers.paraphrase.test.jsonl",
        [
            {"id": "p1", "question": "small steps ok", "expect": "small steps"},
            {"id": "p2", "question": "which road", "expect": "Promote investment"},
            {"id": "p3", "question": "visa?", "expect": None},
        ],
    )
    answerer = KeywordAnswerer()
    result = with_paraphrases(run_answers_suite(answerer, main), answerer, main)  # type: ignore[arg-type]
    assert result.metrics["recall_at_1"] == 1.0 and result.cases == 1
    assert result.metrics["paraphrase_recall_at_1"] == 0.5
    assert result.metrics["paraphrase_abstention_recall"] == 1.0
    assert {"paraphrase_mrr", "paraphrase_citation_validity"} <= set(result.metrics)
    assert set(result.baselines) == {"keyword_only", "dense_only"}
    assert {"recall_at_1", "mrr", "paraphrase_recall_at_1", "paraphrase_mrr"} <= set(result.baselines["keyword_only"])
    details = result.details["paraphrase"]
    assert details["cases"] == 3 and details["out_of_scope"] == 1 and details["failure_count"] == 1


def test_a_broken_companion_is_named_before_any_model_loads(tmp_path: Path) -> None:
    main = _write(tmp_path / "answers.dev.jsonl", [{"id": "a", "question": "q", "expect": None}])
    (tmp_path / "answers.paraphrase.dev.jsonl").write_text('{"id": "p", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(PlanbotError, match=r"answers\.paraphrase\.dev\.jsonl:1: missing expect"):
        load(main)


def test_the_gate_holds_the_paraphrase_floors() -> None:
    bounds = {bound.metric: bound for bound in load_thresholds()["answers"]}
    assert bounds["recall_at_1"].min == 0.90
    assert bounds["paraphrase_recall_at_1"].min == 0.95
    assert bounds["paraphrase_abstention_recall"].min == 1.0
    assert bounds["paraphrase_citation_validity"].min == 1.0
