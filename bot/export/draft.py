"""The draft upgrading plan: one model, independent of how it is assembled, rendered as DOCX, Markdown and JSON.

The JSON rendering is this model's dump under a versioned schema name, so a draft can leave planbot, be edited
by hand or by another tool, and come back; everything in it is plain data (no references to the database).

Version 2 keeps every input: each theme carries all its quotes (with the input's id and the question it
answered), named actors and aggregation points carry every mention, the gathering counts inputs per kind, the
guidance passages are in `criteria` once (no longer in each scorecard row), and an initiative's follow-up answers
are `answered` questions instead of lines pasted into its description. Version 1 drafts are still read
(`bot.export.jsonio.upgrade`).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from bot.domain import CriterionId, InputKind, Status, Verdict

SCHEMA = "planbot.draft/2"
PREVIOUS_SCHEMAS = ("planbot.draft/1",)
MSE_SIZES = frozenset({"micro", "small"})
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"  # an input kind as stored: the five of the contract, or one added later


class _Data(BaseModel):
    """Unknown fields are refused so a typo in an imported draft is named, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class TitleBlock(_Data):
    plan: str = Field(min_length=1)
    plan_id: int | None = Field(None, description="planbot's id of the plan, so `planbot import` finds it again.")
    value_chain: str = ""
    region: str = ""
    date: date
    version: int = Field(1, ge=1)
    vision: str | None = None


class ParticipantGroup(_Data):
    """How many participants share one actor type and size (size None: not given)."""

    actor_type: str
    size: str | None = None
    count: int = Field(ge=0)


class KindCount(_Data):
    """How many inputs of one kind were captured, and from how many people."""

    kind: str = Field(pattern=KIND_PATTERN)
    inputs: int = Field(ge=0)
    people: int = Field(ge=0)


class Gathering(_Data):
    """How the input was gathered: who took part, when, and in which meetings."""

    participants: list[ParticipantGroup] = Field(default_factory=list)
    inputs: int = Field(0, ge=0, description="How many inputs were captured in all.")
    by_kind: list[KindCount] = Field(default_factory=list, description="Inputs per kind; they add up to `inputs`.")
    first_input: date | None = None
    last_input: date | None = None
    meetings: list[date] = Field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(group.count for group in self.participants)

    @property
    def mses(self) -> int:
        return sum(group.count for group in self.participants if group.size in MSE_SIZES)


class Quote(_Data):
    """A stakeholder's words; anonymous (actor type and size) unless `speaker` was given with consent."""

    text: str
    actor_type: str | None = None
    size: str | None = None
    speaker: str | None = None
    input_id: int | None = Field(None, description="planbot's id of the stored input these words are.")
    question: str | None = Field(None, description="The interview question it answered (e.g. quick_win).")


class ActorCount(_Data):
    actor_type: str
    people: int = Field(ge=0)


class DraftTheme(_Data):
    kind: str = Field(pattern=KIND_PATTERN)
    label: str
    people: int = Field(ge=0, description="Distinct people who raised it; the ranking key.")
    inputs: int = Field(0, ge=0)
    actor_types: list[ActorCount] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list, description="Every input of the theme, in the theme's order.")


class NamedActor(_Data):
    """An influential actor or aggregation point as the stakeholders named it."""

    name: str
    people: int = Field(ge=0, description="How many people named it.")
    said: list[Quote] = Field(default_factory=list, description="Every mention, in the stakeholders' words.")


class ScoreRow(_Data):
    """One criterion of an initiative; the guidance passage it comes from is in `Draft.criteria`, once."""

    criterion: CriterionId
    label: str
    status: Status
    evidence: str | None = None


class OpenQuestion(_Data):
    criterion: CriterionId
    label: str
    question: str


class AnsweredQuestion(_Data):
    """A follow-up question of the check and the facilitator's answer (the answer was re-checked with it)."""

    criterion: CriterionId | None = None
    label: str | None = None
    question: str | None = None
    answer: str = Field(min_length=1)


class DraftCredit(_Data):
    """A proposal that restates the stakeholders' own idea: whose inputs, how many people raised it, in words."""

    note: str = Field(min_length=1)
    people: int = Field(ge=1)
    input_ids: list[int] = Field(default_factory=list)


class DraftInitiative(_Data):
    id: int | None = Field(None, description="planbot's id of the initiative; None: new (added by an editor).")
    title: str = Field(min_length=1)
    description: str = ""
    accepted: bool = False
    answers: list[str] = Field(default_factory=list, description="Theme labels or quotes it answers.")
    actors: list[str] = Field(default_factory=list)
    lead_actor: str | None = None
    investment: str | None = None
    first_benefits: str | None = None
    steps: list[str] = Field(default_factory=list)
    risk: str | None = None
    mse_reach: str | None = None
    answered: list[AnsweredQuestion] = Field(
        default_factory=list, description="Follow-up questions already answered; part of what was checked."
    )
    scorecard: list[ScoreRow] = Field(default_factory=list, description="Empty: not checked yet.")
    verdict: Verdict | None = None
    questions: list[OpenQuestion] = Field(default_factory=list, description="To settle at the meeting.")
    to_settle: list[str] = Field(
        default_factory=list,
        description="A proposal's details the stakeholders left open (who leads, who invests ...), to settle at the "
        "meeting; beside the criteria's open `questions`.",
    )
    credit: DraftCredit | None = Field(None, description="Set when it restates the stakeholders' own idea.")


class PlanCheckRow(_Data):
    id: str
    passed: bool
    explanation: str


class GuidanceCriterion(_Data):
    """One row of the appendix: a criterion and the guidance passage it comes from."""

    id: CriterionId
    label: str
    meaning: str
    quote: str
    source: str


class Draft(_Data):
    """The whole draft; `schema` names the JSON format version."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(SCHEMA, alias="schema", pattern=r"^planbot\.draft/2$")
    title: TitleBlock
    gathering: Gathering = Field(default_factory=Gathering)
    themes: list[DraftTheme] = Field(default_factory=list)
    influential_actors: list[NamedActor] = Field(default_factory=list)
    aggregation_points: list[NamedActor] = Field(default_factory=list)
    initiatives: list[DraftInitiative] = Field(default_factory=list)
    plan_check: list[PlanCheckRow] = Field(default_factory=list)
    criteria: list[GuidanceCriterion] = Field(default_factory=list)

    @property
    def has_input(self) -> bool:
        return self.gathering.inputs > 0 or bool(self.themes)

    def ranked_themes(self, kind: InputKind | str) -> list[DraftTheme]:
        """Themes of one kind, most people first (then most inputs, then label, so the order is stable)."""
        wanted = getattr(kind, "value", kind)
        chosen = [theme for theme in self.themes if theme.kind == wanted]
        return sorted(chosen, key=lambda th: (-th.people, -th.inputs, th.label.casefold()))

    def ordered_initiatives(self) -> list[DraftInitiative]:
        """Accepted initiatives first, then proposed ones, each group in the order given."""
        return [i for i in self.initiatives if i.accepted] + [i for i in self.initiatives if not i.accepted]


def ranked_names(names: list[NamedActor]) -> list[NamedActor]:
    return sorted(names, key=lambda n: (-n.people, n.name.casefold()))
