"""The guided interview: one question per topic, "why?", skip, back, ONE follow-up for a vague answer.

Progress lives in the membership row (topic index, pending follow-up), so it resumes after a restart and
per plan when a person is in several.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.domain import Answer
from bot.engine import inputs
from bot.engine.callbacks import Action, build
from bot.engine.models import Choice, Reply
from bot.engine.topics import interview_data
from bot.engine.turn import Turn
from bot.messages import DEFAULT_LANGUAGE, catalogue
from bot.storage.plan_models import Membership, StoredInput

log = logging.getLogger(__name__)

SAID_HISTORY = 3  # the person's latest inputs the phraser may echo


def total() -> int:
    return len(interview_data().topics)


def _said_before(turn: Turn, membership: Membership) -> list[str]:
    """This person's own inputs on this plan, oldest first; never anyone else's."""
    rows = turn.session.scalars(
        select(StoredInput.text)
        .where(StoredInput.plan_id == membership.plan_id, StoredInput.person_id == membership.person_id)
        .order_by(StoredInput.id.desc())
        .limit(SAID_HISTORY)
    )
    return list(reversed(list(rows)))


def phrased_question(turn: Turn, membership: Membership, topic_key: str) -> str:
    """The catalogue question, reworded for this person by the phraser when there is one; on any failure of
    the phraser, the catalogue's words (its intent and fallback)."""
    question = turn.t(f"interview.topics.{topic_key}")
    phraser = turn.providers.phraser
    if phraser is None:
        return question
    try:
        return (
            phraser.phrase(
                topic_key,
                question,
                said=_said_before(turn, membership),
                language=turn.msg.language,
            )
            or question
        )
    except Exception:  # a phraser must never cost the person their question
        log.exception("the question phraser failed on topic %s", topic_key)
        return question


def question_reply(turn: Turn, membership: Membership, prefix: str = "") -> Reply:
    index = membership.topic_index
    topic = interview_data().topics[index]
    head = turn.t("interview.progress", n=index + 1, total=total())
    body = (
        turn.t("interview.followup") if membership.followup_pending else phrased_question(turn, membership, topic.key)
    )
    text = f"{head} {body}" if not membership.followup_pending else body
    if prefix:
        text = f"{prefix}\n\n{text}"
    return Reply(text=text, choices=controls(turn, index))


def controls(turn: Turn, index: int) -> list[Choice]:
    return [
        Choice(label=turn.t("interview.choice_why"), data=build(Action.INTERVIEW, "why", index)),
        Choice(label=turn.t("interview.choice_skip"), data=build(Action.INTERVIEW, "skip", index)),
        Choice(label=turn.t("interview.choice_back"), data=build(Action.INTERVIEW, "back", index)),
    ]


def why_text(turn: Turn, index: int) -> str:
    data = interview_data()
    return turn.t("interview.why", quote=data.topics[index].quote, document=data.document, section=data.section)


def _advance(turn: Turn, membership: Membership, prefix: str) -> list[Reply]:
    membership.followup_pending = False
    membership.topic_index += 1
    if membership.topic_index >= total():
        membership.topic_index = total() - 1
        membership.interview_done_at = turn.now
        text = turn.t("interview.done")
        return [Reply(text=f"{prefix}\n\n{text}" if prefix else text)]
    return [question_reply(turn, membership, prefix)]


def on_control(turn: Turn, membership: Membership, action: str, index: int | None = None) -> list[Reply]:
    if membership.interview_done_at is not None or (index is not None and index != membership.topic_index):
        raise turn.fail("engine.stale_choice")
    if action == "why":
        return [question_reply(turn, membership, why_text(turn, membership.topic_index))]
    if action == "skip":
        return _advance(turn, membership, turn.t("interview.skipped"))
    if action == "back":
        membership.followup_pending = False
        if membership.topic_index == 0:
            return [question_reply(turn, membership, turn.t("interview.first_question"))]
        membership.topic_index -= 1
        return [question_reply(turn, membership)]
    raise turn.fail("engine.stale_choice")


ANSWER_FRAMES = ("answer.not_covered", "answer.intro", "answer.intro_documents", "answer.intro_mixed")


def _framed_for(turn: Turn, text: str) -> str:
    """The offline answerer frames its quotes in English ("The guidance says:"); the person reads the frame in
    their own language, the quotes as the documents wrote them."""
    if turn.msg.language == DEFAULT_LANGUAGE:
        return text
    english = catalogue(DEFAULT_LANGUAGE)
    for key in ANSWER_FRAMES:
        frame = english.text(key)
        if text == frame or text.startswith(frame + "\n"):
            return turn.t(key) + text[len(frame) :]
    return text


def render_answer(turn: Turn, answer: Answer) -> str:
    lines = [_framed_for(turn, answer.answer)]
    for n, citation in enumerate(answer.citations, start=1):
        key = "answer.citation" if citation.section else "answer.citation_no_section"
        line = turn.t(key, n=n, document=citation.document, section=citation.section, chunk_id=citation.chunk_id)
        if citation.quote in answer.answer:  # the extractive answer already quotes it
            lines.append(line)
        else:
            lines.append(f'{line}: "{inputs.shorten(citation.quote, 300)}"')
    return "\n".join(lines)


def on_dont_know(turn: Turn, membership: Membership) -> list[Reply]:
    """ "I don't know": no input and no "Can you give an example?"; a friendly way on. Said again (or after a
    follow-up), the interview moves to the next question, as after any follow-up."""
    if membership.followup_pending:
        return _advance(turn, membership, turn.t("interview.dont_know_next"))
    membership.followup_pending = True
    return [Reply(text=turn.t("interview.dont_know"), choices=controls(turn, membership.topic_index))]


def on_answer(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    data = interview_data()
    action = data.control(text)
    if action is not None:
        return on_control(turn, membership, action)
    if data.is_dont_know(text):
        return on_dont_know(turn, membership)
    if turn.providers.extractor.is_question(text):
        answer = turn.providers.answerer.ask(text, membership.plan_id)
        return [
            Reply(text=render_answer(turn, answer)),
            question_reply(turn, membership, turn.t("engine.answer_then_continue")),
        ]
    topic = data.topics[membership.topic_index]
    vague = data.is_vague(text)
    fallback = None if vague else topic.fallback_kind
    stored, repeats = inputs.capture(turn, membership.plan_id, text, topic.key, fallback)
    if not stored and repeats:
        return [question_reply(turn, membership, turn.t("interview.already_noted"))]
    noted = turn.t("interview.noted", items=inputs.describe(turn, stored)) if stored else ""
    if vague and not membership.followup_pending:
        membership.followup_pending = True
        return [question_reply(turn, membership, noted)]
    return _advance(turn, membership, noted or turn.t("interview.noted_nothing"))


def on_free_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    """After the interview: a question is answered, anything else is captured with question=None."""
    if interview_data().is_dont_know(text):
        return [Reply(text=turn.t("interview.dont_know_done"))]
    if turn.providers.extractor.is_question(text):
        return [Reply(text=render_answer(turn, turn.providers.answerer.ask(text, membership.plan_id)))]
    stored, repeats = inputs.capture(turn, membership.plan_id, text, None)
    if stored:
        return [Reply(text=turn.t("interview.added", items=inputs.describe(turn, stored)))]
    if repeats:
        return [Reply(text=turn.t("interview.already_noted"))]
    return [Reply(text=turn.t("interview.added_nothing"))]
