"""The shared vocabulary of planbot: names and shapes fixed by the contracts.

Other modules and the evals rely on these values; change one only together with everything that uses it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class InputKind(StrEnum):
    """What the assistant captures from stakeholders."""

    constraint = "constraint"
    opportunity = "opportunity"
    idea = "idea"
    influential_actor = "influential_actor"
    aggregation_point = "aggregation_point"


class CriterionId(StrEnum):
    """The eight guidance criteria, in the contracts' order."""

    investment = "investment"
    learning = "learning"
    small_steps = "small_steps"
    near_term_benefits = "near_term_benefits"
    influential_actors = "influential_actors"
    aggregation_points = "aggregation_points"
    industry_wide = "industry_wide"
    reaches_mses = "reaches_mses"


SUPPORT_QUALITIES: tuple[CriterionId, ...] = (
    CriterionId.investment,
    CriterionId.learning,
    CriterionId.small_steps,
    CriterionId.near_term_benefits,
)


class Status(StrEnum):
    met = "met"
    not_met = "not_met"
    unclear = "unclear"


class Verdict(StrEnum):
    recommended = "recommended"
    revise = "revise"
    not_recommended = "not_recommended"


class Citation(BaseModel):
    """A passage of a knowledge document quoted as evidence."""

    model_config = ConfigDict(frozen=True)

    document: str = Field(description="Title of the document the quote comes from.")
    section: str | None = Field(None, description="Section heading of the chunk, when it has one.")
    chunk_id: str = Field(description="Stable id of the chunk in the store.")
    quote: str = Field(description="The quoted words, as written in the document.")
    score: float = Field(description="Relevance of the chunk to the question, 0..1.")


class Answer(BaseModel):
    """A grounded answer: quotes from the knowledge base, or a plain statement that it does not cover it."""

    answer: str
    covered: bool
    citations: list[Citation] = Field(default_factory=list)


class CapturedInput(BaseModel):
    """One atomic input found in a stakeholder's message."""

    kind: InputKind
    text: str = Field(description="The words as written.")
    summary: str = Field(description="A short summary for lists and exports.")
    confidence: float = Field(ge=0, le=1)


class Extraction(BaseModel):
    """The `planbot extract --json` shape."""

    inputs: list[CapturedInput] = Field(default_factory=list)
