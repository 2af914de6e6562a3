"""`planbot eval --llm`: the answers suite through the runner with a fake model, graded and gated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage

from bot.cli.eval import run_eval_command
from evals.datasets import dataset_path
from evals.runner import EvalContext
from tests.fakes.embeddings import HashingEmbeddings
from tests.llm.conftest import FailingChatModel, RoutingChatModel

LLM_ONLY = ("faithfulness", "judge_agreement", "citation_retrieved")


def _answer(messages: list[BaseMessage]) -> str:
    first = re.search(r"\[c:([A-Za-z0-9_-]+)\]", str(messages[-1].content))
    assert first, "the answer prompt carries its passages"
    return f"Start with small steps [c:{first.group(1)}]. Then grow them into a bigger plan [c:{first.group(1)}]."


def _grade_first_only(messages: list[BaseMessage]) -> str:
    count = len(re.findall(r"^\d+\. ", str(messages[-1].content), re.MULTILINE))
    return json.dumps({"sentences": [{"n": n, "supported": n == 1} for n in range(1, count + 1)]})


def _run(tmp_path: Path, model, name: str) -> dict:
    context = EvalContext(
        embeddings_override=HashingEmbeddings(), work_dir=tmp_path / f"work-{name}", chat_model_override=model
    )
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("answers:\n  recall_at_3: {min: 0}\n")
    out = tmp_path / f"reports-{name}"
    try:
        code = run_eval_command(suite="answers", llm="fake", out=out, thresholds=lenient, context=context)
    finally:
        context.close()
    assert code == 0
    report = json.loads(next(out.glob("*-answers.json")).read_text())
    assert report["llm"] == "fake"
    result = report["result"]
    summary = next(out.glob("*-summary.md")).read_text()
    assert all(f"| {metric} |" in summary for metric in result["metrics"])  # LLM figures beside the others
    return result


@pytest.fixture(autouse=True)
def _no_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANBOT_LLM_RETRIES", "0")


def test_llm_answers_are_graded_for_faithfulness_and_the_grader_against_the_labels(tmp_path: Path) -> None:
    model = RoutingChatModel(
        routes={
            "answer": _answer,
            "faithfulness": _grade_first_only,
            "relevance": [json.dumps({"answers": True})],  # a grader that always says yes
        }
    )
    result = _run(tmp_path, model, "fake")
    metrics, details = result["metrics"], result["details"]
    assert model.counts["answer"] > 0 and model.counts["faithfulness"] > 0
    # two cited sentences per model answer, the grader supports the first: half of the sentences
    assert metrics["faithfulness"] == pytest.approx(0.5)
    assert metrics["citation_retrieved"] == 1.0  # every citation id was among the retrieved passages
    confusion = details["judge_confusion"]
    out_of_scope = sum(
        1 for line in dataset_path("answers", "test").read_text().splitlines() if json.loads(line)["expect"] is None
    )
    assert confusion["no_yes"] == out_of_scope and confusion["no_no"] == 0 and confusion["yes_no"] == 0
    assert metrics["judge_agreement"] == pytest.approx(
        confusion["yes_yes"] / details["judge_agreement_cases"], abs=1e-4
    )
    assert metrics["judge_agreement"] < 1.0  # it disagreed on every out-of-scope question
    assert details["llm_reasons"]["answer"]["ok"] == model.counts["answer"]
    assert metrics["llm_answer_fallback_share"] == 0.0
    offline = result["baselines"]["offline"]
    assert set(offline) <= set(metrics) and "faithfulness" not in offline  # side by side, same rows


def test_a_broken_model_leaves_the_offline_figures_and_counts_why(tmp_path: Path) -> None:
    result = _run(tmp_path, FailingChatModel(), "broken")
    metrics, offline = result["metrics"], result["baselines"]["offline"]
    assert {m: metrics[m] for m in offline} == offline  # the answers fell back: the same figures
    assert "faithfulness" not in metrics and "judge_agreement" not in metrics
    reasons = result["details"]["llm_reasons"]
    assert reasons["answer"]["error"] > 0 and "ok" not in reasons["answer"]
    assert reasons["relevance"]["error"] > 0
    assert metrics["llm_answer_fallback_share"] == 1.0
    assert result["details"]["ungraded_sentences"] > 0
