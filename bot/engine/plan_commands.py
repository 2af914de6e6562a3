"""The plan commands: /start, /plans, /switch, /cancel, /forgetme, /language, /newplan, and the facilitators'
/invite, /roles and /vision."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.engine import inputs as inputs_mod
from bot.engine import invites, language, plans
from bot.engine.callbacks import Action, Callback, build
from bot.engine.conversation import prompt, resume
from bot.engine.models import Choice, Reply
from bot.engine.reminders import format_date
from bot.engine.states import Mode, Stage
from bot.engine.turn import BASE, Turn
from bot.storage.models import Plan
from bot.storage.plan_models import PlanSettings

MAX_VISION_CHARS = 2000
MAX_ROLES = 12
ROLE_KEY = re.compile(r"[^a-z0-9]+")
INVITE_LIMIT = re.compile(r"^(days|uses)\s+(\d{1,4})$")


def _active_plan(turn: Turn) -> Plan:
    plan = turn.plan()
    assert plan is not None  # facilitator commands are checked for an active plan first
    return plan


# ---- everyone ------------------------------------------------------------------------------------------


def cmd_start(turn: Turn) -> list[Reply]:
    code = turn.incoming.args.strip()
    if code:
        return resume(turn, plans.join(turn, code))
    turn.set_mode(BASE)
    return prompt(turn)


def cmd_plans(turn: Turn) -> list[Reply]:
    rows = plans.memberships(turn)
    if not rows:
        return [turn.reply("engine.no_plan")]
    lines = [turn.t("engine.plans_header")]
    for membership, plan in rows:
        lines.append(
            turn.t(
                "engine.plans_line",
                marker="*" if plan.id == turn.state.active_plan_id else "-",
                id=plan.id,
                plan=plan.name,
                value_chain=plan.value_chain,
                region=plan.region,
                role=turn.t(f"engine.role_names.{membership.role}"),
            )
        )
    return [Reply(text="\n".join(lines))]


def cmd_switch(turn: Turn) -> list[Reply]:
    rows = plans.memberships(turn)
    if not rows:
        return [turn.reply("engine.no_plan")]
    wanted = turn.incoming.args.strip()
    if wanted:
        if not wanted.isdigit() or int(wanted) not in {p.id for _, p in rows}:
            raise turn.fail("engine.switch_unknown", id=wanted[:20])
        return switch_to(turn, int(wanted))
    choices = [Choice(label=f"{p.id}. {p.name}"[:60], data=build(Action.SWITCH, p.id)) for _, p in rows]
    return [Reply(text=turn.t("engine.switch_ask"), choices=choices)]


def on_switch(turn: Turn, callback: Callback) -> list[Reply]:
    return switch_to(turn, callback.ref)


def switch_to(turn: Turn, plan_id: int) -> list[Reply]:
    membership = turn.membership(plan_id)
    if membership is None:
        raise turn.fail("engine.stale_choice")
    turn.state.active_plan_id = plan_id
    turn.set_mode(BASE)
    language.speak(turn)  # another plan may have another default language
    plan = turn.plan()
    assert plan is not None
    return resume(turn, [turn.reply("engine.switched", plan=plan.name)])


def cmd_cancel(turn: Turn) -> list[Reply]:
    if turn.state.state == BASE:
        return resume(turn, [turn.reply("engine.nothing_to_cancel")])
    turn.set_mode(BASE)
    return resume(turn, [turn.reply("engine.cancelled")])


def cmd_forgetme(turn: Turn) -> list[Reply]:
    choices = [
        Choice(label=turn.t("engine.forget_yes"), data=build(Action.FORGET, "yes")),
        Choice(label=turn.t("engine.forget_no"), data=build(Action.FORGET, "no")),
    ]
    return [Reply(text=turn.t("engine.forget_confirm"), choices=choices)]


def on_forget(turn: Turn, callback: Callback) -> list[Reply]:
    if callback.word == "yes":
        plans.forget_person(turn)
        return [turn.reply("engine.forgotten")]
    return resume(turn, [turn.reply("engine.forget_kept")])


def _after_language(turn: Turn, replies: list[Reply]) -> list[Reply]:
    """After a language pick, what the person was doing (the consent, their question) again, in that language."""
    if plans.stage(turn.membership()) in (Stage.NO_PLAN, Stage.FACILITATOR, Stage.DONE):
        return replies
    return resume(turn, replies)


def cmd_language(turn: Turn) -> list[Reply]:
    """/language shows the three buttons; /language sw (or Kiswahili) picks at once."""
    wanted = turn.incoming.args.strip()
    picked = language.parse(wanted) if wanted else None
    if picked is None:
        return [language.ask(turn, given=wanted)]
    return _after_language(turn, language.choose(turn, picked))


def on_language(turn: Turn, callback: Callback) -> list[Reply]:
    return _after_language(turn, language.choose(turn, callback.word))


def on_plan_language(turn: Turn, callback: Callback) -> list[Reply]:
    return language.set_plan_default(turn, callback.word)


# ---- /newplan ------------------------------------------------------------------------------------------


def cmd_newplan(turn: Turn) -> list[Reply]:
    name = turn.incoming.args.strip()
    if not name:
        turn.set_mode(Mode.NEWPLAN_NAME)
        return [turn.reply("engine.newplan_ask_name")]
    _check_field(turn, name)
    turn.set_mode(Mode.NEWPLAN_CHAIN, name=name)
    return [turn.reply("engine.newplan_ask_chain")]


def _check_field(turn: Turn, value: str) -> None:
    if not value.strip():
        raise turn.fail("engine.newplan_field_empty")
    if len(value) > plans.MAX_FIELD_CHARS:
        raise turn.fail("engine.newplan_field_too_long", limit=plans.MAX_FIELD_CHARS)


def on_newplan_text(turn: Turn, text: str) -> list[Reply]:
    """The plan's name, then its value chain, then its region (Mode.NEWPLAN_*)."""
    value = " ".join(text.split())
    _check_field(turn, value)
    mode, pending = turn.state.state, dict(turn.state.pending)
    if mode == Mode.NEWPLAN_NAME:
        turn.set_mode(Mode.NEWPLAN_CHAIN, name=value)
        return [turn.reply("engine.newplan_ask_chain")]
    if mode == Mode.NEWPLAN_CHAIN:
        turn.set_mode(Mode.NEWPLAN_REGION, name=pending["name"], value_chain=value)
        return [turn.reply("engine.newplan_ask_region")]
    plan = plans.create_plan(turn, pending["name"], pending["value_chain"], value)
    turn.set_mode(BASE)
    created = turn.reply("engine.plan_created", plan=plan.name, value_chain=plan.value_chain, region=plan.region)
    return [created, invite_reply(turn, plan)]


# ---- facilitators: /invite, /roles, /vision ------------------------------------------------------------


def invite_reply(turn: Turn, plan: Plan) -> Reply:
    codes = invites.active_invites(turn.session, plan.id, turn.now)
    link = turn.incoming.invite_link
    if link:
        return turn.reply(
            "engine.invite_links",
            plan=plan.name,
            stakeholder=link.format(code=codes["stakeholder"].code),
            facilitator=link.format(code=codes["facilitator"].code),
        )
    return turn.reply(
        "engine.invites",
        plan=plan.name,
        stakeholder=codes["stakeholder"].code,
        facilitator=codes["facilitator"].code,
    )


def cmd_invite(turn: Turn) -> list[Reply]:
    """/invite shows the codes; /invite revoke makes new ones; /invite days N uses M makes new, limited ones."""
    plan = _active_plan(turn)
    args = " ".join(turn.incoming.args.split()).casefold()
    if not args:
        return [invite_reply(turn, plan)]
    if args == "revoke":
        invites.revoke_all(turn.session, plan.id, turn.now)
        return [turn.reply("engine.invites_revoked"), invite_reply(turn, plan)]
    limits: dict[str, int] = {}
    words = args.split()
    for pair in (" ".join(words[i : i + 2]) for i in range(0, len(words), 2)):
        found = INVITE_LIMIT.match(pair)
        if found is None or int(found.group(2)) == 0:
            raise turn.fail("engine.invite_usage")
        limits[found.group(1)] = int(found.group(2))
    invites.revoke_all(turn.session, plan.id, turn.now)
    expires = turn.now + timedelta(days=limits["days"]) if "days" in limits else None
    for role in invites.ROLES:
        invites.create_invite(turn.session, plan.id, role, turn.now, expires_at=expires, max_uses=limits.get("uses"))
    limit_text = turn.t(
        "engine.invite_limits",
        expires=format_date(expires) if expires else turn.t("engine.invite_no_expiry"),
        uses=limits.get("uses", turn.t("engine.invite_no_use_limit")),
    )
    return [turn.reply("engine.invites_revoked"), invite_reply(turn, plan), Reply(text=limit_text)]


def cmd_roles(turn: Turn) -> list[Reply]:
    """/roles shows the roles offered to stakeholders when they join; /roles A, B, C sets this plan's list."""
    plan = _active_plan(turn)
    raw = [part.strip() for part in re.split(r"[;,\n]", turn.incoming.args) if part.strip()]
    if raw:
        keys: list[str] = []
        for part in raw:
            key = ROLE_KEY.sub("_", part.casefold()).strip("_")[:40]
            if not key or not key.isascii():
                raise turn.fail("engine.roles_bad", role=inputs_mod.shorten(part, 40))
            if key not in keys:
                keys.append(key)
        if "other" not in keys:
            keys.append("other")
        if len(keys) > MAX_ROLES + 1:
            raise turn.fail("engine.roles_too_many", limit=MAX_ROLES)
        PlanSettings.of(turn.session, plan.id).actor_types = keys
        turn.session.flush()
    names = ", ".join(plans.actor_label(turn, key) for key in plans.actor_types(turn, plan.id))
    return [turn.reply("engine.roles_saved" if raw else "engine.roles_now", plan=plan.name, roles=names)]


def cmd_vision(turn: Turn) -> list[Reply]:
    vision = " ".join(turn.incoming.args.split())
    if not vision:
        raise turn.fail("engine.vision_usage")
    if len(vision) > MAX_VISION_CHARS:
        raise turn.fail("engine.newplan_field_too_long", limit=MAX_VISION_CHARS)
    _active_plan(turn).vision = vision
    return [turn.reply("engine.vision_set", vision=vision)]
