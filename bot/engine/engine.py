"""The engine: `handle(person, incoming) -> replies`, transport-neutral, all state in SQL.

One transaction per message: a reply either reflects everything the message changed or nothing
(a PlanbotError rolls back). Two workers handling the same person meet on the versioned conversation
state; the loser retries on fresh rows.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from langchain_core.embeddings import Embeddings
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.engine import commands, invites
from bot.engine.models import Incoming, Person, Reply
from bot.engine.topics import has_words
from bot.engine.turn import BASE, ClusterFn, Providers, Turn
from bot.errors import NotFoundError, PlanbotError
from bot.messages import Catalogue, catalogue
from bot.ports import Answerer, DocumentStore, Extractor
from bot.storage import Database
from bot.storage.models import Plan
from bot.storage.plan_models import ConversationState, PersonRow, ProcessedMessage

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
        clock: Callable[[], datetime] = utcnow,
        cluster: ClusterFn | None = None,
        documents: DocumentStore | None = None,
    ) -> None:
        self.db = db
        self.providers = Providers(
            extractor=extractor, answerer=answerer, embeddings=embeddings, cluster=cluster, documents=documents
        )
        self.clock = clock

    def handle(self, person: Person, incoming: Incoming) -> list[Reply]:
        msg = catalogue(person.language or "en")
        problem = self._precheck(incoming, msg)
        if problem is not None:
            return [problem]
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.db.session() as session:
                    return self._turn(session, person, incoming, msg)
            except PlanbotError as exc:
                return [Reply(text=exc.message, error=True)]
            except (StaleDataError, IntegrityError, OperationalError) as exc:
                # Another worker changed this person's state (or stored this message) meanwhile: retry on
                # fresh rows; a duplicate delivery then finds its processed row and captures nothing.
                log.info("retrying a message of %s (attempt %d): %s", person.key, attempt, type(exc).__name__)
                time.sleep(random.uniform(0, 0.05 * attempt))
            except Exception:
                log.exception("engine failed on a message of %s", person.key)
                return [Reply(text=msg.text("engine.error"))]
        return [Reply(text=msg.text("engine.error"))]

    def enrol(self, plan_id: int, role: str) -> str:
        """A single-use invite code to `plan_id` for `role`, for a local operator (the terminal chat)."""
        with self.db.session() as session:
            if session.get(Plan, plan_id) is None:
                raise NotFoundError(catalogue().text("errors.plan_not_found", plan_id=plan_id))
            return invites.create_invite(session, plan_id, role, self.clock(), max_uses=1).code

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

    def _turn(self, session: Session, person: Person, incoming: Incoming, msg: Catalogue) -> list[Reply]:
        now = self.clock()
        row = session.scalar(select(PersonRow).where(PersonRow.key == person.key))
        if row is None:
            row = PersonRow(key=person.key, display_name=person.display_name, language=person.language, created_at=now)
            session.add(row)
            session.flush()
        elif person.display_name and row.display_name != person.display_name:
            row.display_name = person.display_name
        state = session.get(ConversationState, row.id)
        if state is None:
            state = ConversationState(person_id=row.id, state=BASE, pending={}, offered=[], updated_at=now)
            session.add(state)
            session.flush()
        if incoming.source_id and not incoming.edited:
            seen = session.scalar(
                select(ProcessedMessage.id).where(
                    ProcessedMessage.person_id == row.id, ProcessedMessage.source_id == incoming.source_id
                )
            )
            if seen is not None:
                return []
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
        if not turn.forgotten:
            state.offered = [choice.model_dump() for reply in replies for choice in reply.choices]
            state.updated_at = now  # always an UPDATE, so the version check serialises workers
        return replies

    @staticmethod
    def _dispatch(turn: Turn) -> list[Reply]:
        incoming = turn.incoming
        if incoming.content_type == "document":
            return commands.run_document(turn)
        if incoming.command:
            return commands.run_command(turn, incoming.command)
        if incoming.choice:
            return commands.run_choice(turn, incoming.choice)
        text = (incoming.text or "").strip()
        if incoming.edited and incoming.source_id:
            return commands.run_edit(turn, text)
        return commands.run_text(turn, text)
