"""Group chats, polls and votes: the workshop's group side, transport-neutral (reminders: bot.engine.reminders).

A linked group only ever sees commands: group chatter is never captured as input (stakeholders speak to
planbot in private). Polls are posted by the adapter from `Reply(to=<chat key>, poll=...)`; the adapter
reports the transport's poll id back (`record_poll`) so its answers can be stored as votes (`record_vote`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain import InputKind
from bot.engine import inputs as inputs_mod
from bot.engine.models import PollSpec, Reply
from bot.engine.turn import Turn
from bot.storage.models import Plan
from bot.storage.plan_models import PersonRow
from bot.storage.workshop_models import GroupLink, InitiativeRow, PollRow, ReminderSent, VoteRow

GROUP_COMMANDS = frozenset({"linkgroup", "vote", "help"})
VOTED_KINDS = (InputKind.constraint.value, InputKind.opportunity.value, InputKind.idea.value)
VOTABLE_STATUSES = ("proposed", "accepted")
MAX_OPTIONS = 10  # PollSpec's limit (Telegram allows 12)
MAX_OPTION_CHARS = 100  # Telegram's limit of one poll option


# ---- lookups -------------------------------------------------------------------------------------------


def linked_plan_id(session: Session, chat_key: str) -> int | None:
    return session.scalar(select(GroupLink.plan_id).where(GroupLink.chat_key == chat_key))


def group_of_plan(session: Session, plan_id: int) -> str | None:
    """The plan's most recently linked group (polls go there)."""
    return session.scalar(
        select(GroupLink.chat_key)
        .where(GroupLink.plan_id == plan_id)
        .order_by(GroupLink.created_at.desc(), GroupLink.id.desc())
        .limit(1)
    )


def _is_facilitator(turn: Turn, plan_id: int) -> bool:
    membership = turn.membership(plan_id)
    return membership is not None and membership.role == "facilitator" and membership.consented_at is not None


# ---- group chats ---------------------------------------------------------------------------------------


def run_group(turn: Turn, commands: Collection[str]) -> list[Reply]:
    """A message from a group chat: only planbot's group commands get an answer, never chatter.

    `commands`: every command name planbot knows (the registry imports this module, so it is passed in)."""
    incoming = turn.incoming
    if not incoming.command:
        return []
    name = incoming.command.lstrip("/").split("@", 1)[0].casefold()
    if name not in GROUP_COMMANDS:
        if name not in commands:
            return []  # maybe another bot's command: groups hear every bot's commands
        return [turn.reply("groups.private_only", command=name)]
    if name == "help":
        return [turn.reply("groups.help")]
    if name == "linkgroup":
        return cmd_linkgroup(turn)
    chat_key = incoming.chat_key
    assert chat_key is not None
    plan_id = linked_plan_id(turn.session, chat_key)
    if plan_id is None:
        raise turn.fail("groups.not_linked")
    if not _is_facilitator(turn, plan_id):
        raise turn.fail("engine.facilitator_only", command=name)
    plan = turn.session.get(Plan, plan_id)
    assert plan is not None
    return _vote(turn, plan)


def cmd_linkgroup(turn: Turn) -> list[Reply]:
    """Ties the group the command came from to the facilitator's active plan."""
    chat_key = turn.incoming.chat_key
    if chat_key is None:
        raise turn.fail("groups.link_in_group")
    plan = turn.plan()
    if plan is None or turn.membership() is None:
        raise turn.fail("engine.no_plan")
    if not _is_facilitator(turn, plan.id):
        raise turn.fail("engine.facilitator_only", command="linkgroup")
    link = turn.session.scalar(select(GroupLink).where(GroupLink.chat_key == chat_key))
    if link is not None and link.plan_id == plan.id:
        return [turn.reply("groups.already_linked", plan=plan.name)]
    if link is not None:
        if not _is_facilitator(turn, link.plan_id):
            raise turn.fail("groups.linked_elsewhere")
        link.plan_id = plan.id
        link.linked_by = turn.person.id
        link.created_at = turn.now
    else:
        turn.session.add(GroupLink(plan_id=plan.id, chat_key=chat_key, linked_by=turn.person.id, created_at=turn.now))
    return [turn.reply("groups.linked", plan=plan.name)]


# ---- polls and votes -----------------------------------------------------------------------------------


def cmd_vote(turn: Turn) -> list[Reply]:
    """`/vote` in the private chat (the active plan); in a group it goes through `run_group`."""
    plan = turn.plan()
    assert plan is not None  # facilitator commands are checked for an active plan first
    return _vote(turn, plan)


def theme_options(turn: Turn, plan_id: int) -> list[dict[str, str]]:
    """The plan's top themes (constraints, opportunities, ideas), ranked as /summary ranks them."""
    items, themes = turn.providers.plan_themes().themes(turn.session, plan_id, VOTED_KINDS)
    if not items:
        return []
    ranked = sorted(themes, key=lambda th: (-len(set(th.person_ids)), -len(th.item_ids), min(th.item_ids)))
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for theme in ranked:
        label = inputs_mod.shorten(" ".join(theme.label.split()), MAX_OPTION_CHARS)
        if not label or label.casefold() in seen:
            continue  # Telegram refuses duplicate-looking options poorly; one line per theme is clearer
        seen.add(label.casefold())
        options.append({"label": label, "ref": f"theme:{theme.kind}:{min(theme.item_ids)}"})
        if len(options) == MAX_OPTIONS:
            break
    return options


def initiative_options(session: Session, plan_id: int) -> list[dict[str, str]]:
    rows = session.scalars(
        select(InitiativeRow)
        .where(InitiativeRow.plan_id == plan_id, InitiativeRow.status.in_(VOTABLE_STATUSES))
        .order_by(InitiativeRow.id)
    )
    options: list[dict[str, str]] = []
    for row in rows:
        label = inputs_mod.shorten(" ".join(row.title.split()) or " ".join(row.text.split()), MAX_OPTION_CHARS)
        if label:
            options.append({"label": label, "ref": f"initiative:{row.id}"})
    return options[:MAX_OPTIONS]


def _vote(turn: Turn, plan: Plan) -> list[Reply]:
    wanted = turn.incoming.args.strip().casefold()
    if wanted not in ("", "themes", "initiatives"):
        raise turn.fail("groups.vote_usage")
    subject = "initiatives" if wanted == "initiatives" else "themes"
    chat_key = group_of_plan(turn.session, plan.id)
    if chat_key is None:
        raise turn.fail("groups.no_group", plan=plan.name)
    if subject == "themes":
        options = theme_options(turn, plan.id)
        if len(options) < 2:
            raise turn.fail("groups.too_few_themes")
    else:
        options = initiative_options(turn.session, plan.id)
        if len(options) < 2:
            raise turn.fail("groups.too_few_initiatives")
    question = inputs_mod.shorten(turn.t(f"groups.poll_question_{subject}", plan=plan.name), 300)
    poll = PollRow(plan_id=plan.id, subject=subject, options=options, created_at=turn.now)
    turn.session.add(poll)
    turn.session.flush()
    spec = PollSpec(poll_id=poll.id, question=question, options=[o["label"] for o in options], multiple=True)
    replies = [Reply(text=question, to=chat_key, poll=spec)]
    if turn.incoming.chat_key != chat_key:
        replies.append(turn.reply("groups.poll_sent", count=len(options)))
    return replies


def record_poll(session: Session, poll_id: int, transport_poll_id: str) -> bool:
    poll = session.get(PollRow, poll_id)
    if poll is None:
        return False
    poll.transport_poll_id = transport_poll_id
    return True


def record_vote(session: Session, transport_poll_id: str, voter_key: str, option_ids: list[int], now: datetime) -> bool:
    """A person's answer replaces their previous one; an empty answer (a retracted vote) deletes it."""
    poll = session.scalar(select(PollRow).where(PollRow.transport_poll_id == transport_poll_id))
    if poll is None:
        return False
    session.execute(delete(VoteRow).where(VoteRow.poll_id == poll.id, VoteRow.voter_key == voter_key))
    for index in sorted({i for i in option_ids if 0 <= i < len(poll.options)}):
        session.add(VoteRow(poll_id=poll.id, voter_key=voter_key, option_index=index, created_at=now))
    return True


def _votes(session: Session, plan_id: int, subject: str | None = None) -> tuple[dict[str, set[str]], dict[str, str]]:
    query = (
        select(PollRow, VoteRow)
        .join(VoteRow, VoteRow.poll_id == PollRow.id)
        .where(PollRow.plan_id == plan_id)
        .order_by(PollRow.id)
    )
    if subject is not None:
        query = query.where(PollRow.subject == subject)
    voters: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for poll, vote in session.execute(query):
        if vote.option_index >= len(poll.options):
            continue
        option = poll.options[vote.option_index]
        voters[option["ref"]].add(vote.voter_key)
        labels[option["ref"]] = option["label"]  # the latest poll's wording wins
    return voters, labels


def votes_for_plan(session: Session, plan_id: int) -> dict[str, int]:
    """How many people voted for each option ref ("theme:<kind>:<input id>", "initiative:<id>").

    A person voting for the same ref in two polls counts once.
    """
    voters, _ = _votes(session, plan_id)
    return {ref: len(keys) for ref, keys in voters.items()}


def with_votes(turn: Turn, plan: Plan, replies: list[Reply]) -> list[Reply]:
    """The /summary, followed by the theme ranking the group's votes gave."""
    voters, labels = _votes(turn.session, plan.id, "themes")
    if not voters or not replies:
        return replies
    ranked = sorted(voters, key=lambda ref: (-len(voters[ref]), labels[ref]))
    lines = ["", turn.t("groups.votes_header")]
    lines += [turn.t("groups.votes_line", label=labels[ref], votes=len(voters[ref])) for ref in ranked]
    last = replies[-1]
    return [*replies[:-1], last.model_copy(update={"text": last.text + "\n" + "\n".join(lines)})]


def forget_votes(session: Session, person: PersonRow) -> None:
    session.execute(delete(VoteRow).where(VoteRow.voter_key == person.key))
    session.execute(delete(ReminderSent).where(ReminderSent.person_id == person.id))
