"""Routing of one message: commands (with role checks), tapped choices (validated), and text by state."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.domain import InputKind
from bot.engine import exports, groups, initiatives, interview, invites, language, plans
from bot.engine import inputs as inputs_mod
from bot.engine.models import Choice, Reply
from bot.engine.summary import summary
from bot.engine.topics import interview_data
from bot.engine.turn import BASE, Turn
from bot.storage.models import Plan
from bot.storage.plan_models import Membership, PersonRow, PlanSettings, StoredInput

Handler = Callable[[Turn], list[Reply]]

MAX_VISION_CHARS = 2000
MINE_PAGE = 10  # answers per /mine page; Next and Previous reach the others
MINE_LINE_CHARS = 300  # one answer's line in the listing (a page stays far under Telegram's 4096)
NOTES_PREFIX = re.compile(r"^\s*meeting\s+notes\b[^\n:]*:?", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Command:
    handler: Handler | None  # None: not available yet
    facilitator: bool = False


def _resume(turn: Turn, prefix: list[Reply] | None = None) -> list[Reply]:
    return (prefix or []) + prompt(turn)


def prompt(turn: Turn) -> list[Reply]:
    """What the person is expected to do now, with its choices; used to resume anywhere."""
    membership = turn.membership()
    stage = plans.stage(membership)
    plan = turn.plan()
    if stage == "no_plan" or plan is None or membership is None:
        return [turn.reply("engine.welcome")]
    if stage == "consent":
        return [plans.consent_prompt(turn, plan)]
    if stage == "facilitator":
        return [turn.reply("engine.facilitator_hint", plan=plan.name)]
    if stage == "profile_role":
        return [plans.role_prompt(turn, plan.id)]
    if stage == "profile_size":
        return [plans.size_prompt(turn)]
    if stage == "profile_org":
        return [plans.org_prompt(turn)]
    if stage == "interview":
        return [interview.question_reply(turn, membership)]
    return [turn.reply("interview.done")]


# ---- commands everyone may use -------------------------------------------------------------------------


def cmd_start(turn: Turn) -> list[Reply]:
    code = turn.incoming.args.strip()
    if code:
        return _resume(turn, plans.join(turn, code))
    turn.set_mode(BASE)
    return prompt(turn)


def _allowed(turn: Turn) -> list[str]:
    membership = turn.membership()
    facilitator = membership is not None and membership.role == "facilitator" and membership.consented_at
    return [name for name, cmd in COMMANDS.items() if facilitator or not cmd.facilitator]


def cmd_help(turn: Turn) -> list[Reply]:
    lines = [turn.t("engine.help_header")] + [turn.t(f"engine.help.{name}") for name in _allowed(turn)]
    return [Reply(text="\n".join(lines))]


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
        return _switch_to(turn, int(wanted))
    choices = [Choice(label=f"{p.id}. {p.name}"[:60], data=f"sw:{p.id}") for _, p in rows]
    return [Reply(text=turn.t("engine.switch_ask"), choices=choices)]


def _switch_to(turn: Turn, plan_id: int) -> list[Reply]:
    membership = turn.membership(plan_id)
    if membership is None:
        raise turn.fail("engine.stale_choice")
    turn.state.active_plan_id = plan_id
    turn.set_mode(BASE)
    language.speak(turn)  # another plan may have another default language
    plan = turn.plan()
    assert plan is not None
    return _resume(turn, [turn.reply("engine.switched", plan=plan.name)])


def cmd_cancel(turn: Turn) -> list[Reply]:
    if turn.state.state == BASE:
        return _resume(turn, [turn.reply("engine.nothing_to_cancel")])
    turn.set_mode(BASE)
    return _resume(turn, [turn.reply("engine.cancelled")])


def cmd_forgetme(turn: Turn) -> list[Reply]:
    choices = [
        Choice(label=turn.t("engine.forget_yes"), data="forget:yes"),
        Choice(label=turn.t("engine.forget_no"), data="forget:no"),
    ]
    return [Reply(text=turn.t("engine.forget_confirm"), choices=choices)]


def _after_language(turn: Turn, replies: list[Reply]) -> list[Reply]:
    """After a language pick, what the person was doing (the consent, their question) again, in that language."""
    if plans.stage(turn.membership()) in ("no_plan", "facilitator", "done"):
        return replies
    return _resume(turn, replies)


def cmd_language(turn: Turn) -> list[Reply]:
    """/language shows the three buttons; /language sw (or Kiswahili) picks at once."""
    wanted = turn.incoming.args.strip()
    picked = language.parse(wanted) if wanted else None
    if picked is None:
        return [language.ask(turn, given=wanted)]
    return _after_language(turn, language.choose(turn, picked))


def cmd_newplan(turn: Turn) -> list[Reply]:
    name = turn.incoming.args.strip()
    if not name:
        turn.set_mode("newplan_name")
        return [turn.reply("engine.newplan_ask_name")]
    _check_field(turn, name)
    turn.set_mode("newplan_chain", name=name)
    return [turn.reply("engine.newplan_ask_chain")]


def _check_field(turn: Turn, value: str) -> None:
    if not value.strip():
        raise turn.fail("engine.newplan_field_empty")
    if len(value) > plans.MAX_FIELD_CHARS:
        raise turn.fail("engine.newplan_field_too_long", limit=plans.MAX_FIELD_CHARS)


def on_newplan_text(turn: Turn, text: str) -> list[Reply]:
    value = " ".join(text.split())
    _check_field(turn, value)
    mode, pending = turn.state.state, dict(turn.state.pending)
    if mode == "newplan_name":
        turn.set_mode("newplan_chain", name=value)
        return [turn.reply("engine.newplan_ask_chain")]
    if mode == "newplan_chain":
        turn.set_mode("newplan_region", name=pending["name"], value_chain=value)
        return [turn.reply("engine.newplan_ask_region")]
    plan = plans.create_plan(turn, pending["name"], pending["value_chain"], value)
    turn.set_mode(BASE)
    created = turn.reply("engine.plan_created", plan=plan.name, value_chain=plan.value_chain, region=plan.region)
    return [created, _invite_reply(turn, plan)]


def cmd_mine(turn: Turn) -> list[Reply]:
    return mine_page(turn, 0)


def mine_page(turn: Turn, page: int) -> list[Reply]:
    """One page of the person's answers in the active plan, each a button; Next and Previous page through all."""
    plan = turn.plan()
    if plan is None or turn.membership() is None:
        return [turn.reply("engine.no_plan")]
    rows = inputs_mod.for_person(turn, plan.id)
    if not rows:
        return [turn.reply("engine.mine_empty")]
    pages = math.ceil(len(rows) / MINE_PAGE)
    page = min(max(page, 0), pages - 1)
    start = page * MINE_PAGE
    shown = list(enumerate(rows, start=1))[start : start + MINE_PAGE]
    lines = [turn.t("engine.mine_header", plan=plan.name)]
    if pages > 1:
        lines.append(turn.t("engine.mine_page", first=shown[0][0], last=shown[-1][0], total=len(rows)))
    for n, row in shown:
        text = inputs_mod.shorten(row.text, MINE_LINE_CHARS)
        lines.append(turn.t("engine.mine_line", n=n, kind=inputs_mod.kind_label(turn, row.kind), text=text))
    lines.append(turn.t("engine.mine_pick"))
    choices = [
        Choice(label=f"{n}. {inputs_mod.shorten(row.summary or row.text, 40)}", data=f"mine:{row.id}")
        for n, row in shown
    ]
    if page > 0:
        choices.append(Choice(label=turn.t("engine.mine_previous"), data=f"mp:{page - 1}"))
    if page < pages - 1:
        choices.append(Choice(label=turn.t("engine.mine_next"), data=f"mp:{page + 1}"))
    return [Reply(text="\n".join(lines), choices=choices)]


# ---- facilitator commands ------------------------------------------------------------------------------


def _active_plan(turn: Turn) -> Plan:
    plan = turn.plan()
    assert plan is not None  # facilitator commands are checked for an active plan first
    return plan


def _invite_reply(turn: Turn, plan: Plan) -> Reply:
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


INVITE_LIMIT = re.compile(r"^(days|uses)\s+(\d{1,4})$")


def cmd_invite(turn: Turn) -> list[Reply]:
    """/invite shows the codes; /invite revoke makes new ones; /invite days N uses M makes new, limited ones."""
    plan = _active_plan(turn)
    args = " ".join(turn.incoming.args.split()).casefold()
    if not args:
        return [_invite_reply(turn, plan)]
    if args == "revoke":
        invites.revoke_all(turn.session, plan.id, turn.now)
        return [turn.reply("engine.invites_revoked"), _invite_reply(turn, plan)]
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
    return [turn.reply("engine.invites_revoked"), _invite_reply(turn, plan), Reply(text=limit_text)]


MAX_ROLES = 12
ROLE_KEY = re.compile(r"[^a-z0-9]+")


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


def cmd_meeting(turn: Turn) -> list[Reply]:
    text = turn.incoming.args.strip()
    if not text:
        raise turn.fail("engine.meeting_usage")
    moment = parse_date(text)
    if moment is None:
        raise turn.fail("engine.meeting_bad", text=inputs_mod.shorten(text, 40))
    _active_plan(turn).next_meeting = moment
    return [turn.reply("engine.meeting_set", date=format_date(moment))]


def cmd_summary(turn: Turn) -> list[Reply]:
    plan = _active_plan(turn)
    return groups.with_votes(turn, plan, summary(turn, plan))


def cmd_notes(turn: Turn) -> list[Reply]:
    text = turn.incoming.args.strip()
    if text:
        return capture_notes(turn, text)
    turn.set_mode("notes")
    return [turn.reply("engine.notes_ask")]


def capture_notes(turn: Turn, text: str) -> list[Reply]:
    """Meeting notes' inputs are attributed to a pseudo-person of the plan, "meeting notes, DATE"."""
    plan = _active_plan(turn)
    date = format_date(turn.now)
    key = f"notes:{plan.id}:{turn.now.date().isoformat()}"
    pseudo = turn.session.scalar(select(PersonRow).where(PersonRow.key == key))
    if pseudo is None:
        pseudo = PersonRow(key=key, display_name=turn.t("engine.notes_label", date=date), created_at=turn.now)
        turn.session.add(pseudo)
        turn.session.flush()
        turn.session.add(
            Membership(
                person_id=pseudo.id,
                plan_id=plan.id,
                role="notes",
                actor_type="notes",
                consented_at=turn.now,
                interview_done_at=turn.now,
                joined_at=turn.now,
                topic_index=0,
                followup_pending=False,
            )
        )
    body = NOTES_PREFIX.sub("", text, count=1).strip() or text
    found, vectors = inputs_mod.extract(turn, body, None)  # the extractor's vectors are stored, not re-embedded
    rows, _ = inputs_mod.store(turn, plan.id, found, None, person_id=pseudo.id, vectors=vectors)
    turn.set_mode(BASE)
    return [turn.reply("engine.notes_saved", date=date, count=len(rows), items=inputs_mod.describe(turn, rows))]


COMMANDS: dict[str, Command] = {
    "start": Command(cmd_start),
    "help": Command(cmd_help),
    "plans": Command(cmd_plans),
    "switch": Command(cmd_switch),
    "mine": Command(cmd_mine),
    "forgetme": Command(cmd_forgetme),
    "cancel": Command(cmd_cancel),
    "language": Command(cmd_language),
    "newplan": Command(cmd_newplan),
    "invite": Command(cmd_invite, facilitator=True),
    "vision": Command(cmd_vision, facilitator=True),
    "roles": Command(cmd_roles, facilitator=True),
    "planlanguage": Command(language.cmd_planlanguage, facilitator=True),
    "meeting": Command(cmd_meeting, facilitator=True),
    "summary": Command(cmd_summary, facilitator=True),
    "notes": Command(cmd_notes, facilitator=True),
    "propose": Command(initiatives.cmd_propose, facilitator=True),
    "check": Command(initiatives.cmd_check, facilitator=True),
    "initiatives": Command(initiatives.cmd_initiatives, facilitator=True),
    "export": Command(exports.cmd_export, facilitator=True),
    "remind": Command(groups.cmd_remind, facilitator=True),
    "vote": Command(groups.cmd_vote, facilitator=True),
    "linkgroup": Command(groups.cmd_linkgroup, facilitator=True),
}


def run_command(turn: Turn, name: str) -> list[Reply]:
    name = name.lstrip("/").split("@", 1)[0].casefold()
    command = COMMANDS.get(name)
    if command is None:
        raise turn.fail("engine.unknown_command", command=inputs_mod.shorten(name, 30))
    if command.facilitator:
        membership = turn.membership()
        if membership is None:
            raise turn.fail("engine.no_plan")
        if membership.role != "facilitator" or membership.consented_at is None:
            raise turn.fail("engine.facilitator_only", command=name)
        if command.handler is None:
            return [turn.reply("engine.not_available", command=name)]
    assert command.handler is not None
    return command.handler(turn)


# ---- choices -------------------------------------------------------------------------------------------

# Prefixes whose handlers check the choice against the SQL state themselves (stage, topic index), so an
# older button that is still right for where the person stands keeps working.
SELF_VALIDATED = ("iv", "consent", "role", "size", "org", language.PERSON, *initiatives.SELF_VALIDATED)


def _own_input(turn: Turn, raw_id: str) -> StoredInput:
    row = turn.session.get(StoredInput, int(raw_id)) if raw_id.isdigit() else None
    if row is None or row.person_id != turn.person.id or row.plan_id != turn.state.active_plan_id:
        raise turn.fail("engine.mine_gone")
    return row


def run_choice(turn: Turn, data: str) -> list[Reply]:
    offered = {entry.get("data") for entry in turn.state.offered or []}
    prefix, _, rest = data.partition(":")
    if data not in offered and prefix not in SELF_VALIDATED:
        raise turn.fail("engine.stale_choice")
    membership = turn.membership()
    if prefix == "iv":
        action, _, index = rest.partition(":")
        if membership is None or plans.stage(membership) != "interview" or not index.isdigit():
            raise turn.fail("engine.stale_choice")
        return interview.on_control(turn, membership, action, int(index))
    if prefix == "consent":
        if rest == "more":
            return [_consent_more(turn, membership)]
        if rest not in ("yes", "named", "no"):
            return []
        return _resume(turn, plans.on_consent(turn, rest != "no", named=rest == "named"))
    if prefix in ("role", "size", "org"):
        return _resume(turn, plans.on_profile_choice(turn, prefix, rest))
    if prefix == "sw" and rest.isdigit():
        return _switch_to(turn, int(rest))
    if prefix == language.PERSON:
        return _after_language(turn, language.choose(turn, rest))
    if prefix == language.PLAN:
        return language.set_plan_default(turn, rest)
    if prefix == "mp" and rest.isdigit():
        return mine_page(turn, int(rest))
    if prefix == "forget":
        if rest == "yes":
            plans.forget_person(turn)
            return [turn.reply("engine.forgotten")]
        return _resume(turn, [turn.reply("engine.forget_kept")])
    if prefix in initiatives.PREFIXES:
        return initiatives.on_choice(turn, prefix, rest)
    return _mine_choice(turn, prefix, rest)


def _consent_more(turn: Turn, membership: Membership | None) -> Reply:
    plan = turn.plan()
    if membership is None or plan is None or plans.stage(membership) != "consent":
        raise turn.fail("engine.stale_choice")
    return plans.consent_prompt(turn, plan, full=True)


def _mine_choice(turn: Turn, prefix: str, rest: str) -> list[Reply]:
    raw_id, _, kind = rest.partition(":")
    row = _own_input(turn, raw_id)
    label = inputs_mod.kind_label(turn, row.kind)
    if prefix == "mine":
        choices = [
            Choice(label=turn.t("engine.mine_fix_kind"), data=f"mk:{row.id}"),
            Choice(label=turn.t("engine.mine_edit"), data=f"me:{row.id}"),
            Choice(label=turn.t("engine.mine_delete"), data=f"md:{row.id}"),
        ]
        return [Reply(text=turn.t("engine.mine_item", kind=label, text=row.text), choices=choices)]
    if prefix == "mk":
        choices = [
            Choice(label=inputs_mod.kind_label(turn, k.value), data=f"mks:{row.id}:{k.value}") for k in InputKind
        ]
        return [Reply(text=turn.t("engine.mine_pick_kind"), choices=choices)]
    if prefix == "mks" and kind in {k.value for k in InputKind}:
        row.kind = kind
        row.updated_at = turn.now
        return [turn.reply("engine.mine_kind_set", kind=inputs_mod.kind_label(turn, kind))]
    if prefix == "me":
        turn.set_mode("mine_edit", input_id=row.id)
        return [turn.reply("engine.mine_edit_ask")]
    if prefix == "md":
        turn.session.delete(row)
        return [turn.reply("engine.mine_deleted")]
    raise turn.fail("engine.stale_choice")


def on_mine_edit(turn: Turn, text: str) -> list[Reply]:
    row = _own_input(turn, str(turn.state.pending.get("input_id", "")))
    row.text = text.strip()
    row.summary = inputs_mod.shorten(text)
    row.updated_at = turn.now
    inputs_mod.embed_rows(turn, [row])
    turn.set_mode(BASE)
    return [turn.reply("engine.mine_edited", text=row.text)]


# ---- text ----------------------------------------------------------------------------------------------


def _choice_for_text(turn: Turn, text: str) -> str | None:
    """A typed option label (or its number, as in the terminal) counts as tapping it."""
    wanted = " ".join(text.split()).casefold()
    for entry in turn.state.offered or []:
        if " ".join(str(entry.get("label", "")).split()).casefold() == wanted:
            return entry.get("data")
    return None


def run_text(turn: Turn, text: str) -> list[Reply]:
    mode = turn.state.state
    if mode.startswith("newplan_"):
        return on_newplan_text(turn, text)
    if mode == "notes":
        return capture_notes(turn, text)
    if mode == "mine_edit":
        return on_mine_edit(turn, text)
    if mode in initiatives.MODES:
        return initiatives.on_text(turn, text)
    data = _choice_for_text(turn, text)
    if data is not None:
        return run_choice(turn, data)
    membership = turn.membership()
    stage = plans.stage(membership)
    if stage == "no_plan" or membership is None:
        return [turn.reply("engine.no_plan")]
    if stage in ("consent", "profile_role", "profile_size"):
        return on_typed_button_answer(turn, membership, stage, text)
    if stage == "profile_org":
        return _resume(turn, plans.on_org_text(turn, membership, text))
    if stage == "interview":
        return interview.on_answer(turn, membership, text)
    if stage == "facilitator":
        if NOTES_PREFIX.match(text):
            return capture_notes(turn, text)
        if turn.providers.extractor.is_question(text):
            answer = turn.providers.answerer.ask(text, membership.plan_id)
            return [Reply(text=interview.render_answer(turn, answer))]
        return prompt(turn)
    return interview.on_free_text(turn, membership, text)


def on_typed_button_answer(turn: Turn, membership: Membership, stage: str, text: str) -> list[Reply]:
    """A typed answer to the consent, role or size question: "ndio", "farmer", "just me and my daughter"."""
    data = interview_data()
    if stage == "consent":
        word = data.consent_word(text)
        if word == "more":
            return [_consent_more(turn, membership)]
        if word is None:
            return _resume(turn, [turn.reply("engine.consent_needed")])
        return _resume(turn, plans.on_consent(turn, word == "yes"))
    if stage == "profile_role":
        role = plans.typed_role(turn, membership.plan_id, text)
        if role is None:
            return _resume(turn, [turn.reply("engine.role_unknown")])
        return _resume(turn, plans.on_profile_choice(turn, "role", role))
    size = data.size_for(text)
    if size is None:
        return _resume(turn, [turn.reply("engine.size_unknown")])
    return _resume(turn, plans.on_profile_choice(turn, "size", size))


NOTES_FILE = re.compile(r"notes|minutes|meeting|compte.rendu|acta", re.IGNORECASE)


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


def run_edit(turn: Turn, text: str) -> list[Reply]:
    """An edited message replaces what was captured from it; one that captured nothing changes nothing."""
    rows, had = inputs_mod.replace_from_source(turn, turn.source_id, text)
    if not had:
        return []
    if rows:
        return [turn.reply("engine.edited_replaced", items=inputs_mod.describe(turn, rows))]
    return [turn.reply("engine.edited_removed")]
