"""The checker eval dataset (contract format) and its two figures: verdict and criterion accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field, ValidationError

from bot.checker.models import Initiative, Scorecard
from bot.domain import CriterionId, Status, Verdict
from bot.errors import PlanbotError
from bot.paths import EVAL_DATASETS_DIR

DATASETS_DIR = EVAL_DATASETS_DIR  # dev-only data: in a checkout, not in a wheel


class _Checks(Protocol):
    def check(self, initiative: Initiative | str) -> Scorecard: ...


class LabelledInitiative(BaseModel):
    id: str
    text: str
    criteria: dict[CriterionId, Status] = Field(default_factory=dict)
    verdict: Verdict
    value_chain: str | None = Field(None, description="For per-chain figures; held-out sets always name it.")
    style: str | None = Field(None, description="For per-style figures (terse, long, typos, bullets, ...).")
    evidence: dict[CriterionId, list[str]] = Field(
        default_factory=dict,
        description="Per settled criterion, the sentences that settle it (sets labelled sentence by sentence).",
    )


def _from_sentences(data: dict) -> LabelledInitiative:
    """A row labelled sentence by sentence (the corpus format): statuses, verdict and evidence derived."""
    from bot.learning.corpus import CheckerExample

    example = CheckerExample.model_validate(data)
    evidence: dict[CriterionId, list[str]] = {}
    for criterion, status in example.statuses.items():
        said = [s.text for s in example.sentences if s.labels.get(criterion) is status]
        if said:
            evidence[criterion] = said
    return LabelledInitiative.model_validate(example.to_contract() | {"evidence": evidence})


class Miss(BaseModel):
    id: str
    what: str
    expected: str
    got: str


class CheckerFigures(BaseModel):
    cases: int
    verdict_accuracy: float
    criterion_pairs: int
    criterion_accuracy: float
    misses: list[Miss] = Field(default_factory=list)


def load_dataset(path: Path | str) -> list[LabelledInitiative]:
    """Read a checker JSON Lines file; a bad line is a one-line error naming the file and line."""
    file = Path(path)
    if not file.exists():
        raise PlanbotError(f"{file}: no such dataset")
    rows: list[LabelledInitiative] = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            is_corpus_row = isinstance(data, dict) and "sentences" in data
            rows.append(_from_sentences(data) if is_corpus_row else LabelledInitiative.model_validate(data))
        except (json.JSONDecodeError, ValidationError) as exc:
            reason = str(exc).splitlines()[0]
            raise PlanbotError(f"{file}:{number}: not a checker case ({reason})") from None
    return rows


def score(checker: _Checks, rows: list[LabelledInitiative]) -> CheckerFigures:
    """Verdict accuracy over cases; accuracy over the labelled (case, criterion) pairs only."""
    verdicts = pairs = right_pairs = 0
    misses: list[Miss] = []
    for row in rows:
        card = checker.check(row.text)
        if card.verdict is row.verdict:
            verdicts += 1
        else:
            misses.append(Miss(id=row.id, what="verdict", expected=row.verdict, got=card.verdict))
        for criterion, expected in row.criteria.items():
            pairs += 1
            got = card.status(criterion)
            if got is expected:
                right_pairs += 1
            else:
                misses.append(Miss(id=row.id, what=criterion.value, expected=expected, got=got))
    return CheckerFigures(
        cases=len(rows),
        verdict_accuracy=verdicts / len(rows) if rows else 0.0,
        criterion_pairs=pairs,
        criterion_accuracy=right_pairs / pairs if pairs else 0.0,
        misses=misses,
    )
