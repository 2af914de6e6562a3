"""Meetings and reminders: /meeting sets the plan's next meeting, /remind nudges the unfinished stakeholders,
and the due nudges before a meeting (each person once per meeting, in their own language)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine import inputs as inputs_mod
from bot.engine import language
from bot.engine.interview import question_reply
from bot.engine.models import Incoming, Reply
from bot.engine.plans import stage
from bot.engine.states import Stage
from bot.engine.turn import Providers, Turn
from bot.messages import Catalogue, catalogue
from bot.storage.models import Plan
from bot.storage.plan_models import ConversationState, Membership, PersonRow
from bot.storage.workshop_models import ReminderSent

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d.%m.%Y")


# ---- dates and /meeting --------------------------------------------------------------------------------


def parse_date(text: str) -> datetime | None:
    cleaned = " ".join(text.replace(",", " ").split())
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned, flags=re.IGNORECASE)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def format_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; planbot stores UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cmd_meeting(turn: Turn) -> list[Reply]:
    text = turn.incoming.args.strip()
    if not text:
        raise turn.fail("engine.meeting_usage")
    moment = parse_date(text)
    if moment is None:
        raise turn.fail("engine.meeting_bad", text=inputs_mod.shorten(text, 40))
    plan = turn.plan()
    assert plan is not None  # facilitator commands are checked for an active plan first
    plan.next_meeting = moment
    return [turn.reply("engine.meeting_set", date=format_date(moment))]


# ---- reminders -----------------------------------------------------------------------------------------


def _unfinished(session: Session, plan_id: int) -> list[tuple[Membership, PersonRow]]:
    rows = session.execute(
        select(Membership, PersonRow)
        .join(PersonRow, PersonRow.id == Membership.person_id)
        .where(
            Membership.plan_id == plan_id,
            Membership.role == "stakeholder",
            Membership.consented_at.is_not(None),
            Membership.interview_done_at.is_(None),
        )
        .order_by(PersonRow.id)
    )
    return [(m, p) for m, p in rows]


def _already(session: Session, key: str) -> set[int]:
    return set(session.scalars(select(ReminderSent.person_id).where(ReminderSent.reminder_key == key)))


def _remind(
    session: Session, providers: Providers, plan: Plan, key: str, text_key: str, now: datetime
) -> tuple[list[Reply], int]:
    """One reminder per unfinished stakeholder not yet reminded under `key`, recorded as it is returned."""
    done = _already(session, key)
    replies: list[Reply] = []
    skipped = 0
    meeting = format_date(aware(plan.next_meeting)) if plan.next_meeting else ""
    for membership, person in _unfinished(session, plan.id):
        if person.id in done:
            skipped += 1
            continue
        msg = catalogue(language.resolve(session, person, plan.id))  # each in their own language
        text = msg.text(text_key, plan=plan.name, date=meeting)
        if text_key == "groups.remind_text" and meeting:
            text = f"{text} {msg.text('groups.remind_meeting', date=meeting)}"
        replies.append(_with_question(session, providers, person, membership, text, msg, now))
        session.add(ReminderSent(plan_id=plan.id, reminder_key=key, person_id=person.id, sent_at=now))
    session.flush()
    return replies, skipped


def _with_question(
    session: Session,
    providers: Providers,
    person: PersonRow,
    membership: Membership,
    text: str,
    msg: Catalogue,
    now: datetime,
) -> Reply:
    """The reminder carries the person's current question (with its buttons), so their answer lands right."""
    state = session.get(ConversationState, person.id)
    if stage(membership) != Stage.INTERVIEW or state is None:
        return Reply(text=text, to=person.key)
    theirs = Turn(
        session=session,
        person=person,
        state=state,
        incoming=Incoming(),
        now=now,
        msg=msg,
        providers=providers,
    )
    return question_reply(theirs, membership, prefix=text).model_copy(update={"to": person.key})


def cmd_remind(turn: Turn) -> list[Reply]:
    """Reminds the plan's unfinished stakeholders, once each per meeting (or per day without a meeting)."""
    plan = turn.plan()
    assert plan is not None
    when = plan.next_meeting.date().isoformat() if plan.next_meeting else turn.now.date().isoformat()
    key = f"remind:{plan.id}:{when}"
    replies, skipped = _remind(turn.session, turn.providers, plan, key, "groups.remind_text", turn.now)
    if not replies:
        return [turn.reply("groups.remind_none")]
    return [turn.reply("groups.remind_sent", count=len(replies), already=skipped), *replies]


def due_reminders(session: Session, providers: Providers, now: datetime, window: timedelta) -> list[Reply]:
    """Nudges for plans whose next meeting is within `window` from `now`; each person once per meeting."""
    replies: list[Reply] = []
    for plan in session.scalars(select(Plan).where(Plan.next_meeting.is_not(None)).order_by(Plan.id)):
        assert plan.next_meeting is not None
        meeting = aware(plan.next_meeting)
        if not now < meeting <= now + window:
            continue
        key = f"meeting:{plan.id}:{meeting.isoformat()}"
        sent, _ = _remind(session, providers, plan, key, "groups.nudge_text", now)
        replies += sent
    return replies
