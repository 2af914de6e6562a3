"""The rubric, read from knowledge/criteria.yaml: the only place the criteria are written down."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.domain import CriterionId, Status
from bot.errors import PlanbotError
from bot.paths import knowledge_path

CRITERIA_PATH = knowledge_path("criteria.yaml")


def compile_cue(pattern: str) -> re.Pattern[str]:
    """A cue matches on word boundaries, case-insensitively (a leading symbol like `$` needs no boundary)."""
    left = r"\b" if re.match(r"[\w(]", pattern) else ""
    return re.compile(rf"{left}(?:{pattern})(?!\w)", re.IGNORECASE)


class Cues(BaseModel):
    met: list[str] = Field(default_factory=list)
    not_met: list[str] = Field(default_factory=list)
    overrides: list[str] = Field(default_factory=list)

    @field_validator("met", "not_met", "overrides")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                compile_cue(pattern)
            except re.error as exc:
                raise ValueError(f"cue {pattern!r} is not a valid pattern ({exc})") from None
        return patterns


class Examples(BaseModel):
    met: list[str] = Field(default_factory=list)
    not_met: list[str] = Field(default_factory=list)


class CriterionSpec(BaseModel):
    id: CriterionId
    label: str
    quote: str
    quote_not_met: str | None = None  # the passage an initiative that contradicts the criterion goes against

    def quote_for(self, status: Status) -> str:
        """The guidance words cited beside a status: the contradicted passage for not_met, where there is one."""
        return self.quote_not_met if status is Status.not_met and self.quote_not_met else self.quote

    met: str
    not_met: str
    question: str
    precedence: Literal["met", "not_met"] = "not_met"
    cues: Cues
    examples: Examples


class EmbeddingRule(BaseModel):
    met_threshold: float = Field(ge=0, le=1)
    not_met_threshold: float = Field(ge=0, le=1)
    margin: float = Field(ge=0, le=1)


class Lexicon(BaseModel):
    negations: list[str]
    injection_patterns: list[str]
    number_words: dict[str, float]
    units: dict[str, float]
    fixed_times: dict[str, float]
    benefit_words: list[str]
    near_term_max_months: float
    long_term_min_months: float
    enterprise_suffixes: list[str]


class Rubric(BaseModel):
    document: str
    section: str
    criteria: list[CriterionSpec]
    embedding: EmbeddingRule
    lexicon: Lexicon

    @field_validator("criteria")
    @classmethod
    def _all_eight_in_order(cls, criteria: list[CriterionSpec]) -> list[CriterionSpec]:
        if [c.id for c in criteria] != list(CriterionId):
            raise ValueError(f"criteria must be exactly {[c.value for c in CriterionId]} in this order")
        return criteria

    def criterion(self, criterion: CriterionId | str) -> CriterionSpec:
        wanted = CriterionId(criterion)
        return next(c for c in self.criteria if c.id == wanted)


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Read and validate a rubric file; a broken file is a one-line error naming it."""
    file = Path(path) if path is not None else CRITERIA_PATH
    if path is None:
        return _default_rubric()
    return _read(file)


@cache
def _default_rubric() -> Rubric:
    return _read(CRITERIA_PATH)


def _read(file: Path) -> Rubric:
    try:
        data: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanbotError(f"{file}: no such rubric file") from None
    except yaml.YAMLError as exc:
        raise PlanbotError(f"{file}: not valid YAML ({str(exc).splitlines()[0]})") from None
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanbotError(f"{file}: {where}: {first['msg']}") from None
