"""Drafting initiatives: /check (a facilitator's own initiative, scored, with one follow-up question per open
criterion whose answers go into its fields) and /propose (initiatives drafted from the plan's inputs)."""

from __future__ import annotations

from typing import Any

from bot.checker import followups
from bot.checker.models import FollowUp, Initiative, Scorecard
from bot.checker.rubric import load_rubric
from bot.engine.callbacks import Action, Callback, build
from bot.engine.initiatives import (
    changes,
    facilitator_plan,
    render_scorecard,
    statuses,
    title_of,
    verdict_label,
)
from bot.engine.models import Choice, Reply
from bot.engine.states import Mode
from bot.engine.topics import interview_data
from bot.engine.turn import BASE, Turn
from bot.export.service import FOLLOW_UPS
from bot.proposals import material_for, store_proposals
from bot.storage.workshop_models import InitiativeRow
from bot.usage import llm_scope

# ---- /check with follow-up questions ---------------------------------------------------------------------
# The pending state of a check: the typed text, the structured initiative the answers were merged into, the
# answers given, the scorecard as the answers settled it, the criteria asked and the question now open.


def _check_state(turn: Turn) -> dict[str, Any] | None:
    if turn.state.state not in (Mode.CHECK_FOLLOWUP, Mode.CHECK_DONE):
        return None
    pending = dict(turn.state.pending)
    return pending if str(pending.get("text", "")).strip() else None


def _loaded(turn: Turn, pending: dict[str, Any]) -> tuple[str, Initiative, list[followups.Answered], Scorecard]:
    """The check in progress; a check begun before answers were merged (no scorecard kept) is checked again."""
    text = str(pending["text"])
    initiative = Initiative.model_validate(pending.get("initiative") or {"title": title_of(text), "description": text})
    answered = [followups.Answered.model_validate(a) for a in pending.get("answered", [])]
    kept = pending.get("card")
    card = Scorecard.model_validate(kept) if kept else turn.providers.checker.check(text)
    return text, initiative, answered, card


def cmd_check(turn: Turn) -> list[Reply]:
    text = turn.incoming.args.strip()
    if not text:
        raise turn.fail("initiatives.check_usage")
    card = turn.providers.checker.check(text)
    pending = {
        "text": text,
        "initiative": Initiative(title=title_of(text), description=text).model_dump(mode="json"),
        "answered": [],
        "card": card.model_dump(mode="json"),
        "asked": [],
    }
    return [Reply(text=render_scorecard(turn, card)), *_next_question(turn, pending, card)]


def _next_question(turn: Turn, pending: dict[str, Any], card: Scorecard) -> list[Reply]:
    """The next open question (each criterion asked once), or the offer to save."""
    asked = list(pending.get("asked", []))
    open_questions = [q for q in followups.questions(card) if q.criterion.value not in asked]
    if not open_questions:
        return [_save_offer(turn, pending, "initiatives.followups_done")]
    question = open_questions[0]
    asked.append(question.criterion.value)
    turn.set_mode(Mode.CHECK_FOLLOWUP, **(pending | {"asked": asked, "question": question.model_dump(mode="json")}))
    total = len(asked) + len(open_questions) - 1
    reply = turn.t(
        "initiatives.followup",
        n=len(asked),
        total=total,
        label=load_rubric().criterion(question.criterion).label,
        question=question.question,
    )
    return [Reply(text=reply, choices=[Choice(label=turn.t("initiatives.skip"), data=build(Action.CHECK, "skip"))])]


def _save_offer(turn: Turn, pending: dict[str, Any], key: str) -> Reply:
    turn.set_mode(Mode.CHECK_DONE, **{k: v for k, v in pending.items() if k != "question"})
    choices = [
        Choice(label=turn.t("initiatives.save"), data=build(Action.CHECK, "save")),
        Choice(label=turn.t("initiatives.discard"), data=build(Action.CHECK, "drop")),
    ]
    return Reply(text=turn.t(key), choices=choices)


def on_followup_answer(turn: Turn, answer: str) -> list[Reply]:
    """The answer goes into the field its question is about and is re-checked with the initiative; it settles
    that question's criterion only, on its own words (bot.checker.followups)."""
    pending = _check_state(turn)
    if pending is None:
        turn.set_mode(BASE)  # nothing left to answer: out of the mode, so the next message is read afresh
        return [turn.reply("initiatives.gone_text")]
    if interview_data().control(answer) == "skip" or not pending.get("question"):
        return [_save_offer(turn, pending, "initiatives.followups_stopped")]
    text, initiative, answered, before = _loaded(turn, pending)
    question = FollowUp.model_validate(pending["question"])
    merged, answered, card = followups.answer_one(
        turn.providers.checker, text, initiative, answered, before, question, answer
    )
    changed = changes(turn, statuses(before), card)
    verdict = turn.t("initiatives.verdict", verdict=verdict_label(turn, card.verdict.value))
    pending |= {
        "initiative": merged.model_dump(mode="json"),
        "answered": [a.to_json() for a in answered],
        "card": card.model_dump(mode="json"),
    }
    return [Reply(text=f"{changed}\n{verdict}"), *_next_question(turn, pending, card)]


def on_check_choice(turn: Turn, callback: Callback) -> list[Reply]:
    """Skip the follow-ups, or save or discard the checked initiative."""
    action = callback.word
    plan = facilitator_plan(turn, "check")
    pending = _check_state(turn)
    if action == "skip" and pending is not None:
        return [_save_offer(turn, pending, "initiatives.followups_stopped")]
    turn.set_mode(BASE)
    if action == "drop":
        return [turn.reply("initiatives.discarded")]
    if action != "save" or pending is None:
        raise turn.fail("initiatives.gone_text")
    text, initiative, answered, card = _loaded(turn, pending)
    body = initiative.model_dump(mode="json")
    if answered:
        body[FOLLOW_UPS] = [a.to_json() for a in answered]
    row = InitiativeRow(
        plan_id=plan.id,
        title=initiative.title,
        text=followups.checked_text(text, answered),  # what was checked: the typed text and each answer
        body=body,  # the answers in their fields, and the questions they answered
        origin="check",
        status="proposed",
        verdict=card.verdict.value,
        scorecard=card.to_contract_json(),  # as the answers settled it, criterion by criterion
        answers=[],
        created_by=turn.person.id,
        created_at=turn.now,
        updated_at=turn.now,
    )
    turn.session.add(row)
    return [turn.reply("initiatives.saved", title=row.title, verdict=verdict_label(turn, row.verdict))]


# ---- /propose --------------------------------------------------------------------------------------------


def cmd_propose(turn: Turn) -> list[Reply]:
    plan = facilitator_plan(turn, "propose")
    turn.set_mode(BASE)
    material = material_for(turn.session, plan.id, turn.providers.plan_themes())
    if not material.inputs:
        return [turn.reply("initiatives.propose_empty")]
    offline = turn.providers.proposer
    drafter = turn.providers.drafter
    if drafter is None:
        proposals = offline.propose(material)
    else:
        with llm_scope(plan=plan.id):
            proposals = drafter.propose(material, offline)  # the offline proposals whenever it cannot
    store_proposals(turn.session, plan.id, proposals, created_by=turn.person.id, now=turn.now)
    if not proposals:
        return [turn.reply("initiatives.propose_none")]
    rubric = load_rubric()
    none = turn.t("initiatives.none")
    lines = [turn.t("initiatives.propose_header", count=len(proposals), plan=plan.name)]
    for n, proposal in enumerate(proposals, start=1):
        lines.append(
            turn.t(
                "initiatives.propose_line",
                n=n,
                title=proposal.title,
                verdict=verdict_label(turn, proposal.verdict.value),
                qualities=", ".join(rubric.criterion(q).label for q in proposal.qualities) or none,
                answers=len(proposal.answers),
                people=turn.t("proposals.people", count=proposal.people),
                actors="; ".join(proposal.actors) or none,
            )
        )
        if proposal.credit is not None:  # it restates the stakeholders' own idea: say whose
            lines.append(turn.t("initiatives.propose_credit", note=proposal.credit.note))
        if proposal.to_settle:  # what the inputs leave open, for the meeting
            lines.append(turn.t("initiatives.propose_settle"))
            lines += [turn.t("initiatives.propose_settle_line", question=q) for q in proposal.to_settle]
    lines.append(turn.t("initiatives.propose_footer"))
    return [Reply(text="\n".join(lines))]
