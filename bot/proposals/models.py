"""Shapes of the proposer: the plan material it reads (a pure snapshot) and the proposals it returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.checker.models import GuidanceCitation, Scorecard
from bot.domain import CriterionId, InputKind, Verdict


class MaterialInput(BaseModel):
    """One stakeholder input as said; `person_id` lets the proposer count distinct people."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: InputKind
    text: str
    person_id: int | None = None


class MaterialTheme(BaseModel):
    """Inputs of one kind that say the same thing, with how many distinct people raised them."""

    model_config = ConfigDict(frozen=True)

    kind: InputKind
    label: str = Field(min_length=1)
    input_ids: list[int] = Field(min_length=1)
    people: int = Field(1, ge=0)


class PlanMaterial(BaseModel):
    """What the proposer works from, built from SQL by `material_for` so the proposer itself stays pure."""

    plan_id: int | None = None
    name: str = ""
    value_chain: str = ""
    region: str = ""
    inputs: list[MaterialInput] = Field(default_factory=list)
    themes: list[MaterialTheme] = Field(default_factory=list)

    def ranked(self, *kinds: InputKind) -> list[MaterialTheme]:
        """Themes of these kinds, most people first (then most inputs, then as given)."""
        chosen = [theme for theme in self.themes if theme.kind in kinds]
        return sorted(chosen, key=lambda theme: (-theme.people, -len(theme.input_ids)))

    def input(self, input_id: int) -> MaterialInput | None:
        return next((item for item in self.inputs if item.id == input_id), None)


class ProposalAnswer(BaseModel):
    """A stakeholder input a proposal answers (traceability back to who said what)."""

    input_id: int
    kind: InputKind
    text: str


class Proposal(BaseModel):
    """A drafted initiative: its text, where it comes from, whom it works through, and its scorecard."""

    title: str
    text: str
    pattern: str
    qualities: list[CriterionId] = Field(description="Support qualities met in its scorecard.")
    answers: list[ProposalAnswer]
    actors: list[str] = Field(description="Named influential actors and aggregation points it works through.")
    scorecard: Scorecard
    guidance: GuidanceCitation = Field(description="The guidance passage its pattern comes from.")
    people: int = Field(0, description="Distinct people who raised what it answers.")

    @property
    def verdict(self) -> Verdict:
        return self.scorecard.verdict

    def to_json(self) -> dict[str, Any]:
        """The `planbot propose --json` shape of one proposal."""
        return {
            "title": self.title,
            "text": self.text,
            "pattern": self.pattern,
            "qualities": [quality.value for quality in self.qualities],
            "answers": [
                {"input_id": answer.input_id, "kind": answer.kind.value, "text": answer.text} for answer in self.answers
            ],
            "actors": list(self.actors),
            "check": self.scorecard.to_contract_json(),
        }
