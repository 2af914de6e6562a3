"""Meeting notes: /notes (typed or sent as a file) become inputs of a pseudo-person, "meeting notes, DATE";
a facilitator's other files become plan documents."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.engine import inputs as inputs_mod
from bot.engine.models import Reply
from bot.engine.reminders import format_date
from bot.engine.states import Mode
from bot.engine.turn import BASE, Turn
from bot.storage.plan_models import Membership, PersonRow

NOTES_PREFIX = re.compile(r"^\s*meeting\s+notes\b[^\n:]*:?", re.IGNORECASE)
NOTES_FILE = re.compile(r"notes|minutes|meeting|compte.rendu|acta", re.IGNORECASE)


def cmd_notes(turn: Turn) -> list[Reply]:
    text = turn.incoming.args.strip()
    if text:
        return capture_notes(turn, text)
    turn.set_mode(Mode.NOTES)
    return [turn.reply("engine.notes_ask")]


def _notes_person(turn: Turn, plan_id: int, date: str) -> PersonRow:
    """The plan's pseudo-person of today's notes, made (with its membership) on first use."""
    key = f"notes:{plan_id}:{turn.now.date().isoformat()}"
    pseudo = turn.session.scalar(select(PersonRow).where(PersonRow.key == key))
    if pseudo is not None:
        return pseudo
    pseudo = PersonRow(key=key, display_name=turn.t("engine.notes_label", date=date), created_at=turn.now)
    turn.session.add(pseudo)
    turn.session.flush()
    turn.session.add(
        Membership(
            person_id=pseudo.id,
            plan_id=plan_id,
            role="notes",
            actor_type="notes",
            consented_at=turn.now,
            interview_done_at=turn.now,
            joined_at=turn.now,
            topic_index=0,
            followup_pending=False,
        )
    )
    return pseudo


def capture_notes(turn: Turn, text: str) -> list[Reply]:
    """Meeting notes' inputs are attributed to a pseudo-person of the plan, "meeting notes, DATE"."""
    plan = turn.plan()
    assert plan is not None  # facilitator commands (and the facilitator stage) have an active plan
    date = format_date(turn.now)
    pseudo = _notes_person(turn, plan.id, date)
    body = NOTES_PREFIX.sub("", text, count=1).strip() or text
    found, vectors = inputs_mod.extract(turn, body, None)  # the extractor's vectors are stored, not re-embedded
    rows, _ = inputs_mod.store(turn, plan.id, found, None, person_id=pseudo.id, vectors=vectors)
    turn.set_mode(BASE)
    return [turn.reply("engine.notes_saved", date=date, count=len(rows), items=inputs_mod.describe(turn, rows))]


def on_notes_text(turn: Turn, text: str) -> list[Reply]:
    return capture_notes(turn, text)


def run_document(turn: Turn) -> list[Reply]:
    """A facilitator's file becomes a plan document (meeting notes also give inputs); a stakeholder's is declined."""
    incoming = turn.incoming
    membership = turn.membership()
    if membership is None:
        return [turn.reply("engine.no_plan")]
    if membership.role != "facilitator" or membership.consented_at is None:
        return [turn.reply("engine.document_declined")]
    store = turn.providers.documents
    if store is None:
        return [turn.reply("engine.document_unavailable")]
    name = incoming.document_name or "document"
    is_notes = bool(NOTES_FILE.search(name) or NOTES_FILE.search(incoming.text or ""))
    text, chunks = store.ingest_bytes(
        membership.plan_id,
        name,
        incoming.document_bytes or b"",
        kind="meeting_notes" if is_notes else "document",
        session=turn.session,
    )
    replies = [turn.reply("engine.document_added", name=name, chunks=chunks)]
    if is_notes:
        replies += capture_notes(turn, text)
    return replies
