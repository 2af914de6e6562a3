"""Plans and membership: creating a plan, joining with a code, consent, the profile, switching plans."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.engine import invites, language
from bot.engine.callbacks import Action, build
from bot.engine.models import Choice, Reply
from bot.engine.states import Stage
from bot.engine.topics import interview_data
from bot.engine.turn import BASE, Turn
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PlanSettings, ProcessedMessage, StoredInput
from bot.storage.workshop_models import InitiativeRow, ReminderSent, VoteRow

DRAFTED_ORIGINS = ("proposal", "idea")  # made from inputs; "check" and "import" are a facilitator's own

MAX_FIELD_CHARS = 200


def create_plan(turn: Turn, name: str, value_chain: str, region: str) -> Plan:
    """The creator becomes its first facilitator (creating the plan is their consent)."""
    plan = Plan(name=name, value_chain=value_chain, region=region, created_at=turn.now)
    turn.session.add(plan)
    turn.session.flush()
    turn.session.add(
        Membership(
            person_id=turn.person.id,
            plan_id=plan.id,
            role="facilitator",
            consented_at=turn.now,
            joined_at=turn.now,
            topic_index=0,
            followup_pending=False,
        )
    )
    turn.session.flush()
    turn.state.active_plan_id = plan.id
    return plan


def actor_types(turn: Turn, plan_id: int) -> list[str]:
    settings = turn.session.get(PlanSettings, plan_id)
    if settings is not None and settings.actor_types:
        return list(settings.actor_types)
    return interview_data().actor_types


def memberships(turn: Turn) -> list[tuple[Membership, Plan]]:
    rows = turn.session.execute(
        select(Membership, Plan)
        .join(Plan, Plan.id == Membership.plan_id)
        .where(Membership.person_id == turn.person.id, Membership.role != "notes")
        .order_by(Plan.id)
    )
    return [(m, p) for m, p in rows]


def stage(membership: Membership | None) -> Stage:
    """Where a person stands in a plan; derived from the membership row so it always resumes."""
    if membership is None:
        return Stage.NO_PLAN
    if membership.consented_at is None:
        return Stage.CONSENT
    if membership.role == "facilitator":
        return Stage.FACILITATOR
    if membership.actor_type is None:
        return Stage.PROFILE_ROLE
    if membership.size is None:
        return Stage.PROFILE_SIZE
    if membership.organisation is None:
        return Stage.PROFILE_ORG
    if membership.interview_done_at is None:
        return Stage.INTERVIEW
    return Stage.DONE


def join(turn: Turn, code: str) -> list[Reply]:
    invite = invites.resolve(turn.session, code, turn.now)
    if invite is None:
        raise turn.fail("engine.bad_invite")
    plan = turn.session.get(Plan, invite.plan_id)
    assert plan is not None  # the invite's foreign key cascades with the plan
    existing = turn.membership(plan.id)
    turn.state.active_plan_id = plan.id
    turn.set_mode(BASE)
    language.speak(turn)  # the plan's default language, unless the person has their own
    if existing is not None:
        return [Reply(text=turn.t("engine.already_member", plan=plan.name))]
    invite.uses += 1
    turn.session.add(
        Membership(
            person_id=turn.person.id,
            plan_id=plan.id,
            role=invite.role,
            joined_at=turn.now,
            topic_index=0,
            followup_pending=False,
        )
    )
    turn.session.flush()
    return []


def consent_prompt(turn: Turn, plan: Plan, full: bool = False) -> Reply:
    """The short consent text with a "Tell me more" button; `full`: the whole of what is kept and who sees it.
    Someone who has not picked a language yet also gets the three language buttons (English, Kiswahili,
    Français) after the answers: joining is where they choose; answering without one keeps the default."""
    choices = [
        Choice(label=turn.t("engine.consent_agree"), data=build(Action.CONSENT, "yes")),
        Choice(label=turn.t("engine.consent_agree_named"), data=build(Action.CONSENT, "named")),
        Choice(label=turn.t("engine.consent_decline"), data=build(Action.CONSENT, "no")),
    ]
    if turn.person.chosen_language is None:
        choices += language.choices(turn)
    if not full:
        choices.append(Choice(label=turn.t("engine.consent_more"), data=build(Action.CONSENT, "more")))
    key = "engine.consent_full" if full else "engine.consent"
    return Reply(
        text=turn.t(key, plan=plan.name, value_chain=plan.value_chain, region=plan.region),
        choices=choices,
    )


def role_prompt(turn: Turn, plan_id: int) -> Reply:
    choices = [
        Choice(label=_label(turn, "engine.actor_types", key), data=build(Action.ROLE, key))
        for key in actor_types(turn, plan_id)
    ]
    return Reply(text=turn.t("engine.ask_role"), choices=choices)


def size_prompt(turn: Turn) -> Reply:
    choices = [
        Choice(label=turn.t(f"engine.sizes.{key}"), data=build(Action.SIZE, key)) for key in interview_data().sizes
    ]
    return Reply(text=turn.t("engine.ask_size"), choices=choices)


def org_prompt(turn: Turn) -> Reply:
    return Reply(
        text=turn.t("engine.ask_org"), choices=[Choice(label=turn.t("engine.org_skip"), data=build(Action.ORG, "skip"))]
    )


def typed_role(turn: Turn, plan_id: int, text: str) -> str | None:
    """The plan's role a typed answer names ("farmer", "I am a trader", a plan's own role), if exactly one."""
    roles = {key: actor_label(turn, key) for key in actor_types(turn, plan_id)}
    return interview_data().role_for(text, roles)


def _label(turn: Turn, section: str, key: str) -> str:
    try:
        return turn.t(f"{section}.{key}")
    except KeyError:
        return key.replace("_", " ").capitalize()


def actor_label(turn: Turn, key: str | None) -> str:
    return _label(turn, "engine.actor_types", key or "other")


def on_consent(turn: Turn, agree: bool, named: bool = False) -> list[Reply]:
    membership = turn.membership()
    plan = turn.plan()
    if membership is None or plan is None or membership.consented_at is not None:
        raise turn.fail("engine.stale_choice")
    if agree:
        membership.consented_at = turn.now
        membership.may_be_named = named
        if membership.role == "facilitator":
            return [Reply(text=turn.t("engine.cofacilitator_ready", plan=plan.name))]
        return []
    turn.session.delete(membership)
    turn.session.flush()
    others = memberships(turn)
    if others:
        turn.state.active_plan_id = others[0][1].id
        return [Reply(text=turn.t("engine.declined"))]
    forget_person(turn)
    return [Reply(text=turn.t("engine.declined"))]


def on_profile_choice(turn: Turn, field: str, value: str) -> list[Reply]:
    membership = turn.membership()
    if membership is None:
        raise turn.fail("engine.stale_choice")
    current = stage(membership)
    if field == "role" and current == Stage.PROFILE_ROLE and value in actor_types(turn, membership.plan_id):
        membership.actor_type = value
    elif field == "size" and current == Stage.PROFILE_SIZE and value in interview_data().sizes:
        membership.size = value
    elif field == "org" and current == Stage.PROFILE_ORG and value == "skip":
        membership.organisation = ""
    else:
        raise turn.fail("engine.stale_choice")
    return []


def on_org_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    membership.organisation = text.strip()[:MAX_FIELD_CHARS]
    return []


def forget_person(turn: Turn) -> None:
    """Deletes the person's profile, memberships, inputs, votes, reminders and conversation state in every plan."""
    session = turn.session
    person_id = turn.person.id
    session.flush()
    _forget_drafts_from(session, person_id)
    session.execute(delete(StoredInput).where(StoredInput.person_id == person_id))
    session.execute(delete(ProcessedMessage).where(ProcessedMessage.person_id == person_id))
    session.execute(delete(Membership).where(Membership.person_id == person_id))
    session.execute(delete(VoteRow).where(VoteRow.voter_key == turn.person.key))
    session.execute(delete(ReminderSent).where(ReminderSent.person_id == person_id))
    session.delete(turn.state)
    session.flush()
    session.delete(turn.person)
    session.flush()
    turn.forgotten = True


def _forget_drafts_from(session, person_id: int) -> None:
    """Drafted initiatives quote the inputs they answer: those drawn from the person's words go with them."""
    own = set(session.scalars(select(StoredInput.id).where(StoredInput.person_id == person_id)))
    if not own:
        return
    plans = select(StoredInput.plan_id).where(StoredInput.person_id == person_id).distinct()
    drafted = session.scalars(
        select(InitiativeRow).where(InitiativeRow.plan_id.in_(plans), InitiativeRow.origin.in_(DRAFTED_ORIGINS))
    )
    gone = [row.id for row in drafted if row.source_input_id in own or own & set(row.answers or [])]
    if gone:
        session.execute(delete(InitiativeRow).where(InitiativeRow.id.in_(gone)))
