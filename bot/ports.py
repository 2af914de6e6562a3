"""Small interfaces between the core and its providers, so each side can be swapped or faked.

The offline implementations and the optional LLM ones implement the same protocol; `bot.services.Services` (the
composition root) is the one place that builds them, and the engine, the CLI, the bot and the evals receive them
typed as these ports. The LLM scope (whom a model call is charged to) is `bot.usage.llm_scope`, a context manager
the core opens without knowing whether a model is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from bot.domain import Answer, CapturedInput

if TYPE_CHECKING:  # names for the annotations only: importing these packages here would make import cycles
    from bot.checker.models import Initiative, Scorecard
    from bot.proposals.models import PlanMaterial, Proposal

# The interview's question keys, in the order they are asked (texts in prompts/messages/<lang>.yaml).
INTERVIEW_TOPICS: tuple[str, ...] = (
    "constraints",
    "opportunities",
    "ideas",
    "influential_actors",
    "aggregation_points",
    "small_step",
    "quick_win",
    "investment",
)


class Extractor(Protocol):
    """Splits a stakeholder's message into atomic inputs and classifies each."""

    def extract(self, text: str, question: str | None = None) -> list[CapturedInput]:
        """`question` is the interview topic the message answers (one of INTERVIEW_TOPICS), if any."""
        ...

    def is_question(self, text: str) -> bool:
        """True when the message is a question to the assistant rather than an input."""
        ...


class DocumentStore(Protocol):
    """Where a facilitator's uploaded documents go: the plan's own part of the knowledge base."""

    def ingest_bytes(
        self, plan_id: int, name: str, data: bytes, kind: str = "document", session: Session | None = None
    ) -> tuple[str, int]:
        """Store the document (in `session`'s unit of work when given); returns its text and its chunk count."""
        ...


class ExportedDraft(Protocol):
    """A rendered draft; `companions` are the files it links, written beside it (the Markdown draft's charts)."""

    name: str
    content: bytes
    fmt: str
    companions: tuple[ExportedDraft, ...]

    def write(self, target: Path) -> list[Path]:
        """Write it to `target` and its companions beside it, each whole or not at all; the paths written."""
        ...


class DraftExporter(Protocol):
    """The plan's draft upgrading plan as a file (`bot.export.service.DraftService`)."""

    def export(self, plan_id: int, fmt: str, session: Session | None = None, named: bool = False) -> ExportedDraft: ...


class Answerer(Protocol):
    """Grounded answers from the knowledge base, scoped to a plan's documents plus the global guidance."""

    def ask(self, question: str, plan_id: int | None = None) -> Answer: ...


class QuestionPhraser(Protocol):
    """Words the next interview question for one person."""

    def phrase(
        self,
        topic: str,
        question: str,
        *,
        said: Sequence[str] = (),
        language: str = "en",
        others: Sequence[str] = (),
    ) -> str:
        """`question` is the catalogue's; `said` this person's earlier messages; `others` what other people
        wrote, which must never appear in the reply."""
        ...


class Checker(Protocol):
    """Turns an initiative into a scorecard against the guidance criteria: the offline checker, the LLM judge."""

    def check(self, initiative: Initiative | str) -> Scorecard: ...


class Proposer(Protocol):
    """Drafts checked initiatives from a plan's material (`bot.proposals.OfflineProposer`)."""

    def propose(self, material: PlanMaterial) -> list[Proposal]: ...


class ProposalDrafter(Protocol):
    """Drafts a plan's proposals with a model; `fallback` (the offline proposer) whenever it cannot."""

    def propose(self, material: PlanMaterial, fallback: Proposer | None = None) -> list[Proposal]: ...
