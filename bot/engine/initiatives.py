"""The facilitators' initiatives workflow: /check with follow-ups, /propose, /initiatives, stakeholders' views.

Every choice is checked against SQL: the initiative must belong to the facilitator's active plan, and a view
can be given only by the person it was asked of (an `InitiativeView` row in "pending").
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from bot.checker import followups
from bot.checker.judge import Checker
from bot.checker.models import FollowUp, Initiative, Scorecard
from bot.checker.offline import OfflineChecker
from bot.checker.rubric import load_rubric
from bot.domain import InputKind, Verdict
from bot.engine import inputs as inputs_mod
from bot.engine.models import Choice, Reply
from bot.engine.topics import interview_data
from bot.engine.turn import BASE, Turn
from bot.export.convert import phrase
from bot.export.service import FOLLOW_UPS
from bot.proposals import OfflineProposer, material_for, plan_check_for, store_proposals
from bot.proposals.store import scorecard_of
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, StoredInput
from bot.storage.workshop_models import InitiativeRow, InitiativeView
from bot.usage import llm_scope

PREFIXES = frozenset({"in", "ina", "inr", "ine", "ins", "inv", "inp", "inpi", "ck", "vw"})
MODES = frozenset({"ck_followup", "in_edit"})
SELF_VALIDATED = ("vw",)  # a view is offered in another person's turn; its InitiativeView row validates it
STANCES = ("support", "concern", "neutral")
MAX_LISTED = 20
TITLE_CHARS = 80


# ---- shared helpers --------------------------------------------------------------------------------------


def checker_for(turn: Turn) -> Checker:
    """The providers' checker; built once per engine from its embeddings when the engine was given none."""
    if turn.providers.checker is None:
        turn.providers.checker = OfflineChecker(turn.providers.embeddings)
    return turn.providers.checker


def _facilitator_plan(turn: Turn, command: str = "initiatives") -> Plan:
    """The active plan, when the person is one of its consented facilitators (choices skip the command check)."""
    membership = turn.membership()
    plan = turn.plan()
    if membership is None or plan is None:
        raise turn.fail("engine.no_plan")
    if membership.role != "facilitator" or membership.consented_at is None:
        raise turn.fail("engine.facilitator_only", command=command)
    return plan


def _initiative(turn: Turn, plan: Plan, raw_id: str) -> InitiativeRow:
    row = turn.session.get(InitiativeRow, int(raw_id)) if raw_id.isdigit() else None
    if row is None or row.plan_id != plan.id:
        raise turn.fail("initiatives.gone")
    return row


def _verdict(turn: Turn, verdict: str | None) -> str:
    return turn.t(f"checker.verdicts.{verdict}") if verdict else "-"


def render_scorecard(turn: Turn, card: Scorecard) -> str:
    """Each criterion with its status, evidence and guidance quote, then the verdict."""
    rubric = load_rubric()
    lines = [turn.t("initiatives.scorecard_header")]
    for result in card.criteria:
        lines.append(
            turn.t(
                "initiatives.criterion_line",
                label=rubric.criterion(result.id).label,
                status=turn.t(f"checker.statuses.{result.status.value}"),
            )
        )
        if result.evidence:
            lines.append(turn.t("initiatives.evidence_line", evidence=result.evidence))
        lines.append(turn.t("initiatives.guidance_line", quote=" ".join(result.citation.quote.split())))
    lines.append(turn.t("initiatives.verdict", verdict=_verdict(turn, card.verdict.value)))
    return "\n".join(lines)


def _changes(turn: Turn, before: dict[str, str], after: Scorecard) -> str:
    rubric = load_rubric()
    lines = [
        turn.t(
            "initiatives.change_line",
            label=rubric.criterion(result.id).label,
            before=turn.t(f"checker.statuses.{before[result.id.value]}"),
            after=turn.t(f"checker.statuses.{result.status.value}"),
        )
        for result in after.criteria
        if before.get(result.id.value, result.status.value) != result.status.value
    ]
    if not lines:
        return turn.t("initiatives.nothing_changed")
    return "\n".join([turn.t("initiatives.changed_header"), *lines])


def _statuses(card: Scorecard) -> dict[str, str]:
    return {result.id.value: result.status.value for result in card.criteria}


def _title(text: str) -> str:
    """A whole phrase of the first line (its first clause when long), never cut inside a word or with "…"."""
    first = next((line for line in text.splitlines() if line.strip()), text)
    return phrase(first, TITLE_CHARS)[:300]


# ---- /check with follow-up questions ---------------------------------------------------------------------
# The pending state of a check: the typed text, the structured initiative the answers were merged into, the
# answers given, the scorecard as the answers settled it, the criteria asked and the question now open.


def _check_state(turn: Turn) -> dict[str, Any] | None:
    if turn.state.state not in ("ck_followup", "ck_done"):
        return None
    pending = dict(turn.state.pending)
    return pending if str(pending.get("text", "")).strip() else None


def _loaded(turn: Turn, pending: dict[str, Any]) -> tuple[str, Initiative, list[followups.Answered], Scorecard]:
    """The check in progress; a check begun before answers were merged (no scorecard kept) is checked again."""
    text = str(pending["text"])
    initiative = Initiative.model_validate(pending.get("initiative") or {"title": _title(text), "description": text})
    answered = [followups.Answered.model_validate(a) for a in pending.get("answered", [])]
    kept = pending.get("card")
    card = Scorecard.model_validate(kept) if kept else checker_for(turn).check(text)
    return text, initiative, answered, card


def cmd_check(turn: Turn) -> list[Reply]:
    text = turn.incoming.args.strip()
    if not text:
        raise turn.fail("initiatives.check_usage")
    card = checker_for(turn).check(text)
    pending = {
        "text": text,
        "initiative": Initiative(title=_title(text), description=text).model_dump(mode="json"),
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
    turn.set_mode("ck_followup", **(pending | {"asked": asked, "question": question.model_dump(mode="json")}))
    total = len(asked) + len(open_questions) - 1
    reply = turn.t(
        "initiatives.followup",
        n=len(asked),
        total=total,
        label=load_rubric().criterion(question.criterion).label,
        question=question.question,
    )
    return [Reply(text=reply, choices=[Choice(label=turn.t("initiatives.skip"), data="ck:skip")])]


def _save_offer(turn: Turn, pending: dict[str, Any], key: str) -> Reply:
    turn.set_mode("ck_done", **{k: v for k, v in pending.items() if k != "question"})
    choices = [
        Choice(label=turn.t("initiatives.save"), data="ck:save"),
        Choice(label=turn.t("initiatives.discard"), data="ck:drop"),
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
        checker_for(turn), text, initiative, answered, before, question, answer
    )
    changed = _changes(turn, _statuses(before), card)
    verdict = turn.t("initiatives.verdict", verdict=_verdict(turn, card.verdict.value))
    pending |= {
        "initiative": merged.model_dump(mode="json"),
        "answered": [a.to_json() for a in answered],
        "card": card.model_dump(mode="json"),
    }
    return [Reply(text=f"{changed}\n{verdict}"), *_next_question(turn, pending, card)]


def _on_check_choice(turn: Turn, action: str) -> list[Reply]:
    plan = _facilitator_plan(turn, "check")
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
    return [turn.reply("initiatives.saved", title=row.title, verdict=_verdict(turn, row.verdict))]


# ---- /propose --------------------------------------------------------------------------------------------


def cmd_propose(turn: Turn) -> list[Reply]:
    plan = _facilitator_plan(turn, "propose")
    turn.set_mode(BASE)
    embeddings = turn.providers.embeddings
    material = material_for(turn.session, plan.id, turn.providers.plan_themes())
    if not material.inputs:
        return [turn.reply("initiatives.propose_empty")]
    offline = OfflineProposer(checker_for(turn), embeddings)
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
                verdict=_verdict(turn, proposal.verdict.value),
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


# ---- /initiatives ----------------------------------------------------------------------------------------


def _views(turn: Turn, initiative_ids: list[int]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    if not initiative_ids:
        return counts
    for view in turn.session.scalars(select(InitiativeView).where(InitiativeView.initiative_id.in_(initiative_ids))):
        counts.setdefault(view.initiative_id, Counter())[view.stance] += 1
    return counts


def cmd_initiatives(turn: Turn) -> list[Reply]:
    plan = _facilitator_plan(turn)
    turn.set_mode(BASE)
    rows = list(
        turn.session.scalars(select(InitiativeRow).where(InitiativeRow.plan_id == plan.id).order_by(InitiativeRow.id))
    )
    order = {"accepted": 0, "proposed": 1, "rejected": 2}
    rows.sort(key=lambda r: (order.get(r.status, 3), r.id))
    lines = [turn.t("initiatives.list_header", plan=plan.name)] if rows else [turn.t("initiatives.list_empty")]
    views = _views(turn, [row.id for row in rows])
    choices = []
    for n, row in enumerate(rows, start=1):
        counts = views.get(row.id)
        lines.append(
            turn.t(
                "initiatives.list_line",
                n=n,
                title=row.title,
                verdict=_verdict(turn, row.verdict),
                status=turn.t(f"initiatives.statuses.{row.status}"),
                views=turn.t("initiatives.views_counts", **{s: counts.get(s, 0) for s in (*STANCES, "pending")})
                if counts
                else "",
            )
        )
        if n <= MAX_LISTED:
            choices.append(Choice(label=f"{n}. {inputs_mod.shorten(row.title, 40)}", data=f"in:{row.id}"))
    if rows:
        lines.append(turn.t("initiatives.list_pick"))
    choices.append(Choice(label=turn.t("initiatives.promote_button"), data="inp"))
    check = plan_check_for(
        turn.session, plan.id, checker_for(turn), turn.providers.embeddings, cluster=turn.providers.cluster
    )
    lines.append("")
    lines.append(
        turn.t("initiatives.plan_check_header", passed=sum(i.passed for i in check.checks), total=len(check.checks))
    )
    for item in check.checks:
        key = "initiatives.plan_check_pass" if item.passed else "initiatives.plan_check_fail"
        lines.append(turn.t(key, explanation=item.explanation))
    return [Reply(text="\n".join(lines), choices=choices)]


def _item_menu(turn: Turn, row: InitiativeRow) -> Reply:
    text = turn.t(
        "initiatives.item",
        title=row.title,
        text=row.text,
        verdict=_verdict(turn, row.verdict),
        status=turn.t(f"initiatives.statuses.{row.status}"),
    )
    actions = (("ina", "accept"), ("inr", "reject"), ("ine", "edit"), ("ins", "scorecard"), ("inv", "views"))
    choices = [Choice(label=turn.t(f"initiatives.{name}_button"), data=f"{p}:{row.id}") for p, name in actions]
    return Reply(text=text, choices=choices)


def _recheck(turn: Turn, row: InitiativeRow) -> Scorecard:
    card = checker_for(turn).check(row.text or row.title)
    row.scorecard = card.to_contract_json()
    row.verdict = card.verdict.value
    row.updated_at = turn.now
    return card


def on_edit_text(turn: Turn, text: str) -> list[Reply]:
    plan = _facilitator_plan(turn)
    row = _initiative(turn, plan, str(turn.state.pending.get("initiative_id", "")))
    before = _statuses(scorecard_of(row, checker_for(turn)))
    row.text = text.strip()
    row.title = _title(row.text) if row.origin in ("check", "idea") else row.title
    # the new text replaces the old one whole: its fields and follow-up answers go with it (a credit stays)
    credit = (row.body or {}).get("credit")
    row.body = Initiative(title=row.title or _title(row.text), description=row.text).model_dump(mode="json")
    if credit:
        row.body["credit"] = credit
    card = _recheck(turn, row)
    turn.set_mode(BASE)
    return [
        turn.reply("initiatives.edited", title=row.title),
        Reply(text=f"{render_scorecard(turn, card)}\n{_changes(turn, before, card)}"),
    ]


def _ask_views(turn: Turn, plan: Plan, row: InitiativeRow) -> list[Reply]:
    people = list(
        turn.session.execute(
            select(Membership, PersonRow)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(
                Membership.plan_id == plan.id,
                Membership.role == "stakeholder",
                Membership.consented_at.is_not(None),
            )
            .order_by(PersonRow.id)
        )
    )
    if not people:
        return [turn.reply("initiatives.views_none")]
    existing = {
        view.person_id: view
        for view in turn.session.scalars(select(InitiativeView).where(InitiativeView.initiative_id == row.id))
    }
    asks: list[Reply] = []
    for _, person in people:
        view = existing.get(person.id)
        if view is None:
            view = InitiativeView(initiative_id=row.id, person_id=person.id, stance="pending", created_at=turn.now)
            turn.session.add(view)
            turn.session.flush()
        else:
            view.stance = "pending"
        text = turn.t("initiatives.view_ask", plan=plan.name, title=row.title, text=row.text)
        choices = [Choice(label=turn.t(f"initiatives.view_{s}"), data=f"vw:{view.id}:{s}") for s in STANCES]
        asks.append(Reply(to=person.key, text=text, choices=choices))
    return [turn.reply("initiatives.views_asked", count=len(asks), title=row.title), *asks]


def _on_view(turn: Turn, rest: str) -> list[Reply]:
    """A stakeholder's answer: valid only from the person it was asked of, while it is still pending."""
    raw_id, _, stance = rest.partition(":")
    view = turn.session.get(InitiativeView, int(raw_id)) if raw_id.isdigit() else None
    if view is None or view.person_id != turn.person.id or view.stance != "pending" or stance not in STANCES:
        raise turn.fail("initiatives.view_gone")
    row = turn.session.get(InitiativeRow, view.initiative_id)
    member = (
        turn.session.scalar(
            select(Membership).where(Membership.person_id == turn.person.id, Membership.plan_id == row.plan_id)
        )
        if row is not None
        else None
    )
    if member is None:
        raise turn.fail("initiatives.view_gone")
    view.stance = stance
    return [turn.reply("initiatives.view_saved", stance=turn.t(f"initiatives.stances.{stance}"))]


def _ideas(turn: Turn, plan: Plan) -> list[Reply]:
    rows = list(
        turn.session.scalars(
            select(StoredInput)
            .where(StoredInput.plan_id == plan.id, StoredInput.kind == InputKind.idea.value)
            .order_by(StoredInput.id)
        )
    )
    if not rows:
        return [turn.reply("initiatives.ideas_empty")]
    choices = [
        Choice(label=f"{n}. {inputs_mod.shorten(row.summary or row.text, 40)}", data=f"inpi:{row.id}")
        for n, row in enumerate(rows[:MAX_LISTED], start=1)
    ]
    lines = [turn.t("initiatives.ideas_header")] + [
        f"{n}. {row.text}" for n, row in enumerate(rows[:MAX_LISTED], start=1)
    ]
    return [Reply(text="\n".join(lines), choices=choices)]


def _promote(turn: Turn, plan: Plan, raw_id: str) -> list[Reply]:
    idea = turn.session.get(StoredInput, int(raw_id)) if raw_id.isdigit() else None
    if idea is None or idea.plan_id != plan.id or idea.kind != InputKind.idea.value:
        raise turn.fail("engine.stale_choice")
    row = InitiativeRow(
        plan_id=plan.id,
        title=_title(idea.text),
        text=idea.text,
        body={"title": _title(idea.text), "description": idea.text},
        origin="idea",
        status="proposed",
        answers=[idea.id],
        source_input_id=idea.id,
        created_by=turn.person.id,
        created_at=turn.now,
        updated_at=turn.now,
    )
    card = _recheck(turn, row)
    turn.session.add(row)
    turn.session.flush()
    return [
        turn.reply("initiatives.promoted", title=row.title, verdict=_verdict(turn, card.verdict.value)),
        Reply(text=render_scorecard(turn, card)),
        _item_menu(turn, row),
    ]


# ---- dispatch --------------------------------------------------------------------------------------------


def on_choice(turn: Turn, prefix: str, rest: str) -> list[Reply]:
    if prefix == "vw":
        return _on_view(turn, rest)
    if prefix == "ck":
        return _on_check_choice(turn, rest)
    plan = _facilitator_plan(turn)
    if prefix == "inp":
        return _ideas(turn, plan)
    if prefix == "inpi":
        return _promote(turn, plan, rest)
    row = _initiative(turn, plan, rest)
    if prefix == "in":
        return [_item_menu(turn, row)]
    if prefix == "ina":
        row.status, row.updated_at = "accepted", turn.now
        warn = row.verdict == Verdict.not_recommended.value
        return [turn.reply("initiatives.accepted_warning" if warn else "initiatives.accepted", title=row.title)]
    if prefix == "inr":
        row.status, row.updated_at = "rejected", turn.now
        return [turn.reply("initiatives.rejected", title=row.title)]
    if prefix == "ine":
        turn.set_mode("in_edit", initiative_id=row.id)
        return [turn.reply("initiatives.edit_ask", title=row.title)]
    if prefix == "ins":
        return [Reply(text=render_scorecard(turn, scorecard_of(row, checker_for(turn))))]
    if prefix == "inv":
        return _ask_views(turn, plan, row)
    raise turn.fail("engine.stale_choice")


def on_text(turn: Turn, text: str) -> list[Reply]:
    if turn.state.state == "ck_followup":
        return on_followup_answer(turn, text)
    return on_edit_text(turn, text)
