"""Shapes of the checker: the initiative it reads and the scorecard it returns (contract `check` JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.domain import CriterionId, Status, Verdict


class Investment(BaseModel):
    """Who puts in what; `amount` is free text so "2 million TZS" or "labour" both fit."""

    who: str | None = None
    amount: str | None = None


class Beneficiaries(BaseModel):
    """Who gains; the MSE count or share settles `reaches_mses` when given."""

    description: str | None = None
    mse_count: int | None = Field(None, ge=0)
    mse_share: float | None = Field(None, ge=0, le=1, description="Share of beneficiaries that are MSEs, 0..1.")


class Initiative(BaseModel):
    """A structured initiative, as proposed or captured in the workshop."""

    title: str = Field(min_length=1)
    description: str = ""
    actors: list[str] = Field(default_factory=list)
    lead_actor: str | None = None
    investment: Investment | None = None
    first_benefits: str | None = Field(None, description="When first benefits come, as said (e.g. 'in 3 months').")
    first_benefits_months: float | None = Field(None, ge=0)
    steps: list[str] = Field(default_factory=list)
    risk: str | None = None
    beneficiaries: Beneficiaries | None = None
    answers: list[str] = Field(default_factory=list, description="Ids of the inputs or themes it answers.")


class ScopedText(str):
    """Initiative text whose parts each say which criteria they may decide (None: any criterion).

    A proposal's "First benefit: ..." sentence speaks to near-term benefits only, never to investment; the
    stakeholders' own words may settle anything. It is a `str` (the parts joined by spaces), so any checker
    that does not know scopes (the LLM judge, a fake) reads it exactly as the plain text.
    """

    parts: tuple[tuple[str, frozenset[CriterionId] | None], ...]

    def __new__(cls, parts: Iterable[tuple[str, Iterable[CriterionId] | None]], sep: str = " ") -> ScopedText:
        kept = tuple(
            (text.strip(), None if scope is None else frozenset(CriterionId(c) for c in scope))
            for text, scope in parts
            if text and text.strip()
        )
        made = super().__new__(cls, sep.join(text for text, _ in kept))
        made.parts = kept
        return made

    def scope_of(self, criterion: CriterionId) -> list[str]:
        """The parts that may decide `criterion`."""
        return [text for text, scope in self.parts if scope is None or criterion in scope]


class GuidanceCitation(BaseModel):
    """The guidance passage a criterion comes from."""

    model_config = ConfigDict(frozen=True)

    document: str
    quote: str


class CriterionResult(BaseModel):
    id: CriterionId
    status: Status
    evidence: str | None = Field(None, description="The initiative's words that decide it; None when unclear.")
    citation: GuidanceCitation
    strength: float | None = Field(
        None,
        exclude=True,
        description="How far the offline decision cleared its threshold (0..1); None when no head decided. "
        "A model may overrule a weak one (bot.llm.judge).",
    )


class FollowUp(BaseModel):
    criterion: CriterionId
    question: str


class Scorecard(BaseModel):
    """All eight criteria in contract order, the verdict by the contract's rule, and the open questions."""

    verdict: Verdict
    criteria: list[CriterionResult]
    questions: list[FollowUp] = Field(default_factory=list)

    def status(self, criterion: CriterionId | str) -> Status:
        wanted = CriterionId(criterion)
        return next(result.status for result in self.criteria if result.id == wanted)

    def to_contract_json(self) -> dict[str, Any]:
        """The `planbot check --json` shape, exactly."""
        return {
            "verdict": self.verdict.value,
            "criteria": [
                {
                    "id": result.id.value,
                    "status": result.status.value,
                    "evidence": result.evidence,
                    "citation": {"document": result.citation.document, "quote": result.citation.quote},
                }
                for result in self.criteria
            ],
            "questions": [{"criterion": q.criterion.value, "question": q.question} for q in self.questions],
        }
