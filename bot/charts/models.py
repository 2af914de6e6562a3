"""What the charts draw: plain data (counts, labels as the draft shows them, statuses), no database, no Telegram.

Actor types, kinds and criteria are carried as their keys; the charts name them from the message catalogue, so one
picture can be drawn in any language the catalogue speaks.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.domain import CriterionId, Status


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThemeBar(_Data):
    """One theme: how many distinct people raised it, by actor type, and how many of them are MSEs."""

    label: str
    people: int = Field(ge=0)
    mses: int = Field(0, ge=0, description="People of micro or small size among `people`.")
    actor_types: dict[str, int] = Field(default_factory=dict, description="People per actor type key.")


class ThemeGroup(_Data):
    """The ranked themes of one kind (constraints, opportunities, ...), most people first."""

    kind: str
    themes: list[ThemeBar] = Field(default_factory=list)
    hidden: int = Field(0, ge=0, description="Themes of this kind left out of the chart (below the top N).")


class ThemesData(_Data):
    groups: list[ThemeGroup] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(group.themes for group in self.groups)


class CoverageRow(_Data):
    """One initiative as the draft numbers it, and its status on each criterion (a criterion left out: unclear)."""

    title: str
    statuses: dict[CriterionId, Status] = Field(default_factory=dict)


class CriterionName(_Data):
    id: CriterionId
    label: str


class CoverageData(_Data):
    """Initiatives × the eight criteria; `accepted` False when none is accepted yet and the proposed ones are shown."""

    criteria: list[CriterionName] = Field(default_factory=list)
    rows: list[CoverageRow] = Field(default_factory=list)
    accepted: bool = True

    @property
    def empty(self) -> bool:
        return not self.rows or not self.criteria


class ProgressRow(_Data):
    """Stakeholders of one actor type who started the interview (agreed to take part) and who finished it."""

    actor_type: str
    started: int = Field(ge=0)
    finished: int = Field(ge=0)


class ProgressData(_Data):
    rows: list[ProgressRow] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(row.started for row in self.rows)


class Picture(_Data):
    """Everything the three charts of a plan need."""

    themes: ThemesData = Field(default_factory=ThemesData)
    coverage: CoverageData = Field(default_factory=CoverageData)
    progress: ProgressData = Field(default_factory=ProgressData)
