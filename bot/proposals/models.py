"""Shapes of the proposer: the plan material it reads (a pure snapshot) and the proposals it returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.checker.models import GuidanceCitation, Scorecard
from bot.domain import CriterionId, InputKind, Verdict


class MaterialInput(BaseModel):
    """One stakeholder input as said; `person_id` lets the proposer count distinct people, `question` is the
    interview question it answers (None for free text and notes), `actor_type` and `size` the speaker's
    profile (who "we" is, and whether a micro or small firm raised it)."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: InputKind
    text: str
    person_id: int | None = None
    question: str | None = None
    actor_type: str | None = None
    size: str | None = None


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
    vectors: dict[int, list[float]] = Field(
        default_factory=dict, exclude=True, repr=False, description="Input id → its stored embedding, if kept."
    )

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


class Slot(BaseModel):
    """One field of a structured proposal: its value in the facilitator's words and the ids of the inputs it
    was taken from; a field the inputs do not settle has no value but a question for the meeting."""

    value: str | None = None
    sources: list[int] = Field(default_factory=list, description="Ids of the inputs the value was taken from.")
    detail: str | None = Field(None, description="A fact said of the value ('where all 200 fishers sell').")
    question: str | None = Field(None, description="To settle at the meeting, when the inputs leave it open.")

    @property
    def open(self) -> bool:
        return self.value is None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "detail": self.detail, "sources": list(self.sources), "question": self.question}


FIELD_NAMES = ("title", "what", "lead", "where", "first_step", "benefit", "when", "investment", "beneficiaries")
NOUN_PHRASE_FIELDS = ("lead", "where")  # fields whose value is a name or a place: a clean noun phrase


class ProposalFields(BaseModel):
    """An initiative as a facilitator writes it: a short title (a verb and an object), what happens, who leads
    (a named influential actor), where (a named aggregation point), the first small step, the near-term benefit
    and when, who invests what, and who benefits (with the share of micro and small firms among those who
    raised it)."""

    title: Slot = Field(default_factory=Slot)
    what: Slot = Field(default_factory=Slot)
    lead: Slot = Field(default_factory=Slot)
    where: Slot = Field(default_factory=Slot)
    first_step: Slot = Field(default_factory=Slot)
    benefit: Slot = Field(default_factory=Slot)
    when: Slot = Field(default_factory=Slot)
    investment: Slot = Field(default_factory=Slot)
    beneficiaries: Slot = Field(default_factory=Slot)
    mse_share: float | None = Field(
        None, ge=0, le=1, description="Share of the people who raised it that run micro or small firms."
    )

    def slots(self) -> list[tuple[str, Slot]]:
        return [(name, getattr(self, name)) for name in FIELD_NAMES]

    def questions(self) -> list[str]:
        """What is left to settle at the meeting, in field order (each question once)."""
        return list(dict.fromkeys(slot.question for _, slot in self.slots() if slot.question))

    def sources(self) -> list[int]:
        return sorted({i for _, slot in self.slots() for i in slot.sources})

    def to_json(self) -> dict[str, Any]:
        return {name: slot.to_json() for name, slot in self.slots()} | {"mse_share": self.mse_share}


class Credit(BaseModel):
    """A proposal that restates stakeholders' own idea says so: whose inputs, and how many people raised it."""

    input_ids: list[int] = Field(min_length=1)
    people: int = Field(ge=1)
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"input_ids": list(self.input_ids), "people": self.people, "note": self.note}


class Proposal(BaseModel):
    """A drafted initiative: its structured fields, the text rendered from them (what the checker read), where
    it comes from, whom it works through, and its scorecard."""

    title: str
    text: str = Field(description="The initiative as checked: rendered from `fields` (its title aside).")
    pattern: str
    qualities: list[CriterionId] = Field(description="Support qualities met in its scorecard.")
    answers: list[ProposalAnswer]
    actors: list[str] = Field(
        description="The named influential actor it works through (who leads); never a place, which is `fields.where`."
    )
    scorecard: Scorecard
    guidance: GuidanceCitation = Field(description="The guidance passage its pattern comes from.")
    people: int = Field(0, description="Distinct people who raised what it answers.")
    fields: ProposalFields = Field(default_factory=ProposalFields)
    credit: Credit | None = Field(None, description="Set when it restates stakeholders' own idea.")

    @property
    def verdict(self) -> Verdict:
        return self.scorecard.verdict

    @property
    def to_settle(self) -> list[str]:
        """The questions its open fields leave for the meeting."""
        return self.fields.questions()

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
            "fields": self.fields.to_json(),
            "to_settle": self.to_settle,
            "credit": self.credit.to_json() if self.credit else None,
            "people": self.people,
            "check": self.scorecard.to_contract_json(),
        }
