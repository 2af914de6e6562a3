"""The Swahili and French eval sets (issue 18, item 4): well formed, covering what they claim, and run per language.

Capture and the checker are measured per language on their own files (`capture.sw`, `capture.fr`, `checker.sw`,
`checker.fr`), so a weakness in one language is not averaged away by the English sets.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.ports import INTERVIEW_TOPICS
from evals.datasets import dataset_path
from evals.runner import SUITES, EvalContext, load_thresholds, plan_runs, run_suites
from evals.suites import capture, checker
from tests.fakes.embeddings import HashingEmbeddings

LANGUAGES = ("sw", "fr")
HELD_OUT_CHAINS = {"honey", "leather", "cocoa", "seaweed"}  # kept for the held-out sets only
IDEA_TOPICS = {"quick_win", "small_step", "investment"}


def raw_rows(name: str) -> list[dict]:
    path = dataset_path(name, "test")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def hashing_context(tmp_path: Path):
    context = EvalContext(embeddings_override=HashingEmbeddings(), work_dir=tmp_path / "work")
    yield context
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_capture_set_holds_every_kind_empty_and_multi_input_messages(language: str) -> None:
    rows = capture.load(dataset_path(f"capture.{language}", "test"))
    assert len(rows) == 60
    assert len({row["id"] for row in rows}) == len(rows)
    assert {row["language"] for row in rows} == {language}
    assert not {row["value_chain"] for row in rows} & HELD_OUT_CHAINS
    kinds = Counter(kind for row in rows for kind in row["kinds"])
    assert set(kinds) == set(capture.KINDS) and min(kinds.values()) >= 5
    assert sum(1 for row in rows if not row["kinds"]) >= 5  # "asante", "merci", "sijui", questions to the bot
    assert sum(1 for row in rows if len(row["kinds"]) > 1) >= 8
    assert {row["question"] for row in rows if row.get("question")} == set(INTERVIEW_TOPICS)
    assert any(row.get("question") is None for row in rows)  # written outside the interview


@pytest.mark.parametrize("language", LANGUAGES)
def test_capture_answers_to_step_win_and_investment_are_ideas(language: str) -> None:
    """The labelling convention of knowledge/training/README.md: such an answer is an idea, or holds no input."""
    for row in raw_rows(f"capture.{language}"):
        if row["question"] in IDEA_TOPICS:
            assert {segment["kind"] for segment in row["segments"]} <= {"idea", None}, row["id"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_checker_set_has_a_third_or_more_not_recommended_and_revise(language: str) -> None:
    rows = checker.load(dataset_path(f"checker.{language}", "test"))
    assert len(rows) == 30
    assert len({row.id for row in rows}) == len(rows)
    assert not {row.value_chain for row in rows} & HELD_OUT_CHAINS
    verdicts = Counter(row.verdict.value for row in rows)
    assert verdicts["not_recommended"] >= 10 and verdicts["revise"] >= 5 and verdicts["recommended"] >= 5
    assert all(row.criteria for row in rows)  # every initiative settles something the suite can score
    assert {row["language"] for row in raw_rows(f"checker.{language}")} == {language}


def test_language_suites_are_held_out_and_gated() -> None:
    thresholds = load_thresholds()
    for name in ("capture_sw", "capture_fr", "checker_sw", "checker_fr"):
        assert SUITES[name].splits == ("test",), f"{name}: nothing is tuned on a language set"
        assert thresholds.get(name), f"evals/thresholds.yaml gates nothing of {name}"
    with pytest.raises(Exception, match="held out"):
        plan_runs("capture_sw", None, "dev")


@pytest.mark.parametrize("suite", ["capture_sw", "capture_fr", "checker_sw", "checker_fr"])
def test_language_suite_runs_and_reports_its_gated_metrics(suite: str, hashing_context: EvalContext) -> None:
    run = run_suites(plan_runs(suite, None, "test"), hashing_context, load_thresholds(), split="test")
    report = run.suites[0]
    assert report.result.cases == (60 if suite.startswith("capture") else 30)
    assert Path(report.result.dataset).name == f"{suite.replace('_', '.')}.test.jsonl"
    assert "keyword_only" in report.result.baselines
    assert all(check.value is not None for check in report.checks), "a gated metric was not produced"
