"""The pattern library, read from knowledge/initiative-patterns.yaml: templates written from the guidance."""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from bot.domain import CriterionId
from bot.errors import PlanbotError

PATTERNS_PATH = Path(__file__).resolve().parent.parent.parent / "knowledge" / "initiative-patterns.yaml"
SLOTS = frozenset(
    {"problem", "idea", "actor", "point", "lender", "buyer", "producers", "product", "buyers", "chain", "region"}
)
OPTIONAL_SLOTS = frozenset({"idea", "actor", "point", "lender", "buyer"})


def _slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Sentence(BaseModel):
    text: str
    needs: list[str] = Field(default_factory=list)
    otherwise: str | None = None

    @model_validator(mode="after")
    def _known_slots(self) -> Sentence:
        for template in (self.text, self.otherwise or ""):
            unknown = _slots(template) - SLOTS
            if unknown:
                raise ValueError(f"unknown slot {sorted(unknown)[0]!r} in {template!r}")
        return self


class Pattern(BaseModel):
    id: str = Field(pattern=r"^[a-z_]+$")
    targets: list[CriterionId]
    quote: str
    fits: list[str] = Field(default_factory=list)
    title: str
    title_otherwise: str | None = None
    sentences: list[Sentence] = Field(min_length=1)
    requires_any: list[str] = Field(default_factory=list)
    per_idea: int = Field(0, ge=0)

    @field_validator("requires_any")
    @classmethod
    def _optional(cls, names: list[str]) -> list[str]:
        wrong = [name for name in names if name not in OPTIONAL_SLOTS]
        if wrong:
            raise ValueError(f"requires_any names {wrong[0]!r}, which is not an optional slot")
        return names


class Vocabulary(BaseModel):
    match: list[str] = Field(default_factory=list)
    producers: str
    product: str
    buyers: str


class SlotRules(BaseModel):
    lender: str
    buyer: str

    def matches(self, slot: str, text: str) -> bool:
        return re.search(getattr(self, slot), text, re.IGNORECASE) is not None


class PatternLibrary(BaseModel):
    document: str
    candidates_per_pattern: int = Field(3, ge=1)
    slots: SlotRules
    vocabulary: list[Vocabulary] = Field(min_length=1)
    patterns: list[Pattern] = Field(min_length=1)

    def words_for(self, *names: str) -> Vocabulary:
        """The first vocabulary matching the first name that matches any (value chain, then plan name);
        the last entry is the default."""
        for name in names:
            lowered = name.casefold()
            for entry in self.vocabulary:
                if any(word.casefold() in lowered for word in entry.match):
                    return entry
        return self.vocabulary[-1]


@cache
def load_patterns(path: Path = PATTERNS_PATH) -> PatternLibrary:
    """The library; a missing or malformed file is a one-line error naming it."""
    if not path.is_file():
        raise PlanbotError(f"{path}: no such pattern library")
    try:
        return PatternLibrary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise PlanbotError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanbotError(f"{path}: {where}: {first['msg']}") from None
