"""One message's unit of work: the session, the person's rows and the providers, passed to every handler."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from langchain_core.embeddings import Embeddings
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.models import Choice, Incoming, Reply
from bot.engine.states import Mode
from bot.errors import PlanbotError
from bot.messages import Catalogue
from bot.ports import (
    Answerer,
    Checker,
    DocumentStore,
    DraftExporter,
    Extractor,
    ProposalDrafter,
    Proposer,
    QuestionPhraser,
)
from bot.storage.models import Plan
from bot.storage.plan_models import ConversationState, Membership, PersonRow
from bot.themes.plan_themes import PlanThemes

ClusterFn = Callable[[Sequence[Any], Embeddings], Sequence[Any]]


BASE = Mode.BASE  # the mode of someone no command is waiting on


@dataclass
class Providers:
    extractor: Extractor
    answerer: Answerer
    embeddings: Embeddings
    checker: Checker  # every /check, scorecard and proposal is read by it (the LLM judge or the offline checker)
    proposer: Proposer  # /propose's offline drafts, and the model drafter's fallback
    cluster: ClusterFn | None = None
    documents: DocumentStore | None = None
    drafts: DraftExporter | None = None
    phraser: QuestionPhraser | None = None  # rewords interview questions; None: the catalogue's words
    drafter: ProposalDrafter | None = None  # drafts /propose initiatives; None: the offline proposer

    def plan_themes(self) -> PlanThemes:
        """The one service /summary, /vote, /propose and the plan check group a plan's stored inputs with."""
        return PlanThemes(self.embeddings, self.cluster)


@dataclass
class Turn:
    session: Session
    person: PersonRow
    state: ConversationState
    incoming: Incoming
    now: datetime
    msg: Catalogue
    providers: Providers
    forgotten: bool = False
    source_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def t(self, key: str, **values: object) -> str:
        return self.msg.text(key, **values)

    def fail(self, key: str, **values: object) -> PlanbotError:
        """A one-line reply; raising it rolls the whole message back (no state change)."""
        return PlanbotError(self.t(key, **values))

    def plan(self) -> Plan | None:
        if self.state.active_plan_id is None:
            return None
        return self.session.get(Plan, self.state.active_plan_id)

    def membership(self, plan_id: int | None = None) -> Membership | None:
        plan_id = plan_id if plan_id is not None else self.state.active_plan_id
        if plan_id is None:
            return None
        return self.session.scalar(
            select(Membership).where(Membership.person_id == self.person.id, Membership.plan_id == plan_id)
        )

    def set_mode(self, mode: Mode, **pending: Any) -> None:
        self.state.state = Mode(mode).value  # stored as the plain string it always was
        self.state.pending = dict(pending)

    def reply(self, key: str, choices: list[Choice] | None = None, **values: object) -> Reply:
        return Reply(text=self.t(key, **values), choices=choices or [])
