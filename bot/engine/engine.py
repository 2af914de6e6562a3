"""The engine: `handle(person, incoming) -> replies`, transport-neutral, all state in SQL.

One transaction per message: a reply either reflects everything the message changed or nothing
(a PlanbotError rolls back). Two workers handling the same person meet on the versioned conversation
state; the loser retries on fresh rows. `handle_durably` also stores the replies in the outbox in that
transaction, so a crash between the commit and the send leaves them owed, not lost (bot/engine/outbox.py).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from langchain_core.embeddings import Embeddings
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.engine import commands, groups, invites, language, notes, reminders, router
from bot.engine.models import Incoming, Person, Reply
from bot.engine.outbox import Outbox, Outgoing
from bot.engine.topics import has_words
from bot.engine.turn import BASE, ClusterFn, Providers, Turn
from bot.errors import NotFoundError, PlanbotError
from bot.messages import Catalogue, catalogue
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
from bot.storage import Database, limits
from bot.storage.models import Plan
from bot.storage.plan_models import ConversationState, PersonRow, ProcessedMessage
from bot.usage import llm_scope

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4096  # Telegram's limit of one message
ATTEMPTS = 5


def utcnow() -> datetime:
    return datetime.now(UTC)


class Engine:
    """The interview and plan assistant behind every adapter."""

    def __init__(
        self,
        db: Database,
        extractor: Extractor,
        answerer: Answerer,
        embeddings: Embeddings,
        *,
        checker: Checker,
        proposer: Proposer,
        clock: Callable[[], datetime] = utcnow,
        cluster: ClusterFn | None = None,
        documents: DocumentStore | None = None,
        drafts: DraftExporter | None = None,
        phraser: QuestionPhraser | None = None,
        drafter: ProposalDrafter | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.db = db
        self._outbox = outbox
        self.providers = Providers(
            extractor=extractor,
            answerer=answerer,
            embeddings=embeddings,
            checker=checker,
            proposer=proposer,
            cluster=cluster,
            documents=documents,
            drafts=drafts,
            phraser=phraser,
            drafter=drafter,
        )
        self.clock = clock

    @property
    def outbox(self) -> Outbox:
        """Where `handle_durably` keeps the replies until they are sent (built on first use)."""
        if self._outbox is None:
            self._outbox = Outbox(self.db)
        return self._outbox

    def handle(self, person: Person, incoming: Incoming) -> list[Reply]:
        """The replies to one message; a message already handled (same source id) gets none."""
        return [item.reply for item in self._handle(person, incoming, durable=False)]

    def handle_durably(self, person: Person, incoming: Incoming) -> list[Outgoing]:
        """As `handle`, but the replies are stored in the outbox in the message's own transaction and come back
        claimed by this worker, for the adapter to send and settle. A message already handled gets back what is
        still owed to its chat (nothing, once everything was sent). Refusals that changed nothing are not stored."""
        return self._handle(person, incoming, durable=True)

    def _handle(self, person: Person, incoming: Incoming, durable: bool) -> list[Outgoing]:
        msg = catalogue(self.language_of(person))
        if incoming.chat_key is not None and incoming.command is None:
            return []  # group chatter is never captured, nor answered
        problem = self._precheck(incoming, msg)
        if problem is not None:
            return [Outgoing(problem)]
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with llm_scope(person=person.key), self.db.session() as session:
                    return self._turn(session, person, incoming, msg, durable)
            except PlanbotError as exc:
                return [Outgoing(Reply(text=exc.message, error=True))]
            except (StaleDataError, IntegrityError, OperationalError) as exc:
                # Another worker changed this person's state (or stored this message) meanwhile: retry on
                # fresh rows; a duplicate delivery then finds its processed row and captures nothing.
                log.info("retrying a message of %s (attempt %d): %s", person.key, attempt, type(exc).__name__)
                time.sleep(random.uniform(0, 0.05 * attempt))
            except Exception:
                log.exception("engine failed on a message of %s", person.key)
                return [Outgoing(Reply(text=msg.text("engine.error")))]
        return [Outgoing(Reply(text=msg.text("engine.error")))]

    def language_of(self, person: Person) -> str:
        """The catalogue `person` reads (bot/engine/language.py), also for what an adapter says on its own."""
        try:
            with self.db.session() as session:
                row = session.scalar(select(PersonRow).where(PersonRow.key == person.key))
                state = session.get(ConversationState, row.id) if row is not None else None
                plan_id = state.active_plan_id if state is not None else None
                return language.resolve(session, row, plan_id, person.language)
        except SQLAlchemyError:  # the store is down: the message itself will fail; say so in their phone's language
            log.warning("could not read the language of %s", person.key, exc_info=True)
            return language.resolve(None, None, None, person.language)

    def enrol(self, plan_id: int, role: str) -> str:
        """A single-use invite code to `plan_id` for `role`, for a local operator (the terminal chat)."""
        with self.db.session() as session:
            if session.get(Plan, plan_id) is None:
                raise NotFoundError(catalogue().text("errors.plan_not_found", plan_id=plan_id))
            return invites.create_invite(session, plan_id, role, self.clock(), max_uses=1).code

    def group_plan(self, chat_key: str) -> int | None:
        """The plan a group chat is linked to, if any (adapters ignore unlinked groups)."""
        with self.db.session() as session:
            return groups.linked_plan_id(session, chat_key)

    def record_poll(self, poll_id: int, transport_poll_id: str) -> bool:
        """The transport's id of a posted poll, so its answers can be stored as votes."""
        with self.db.session() as session:
            return groups.record_poll(session, poll_id, transport_poll_id)

    def record_vote(self, transport_poll_id: str, voter_key: str, option_ids: list[int]) -> bool:
        """A poll answer replaces the voter's previous one; no options retracts it. False: not planbot's poll."""
        with self.db.session() as session:
            return groups.record_vote(session, transport_poll_id, voter_key, list(option_ids), self.clock())

    def due_reminders(self, now: datetime | None = None, window: timedelta = timedelta(hours=24)) -> list[Reply]:
        """Nudges (`Reply.to` set) for stakeholders who have not finished before a meeting within `window`.

        What it returns is recorded as sent, so each person is nudged once per meeting.
        """
        with self.db.session() as session:
            return reminders.due_reminders(session, self.providers, now or self.clock(), window)

    def queue_reminders(self, now: datetime | None = None, window: timedelta = timedelta(hours=24)) -> list[Outgoing]:
        """As `due_reminders`, with the nudges stored in the outbox in the transaction that records them as sent:
        two workers running the check at once remind each person once (the loser finds them recorded)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.db.session() as session:
                    replies = reminders.due_reminders(session, self.providers, now or self.clock(), window)
                    return self.outbox.store_addressed(session, f"reminder:{uuid.uuid4().hex}", replies)
            except (IntegrityError, OperationalError) as exc:
                log.info("retrying the meeting nudges (attempt %d): %s", attempt, type(exc).__name__)
                time.sleep(random.uniform(0, 0.05 * attempt))
        return []

    @staticmethod
    def _precheck(incoming: Incoming, msg: Catalogue) -> Reply | None:
        """Bad input is answered before anything is stored."""
        if incoming.content_type == "document":
            return None if incoming.document_bytes else Reply(text=msg.text("engine.document_empty"), error=True)
        if incoming.command is not None or incoming.choice is not None:
            size = len(incoming.args)
            return (
                Reply(text=msg.text("engine.too_long", length=size, limit=MAX_MESSAGE_CHARS))
                if size > MAX_MESSAGE_CHARS
                else None
            )
        text = incoming.text or ""
        if not text.strip():
            return Reply(text=msg.text("engine.empty"))
        if len(text) > MAX_MESSAGE_CHARS:
            return Reply(text=msg.text("engine.too_long", length=len(text), limit=MAX_MESSAGE_CHARS))
        if not has_words(text):
            return Reply(text=msg.text("engine.no_words"))
        return None

    def _turn(
        self, session: Session, person: Person, incoming: Incoming, msg: Catalogue, durable: bool
    ) -> list[Outgoing]:
        now = self.clock()
        chat = incoming.chat_key or person.key  # where replies without `to` go
        row = session.scalar(select(PersonRow).where(PersonRow.key == person.key))
        if row is None:
            row = PersonRow(key=person.key, display_name=person.display_name, language=person.language, created_at=now)
            session.add(row)
            session.flush()
        elif person.display_name and row.display_name != person.display_name:
            row.display_name = person.display_name
        if person.language and row.language != person.language:
            row.language = person.language  # the phone's language, followed until the person picks one
        state = session.get(ConversationState, row.id)
        if state is None:
            state = ConversationState(person_id=row.id, state=BASE.value, pending={}, offered=[], updated_at=now)
            session.add(state)
            session.flush()
        msg = catalogue(language.resolve(session, row, state.active_plan_id))
        if incoming.source_id and not incoming.edited:
            seen = session.scalar(
                select(ProcessedMessage.id).where(
                    ProcessedMessage.person_id == row.id, ProcessedMessage.source_id == incoming.source_id
                )
            )
            if seen is not None:  # delivered again: nothing is applied twice, and what is still owed is sent
                return self.outbox.owed(session, row.id, incoming.source_id, chat) if durable else []
            session.add(ProcessedMessage(person_id=row.id, source_id=incoming.source_id, processed_at=now))
            session.flush()
        turn = Turn(
            session=session,
            person=row,
            state=state,
            incoming=incoming,
            now=now,
            msg=msg,
            providers=self.providers,
            source_id=incoming.source_id or f"auto:{uuid.uuid4().hex}",
        )
        replies = self._dispatch(turn)
        if not turn.forgotten and incoming.chat_key is None:  # a group command keeps the private chat's buttons
            state.offered = [choice.model_dump() for reply in replies for choice in reply.choices]
            state.updated_at = now  # always an UPDATE, so the version check serialises workers
        if turn.forgotten:  # nothing more owed to them, no counter keyed by them
            self.outbox.forget_recipient(session, person.key)
            limits.forget_person(session, person.key)
        if not durable:
            return [Outgoing(reply) for reply in replies]
        key = f"edit:{uuid.uuid4().hex}" if incoming.edited else turn.source_id
        return self.outbox.store(session, None if turn.forgotten else row.id, key, replies, chat)

    @staticmethod
    def _dispatch(turn: Turn) -> list[Reply]:
        incoming = turn.incoming
        if incoming.chat_key is not None:
            return commands.run_group(turn)
        if incoming.content_type == "document":
            return notes.run_document(turn)
        if incoming.command:
            return commands.run_command(turn, incoming.command)
        if incoming.choice:
            return router.run_choice(turn, incoming.choice)
        text = (incoming.text or "").strip()
        if incoming.edited and incoming.source_id:
            return router.run_edit(turn, text)
        return router.run_text(turn, text)
