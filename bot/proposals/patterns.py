"""The pattern library, read from knowledge/initiative-patterns.yaml: initiative patterns written from the
guidance, the words that render a structured proposal, and the questions left for the meeting."""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from bot.domain import CriterionId
from bot.errors import PlanbotError
from bot.paths import knowledge_path

PATTERNS_PATH = knowledge_path("initiative-patterns.yaml")
SLOTS = frozenset(
    {
        "topic", "problem", "action", "doers", "actor", "point", "lender", "buyer", "benefit", "when",
        "producers", "product", "buyers", "chain", "region", "s",
    }
)  # fmt: skip
TITLE_LIMIT = 70


def slot_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Pattern(BaseModel):
    id: str = Field(pattern=r"^[a-z_]+$")
    targets: list[CriterionId]
    quote: str
    core: Literal["problem", "idea"] = "problem"
    per_idea: int = Field(0, ge=0)
    fits: list[str] = Field(default_factory=list)
    min_fit: float = Field(0.0, ge=-1, le=1)
    titles: list[str] = Field(min_length=1)
    what: str
    what_otherwise: str | None = None
    lead: Literal["actor", "required"] = "actor"
    where: Literal["point", "lender", "buyer", "required_lender", "required_buyer"] = "point"

    @model_validator(mode="after")
    def _known_slots(self) -> Pattern:
        for template in [*self.titles, self.what, self.what_otherwise or ""]:
            unknown = slot_names(template) - SLOTS
            if unknown:
                raise ValueError(f"unknown slot {sorted(unknown)[0]!r} in {template!r}")
        always = {"actor", "lender", "buyer", "point", "product"} | ({"action"} if self.core == "idea" else set())
        if slot_names(self.titles[-1]) - always:
            raise ValueError(f"the last title of {self.id!r} must not need a slot the plan may lack")
        return self


class Vocabulary(BaseModel):
    match: list[str] = Field(default_factory=list)
    producers: str
    product: str
    buyers: str


class SlotRules(BaseModel):
    lender: str
    buyer: str
    lends: str
    buys: str
    place: str = r"(?!)"  # a name ending in a place word is a place, never an actor (none by default)

    def matches(self, rule: str, text: str) -> bool:
        return re.search(getattr(self, rule), text, re.IGNORECASE) is not None


class Render(BaseModel):
    """How each structured field is written into the initiative text (one sentence a field)."""

    lead: str
    where: str
    first_step: str
    benefit: str
    benefit_when: str
    investment: str
    beneficiaries: str
    beneficiaries_detail: str
    raised: str
    mse_firms: str
    mse_people: str
    mse_all: str
    mse_person: str


class Questions(BaseModel):
    """The question a field left open asks at the meeting."""

    lead: str
    lead_options: str
    where: str
    where_options: str
    first_step: str
    benefit: str
    when: str
    investment: str
    investment_for: str
    beneficiaries: str


SCOPED_FIELDS = ("what", "lead", "where", "first_step", "benefit", "investment", "beneficiaries")


class PatternLibrary(BaseModel):
    document: str
    candidates_per_pattern: int = Field(3, ge=1)
    link_threshold: float = Field(0.42, ge=-1, le=2)
    pledge_threshold: float = Field(0.37, ge=-1, le=2)
    actor_threshold: float = Field(0.30, ge=-1, le=2)
    place_threshold: float = Field(0.40, ge=-1, le=2)
    problem_threshold: float = Field(0.50, ge=-1, le=2)
    lift: float = Field(0.1, ge=-1, le=2)
    same_idea_threshold: float = Field(0.62, ge=0, le=2)
    slots: SlotRules
    speakers: dict[str, str] = Field(default_factory=dict)
    sizes: dict[str, str] = Field(default_factory=dict)
    render: Render
    scopes: dict[str, list[CriterionId]] = Field(
        default_factory=dict,
        description="The criteria each rendered field's sentence may decide; a field not named may decide any.",
    )
    questions: Questions
    vocabulary: list[Vocabulary] = Field(min_length=1)
    patterns: list[Pattern] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_fields(self) -> PatternLibrary:
        unknown = set(self.scopes) - set(SCOPED_FIELDS)
        if unknown:
            raise ValueError(f"scopes: unknown field {sorted(unknown)[0]!r} (fields are {', '.join(SCOPED_FIELDS)})")
        return self

    def words_for(self, *names: str) -> Vocabulary:
        """The first vocabulary matching the first name that matches any (value chain, then plan name);
        the last entry is the default."""
        for name in names:
            lowered = name.casefold()
            for entry in self.vocabulary:
                if any(word.casefold() in lowered for word in entry.match):
                    return entry
        return self.vocabulary[-1]

    def speaker(self, actor_type: str | None, size: str | None) -> str | None:
        """Who "we" is: "a large hotel or guesthouse", "a small producer"; None when the role is unknown."""
        noun = self.speakers.get(actor_type or "")
        if not noun:
            return None
        adjective = self.sizes.get(size or "", "")
        words = f"{adjective} {noun}".strip()
        return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


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
