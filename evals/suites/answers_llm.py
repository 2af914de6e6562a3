"""The answers suite with the model: the same retrieval figures for the LLM answerer, plus what only a grader
can say (faithfulness of each answer sentence to its cited passages; the grader's agreement with the labels).

Deterministic figures (recall, MRR, citation validity, abstention, `citation_retrieved`) sit beside the
graded ones; the offline answerer's figures on the same rows are the `offline` baseline, so one table
compares the two. A model that fails leaves the offline answers standing and the graded figures out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.answers import OfflineAnswerer, ScoredPassage
from bot.domain import Answer
from bot.llm.grading import AnswerGrader, cited_sentences
from bot.ports import Answerer
from evals.suites.answers import run_answers
from evals.suites.answers_suite import load, run_answers_suite
from evals.suites.common import SuiteResult, rounded

MAX_FAILURES = 40


class _Answering:
    """The LLM answerer behind the offline answerer's `rank`/`ask`, each question asked once."""

    def __init__(self, offline: OfflineAnswerer, answerer: Answerer) -> None:
        self.offline = offline
        self.answerer = answerer
        self.answers: dict[str, Answer] = {}
        self.ranks: dict[str, list[ScoredPassage]] = {}

    def rank(self, question: str, plan_id: int | None = None) -> list[ScoredPassage]:
        if question not in self.ranks:
            self.ranks[question] = self.offline.rank(question, plan_id)
        return self.ranks[question]

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        if question not in self.answers:
            self.answers[question] = self.answerer.ask(question, plan_id)
        return self.answers[question]


def _label(row: dict[str, Any], top: ScoredPassage | None) -> bool | None:
    """The dataset's word on "the top passage answers the question": no for an out-of-scope question, yes
    when the top passage is the expected one, unknown otherwise (another passage may answer it too)."""
    if row["expect"] is None:
        return False
    if top is not None and row["expect"].lower() in top.chunk.text.lower():
        return True
    return None


def run_answers_llm(
    offline: OfflineAnswerer, answerer: Answerer, grader: AnswerGrader, path: Path, agreement: bool = True
) -> SuiteResult:
    """`agreement`: also grade the top passage of every row against the labels (the test split)."""
    rows = load(path)
    base = run_answers_suite(offline, path)
    answering = _Answering(offline, answerer)
    report = run_answers(answering, path)  # type: ignore[arg-type]  # duck-typed rank/ask
    supported = graded = ungraded = 0
    cited = retrieved = 0
    agree = asked = unlabelled = no_grade = 0
    confusion = {"yes_yes": 0, "yes_no": 0, "no_yes": 0, "no_no": 0}  # label_grader
    unsupported: list[dict[str, Any]] = []
    for row in rows:
        question = row["question"]
        ranked = answering.rank(question)
        answer = answering.ask(question)
        passages = {p.chunk.chunk_id: p.chunk.text for p in ranked}
        cited += len(answer.citations)
        retrieved += sum(1 for c in answer.citations if c.chunk_id in passages)
        if answer.covered:
            sentences = cited_sentences(answer)
            grades = grader.supported(sentences, passages) if sentences else []
            if grades is None:
                ungraded += len(sentences)
            else:
                graded += len(grades)
                supported += sum(grades)
                unsupported += [
                    {"id": row["id"], "sentence": s.text} for s, ok in zip(sentences, grades, strict=True) if not ok
                ]
        if agreement:
            label = _label(row, ranked[0] if ranked else None)
            if label is None:
                unlabelled += 1
                continue
            verdict = grader.answers(question, ranked[0].chunk.text) if ranked else False
            if verdict is None:
                no_grade += 1
                continue
            asked += 1
            agree += verdict == label
            confusion[f"{'yes' if label else 'no'}_{'yes' if verdict else 'no'}"] += 1
    metrics = dict(report.metrics)
    metrics["citation_retrieved"] = retrieved / cited if cited else 1.0
    if graded:
        metrics["faithfulness"] = supported / graded
    if asked:
        metrics["judge_agreement"] = agree / asked
    return SuiteResult(
        suite="answers",
        dataset=str(path),
        cases=len(rows),
        metrics=rounded(metrics),
        baselines={"offline": base.metrics, **base.baselines},
        details={
            "out_of_scope": sum(1 for row in rows if row["expect"] is None),
            "failures": report.failures[:MAX_FAILURES],
            "failure_count": len(report.failures),
            "graded_sentences": graded,
            "ungraded_sentences": ungraded,
            "unsupported_sentences": unsupported[:MAX_FAILURES],
            "judge_agreement_cases": asked,
            "judge_unlabelled": unlabelled,
            "judge_no_grade": no_grade,
            "judge_confusion": confusion,
            "prompts": grader.versions,
        },
    )
