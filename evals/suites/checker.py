"""The checker suite: statuses of the labelled (initiative, criterion) pairs, verdicts, and injections.

An injection case has an id `inj-<twin id>`: the twin's text with an instruction added. Its verdict must equal
its label and the verdict the checker gave the twin (an instruction in the data changes nothing).
Baselines: the majority verdict (and majority status per criterion), and keyword-only (the same checker with
embeddings that carry no meaning, so only the rubric's cues decide).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, Protocol

from bot.checker.dataset import LabelledInitiative, load_dataset
from bot.checker.models import Initiative, Scorecard
from bot.checker.offline import OfflineChecker
from bot.domain import CriterionId, Status, Verdict
from evals.metrics import macro_f1, multiset_prf
from evals.suites.common import NullEmbeddings, SuiteResult, rounded

INJECTION_PREFIX = "inj-"
MAX_FAILURES = 40


class Checks(Protocol):
    def check(self, initiative: Initiative | str) -> Scorecard: ...


def load(path: Path) -> list[LabelledInitiative]:
    return load_dataset(path)


def _figures(rows: list[LabelledInitiative], verdicts: list[str], statuses: list[dict[str, str]]) -> dict[str, float]:
    out: dict[str, float] = {}
    out["verdict_accuracy"] = sum(v == r.verdict.value for v, r in zip(verdicts, rows, strict=True)) / len(rows)
    pairs = [
        (c.value, s.value, got[c.value]) for r, got in zip(rows, statuses, strict=True) for c, s in r.criteria.items()
    ]
    out["criterion_accuracy"] = sum(g == p for _, g, p in pairs) / len(pairs) if pairs else 0.0
    settled = [(g, p) for _, g, p in pairs if g != Status.unclear.value]
    if settled:  # a criterion the text plainly settles, left unclear: the follow-up question was not needed
        out["settled_left_unclear"] = sum(p == Status.unclear.value for _, p in settled) / len(settled)
    for criterion in CriterionId:
        mine = [(g, p) for c, g, p in pairs if c == criterion.value]
        if not mine:
            continue
        out[f"{criterion.value}_accuracy"] = sum(g == p for g, p in mine) / len(mine)
        labels = sorted({g for g, _ in mine} | {p for _, p in mine})
        out[f"{criterion.value}_f1"] = macro_f1(multiset_prf([[p] for _, p in mine], [[g] for g, _ in mine], labels))
    return out


def _injection_figures(
    rows: list[LabelledInitiative], verdicts: list[str]
) -> tuple[dict[str, float], list[dict[str, str]]]:
    by_id = {row.id: verdict for row, verdict in zip(rows, verdicts, strict=True)}
    cases = [(row, v) for row, v in zip(rows, verdicts, strict=True) if row.id.startswith(INJECTION_PREFIX)]
    changes: list[dict[str, str]] = []
    right = 0
    for row, verdict in cases:
        twin = by_id.get(row.id[len(INJECTION_PREFIX) :])
        right += verdict == row.verdict.value
        # a change is what the instruction did: the verdict differs from the twin's (or, with no twin, the label's)
        if (twin is not None and verdict != twin) or (twin is None and verdict != row.verdict.value):
            changes.append({"id": row.id, "expected": row.verdict.value, "twin": twin or "", "got": verdict})
    figures = {
        "injection_cases": float(len(cases)),
        "injection_verdict_accuracy": right / len(cases) if cases else 1.0,
        "injection_verdict_changes": float(len(changes)),
    }
    return figures, changes


def _criterion_matrices(rows: list[LabelledInitiative], statuses: list[dict[str, str]]) -> dict[str, Any]:
    """Per criterion, gold status -> predicted status counts over the labelled pairs."""
    names = [s.value for s in Status]
    out: dict[str, Any] = {}
    for criterion in CriterionId:
        matrix = {g: dict.fromkeys(names, 0) for g in names}
        for row, got in zip(rows, statuses, strict=True):
            if criterion in row.criteria:
                matrix[row.criteria[criterion].value][got[criterion.value]] += 1
        if any(any(cells.values()) for cells in matrix.values()):
            out[criterion.value] = matrix
    return out


def _breakdown(
    rows: list[LabelledInitiative], verdicts: list[str], statuses: list[dict[str, str]], field: str
) -> dict[str, dict[str, float]]:
    """The two headline figures per value chain or per style, for the rows that name one."""
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        value = getattr(row, field)
        if value:
            groups.setdefault(value, []).append(index)
    out = {}
    for name, indices in sorted(groups.items()):
        picked = [rows[i] for i in indices]
        figures = _figures(picked, [verdicts[i] for i in indices], [statuses[i] for i in indices])
        out[name] = {
            "cases": len(indices),
            "verdict_accuracy": round(figures["verdict_accuracy"], 4),
            "criterion_accuracy": round(figures["criterion_accuracy"], 4),
        }
    return out


def _verdict_matrix(rows: list[LabelledInitiative], verdicts: list[str]) -> dict[str, dict[str, int]]:
    names = [v.value for v in Verdict]
    matrix = {g: dict.fromkeys(names, 0) for g in names}
    for row, verdict in zip(rows, verdicts, strict=True):
        matrix[row.verdict.value][verdict] += 1
    return matrix


def _run(checker: Checks, rows: list[LabelledInitiative]) -> tuple[list[str], list[dict[str, str]]]:
    verdicts, statuses, _ = _run_cards(checker, rows)
    return verdicts, statuses


def _run_cards(checker: Checks, rows: list[LabelledInitiative]) -> tuple[list[str], list[dict[str, str]], list]:
    verdicts, statuses, cards = [], [], []
    for row in rows:
        card = checker.check(row.text)
        cards.append(card)
        verdicts.append(card.verdict.value)
        statuses.append({result.id.value: result.status.value for result in card.criteria})
    return verdicts, statuses, cards


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def evidence_precision(rows: list[LabelledInitiative], cards: list[Scorecard]) -> float | None:
    """Of the criteria decided rightly where the labels say which sentences settle them, the share whose evidence
    is one of those sentences (a right status for the wrong reason does not count). None without such labels."""
    right = total = 0
    for row, card in zip(rows, cards, strict=True):
        for result in card.criteria:
            gold = row.evidence.get(result.id)
            if not gold or row.criteria.get(result.id) is not result.status or not result.evidence:
                continue
            total += 1
            got = _plain(result.evidence)
            right += any(got and (got in _plain(g) or _plain(g) in got) for g in gold)
    return right / total if total else None


def run_checker(
    checker: Checks,
    path: Path,
    keyword_checker: Checks | None = None,
    cue_checker: Checks | None = None,
    also: dict[str, Checks] | None = None,
) -> SuiteResult:
    """Scores `checker` on a checker dataset (contract format).

    Baselines: the majority verdict and status; keyword-only (the rubric's cues, no embeddings); and, when given,
    `cue_checker`, the cue-and-prototype checker with the real embeddings but no trained heads (planbot 0.1).
    """
    rows = load(path)
    verdicts, statuses, cards = _run_cards(checker, rows)
    metrics = _figures(rows, verdicts, statuses)
    precision = evidence_precision(rows, cards)
    if precision is not None:
        metrics["evidence_precision"] = precision
    injection, changes = _injection_figures(rows, verdicts)
    metrics.update(injection)

    majority_verdict = Counter(row.verdict.value for row in rows).most_common(1)[0][0]
    per_criterion = {
        c.value: Counter(r.criteria[c].value for r in rows if c in r.criteria).most_common(1) for c in CriterionId
    }
    majority_status = {c: (top[0][0] if top else Status.unclear.value) for c, top in per_criterion.items()}
    majority = _figures(rows, [majority_verdict] * len(rows), [dict(majority_status) for _ in rows])
    keyword_verdicts, keyword_statuses = _run(keyword_checker or OfflineChecker(NullEmbeddings(), heads=None), rows)
    keyword = _figures(rows, keyword_verdicts, keyword_statuses)
    keyword.update(_injection_figures(rows, keyword_verdicts)[0])
    baselines = {"majority": rounded(majority), "keyword_only": rounded(keyword)}
    always = _figures(
        rows, [Verdict.recommended.value] * len(rows), [dict.fromkeys(majority_status, "met")] * len(rows)
    )
    baselines["always_recommended_met"] = rounded(always)
    others = dict(also or {})
    if cue_checker is not None:
        others["cues_v0_1"] = cue_checker
    for name, other in others.items():  # e.g. with --llm: the offline checker alone, beside the combination
        other_verdicts, other_statuses = _run(other, rows)
        baselines[name] = rounded(_figures(rows, other_verdicts, other_statuses))

    failures = []
    for row, verdict, got in zip(rows, verdicts, statuses, strict=True):
        wrong = {c.value: f"{s.value}->{got[c.value]}" for c, s in row.criteria.items() if got[c.value] != s.value}
        if wrong or verdict != row.verdict.value:
            failures.append({"id": row.id, "verdict": f"{row.verdict.value}->{verdict}", "criteria": wrong})
    return SuiteResult(
        suite="checker",
        dataset=str(path),
        cases=len(rows),
        metrics=rounded(metrics),
        baselines=baselines,
        details={
            "criterion_pairs": sum(len(row.criteria) for row in rows),
            "majority_verdict": majority_verdict,
            "verdict_confusion_matrix": _verdict_matrix(rows, verdicts),
            "criterion_confusion_matrices": _criterion_matrices(rows, statuses),
            "by_value_chain": _breakdown(rows, verdicts, statuses, "value_chain"),
            "by_style": _breakdown(rows, verdicts, statuses, "style"),
            "injection_changes": changes,
            "failures": failures[:MAX_FAILURES],
            "failure_count": len(failures),
        },
    )
