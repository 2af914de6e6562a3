"""Groups, polls, votes and reminders in the engine, with the fakes (fast)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Incoming, Person, Reply
from bot.engine.groups import votes_for_plan
from bot.storage.workshop_models import GroupLink, InitiativeRow, PollRow, VoteRow
from tests.engine.conftest import World

GROUP = "tg-chat:-100500"


def join(world: World, name: str, code: str) -> TranscriptAdapter:
    person = world.person(name)
    person.send(f"/start {code}")
    person.tap("I agree")
    person.tap("Producer")
    person.tap("Micro")
    replies = person.tap("Skip")
    assert "Question 1 of 8" in replies[-1].text
    return person


def in_group(world: World, who: TranscriptAdapter, command: str, args: str = "", chat: str = GROUP) -> list[Reply]:
    incoming = Incoming(command=command, args=args, chat_key=chat, chat_type="group", source_id=None)
    return world.engine.handle(who.person, incoming)


def finish(person: TranscriptAdapter, first: list[str]) -> None:
    answers = first + ["skip"] * (8 - len(first))
    for answer in answers:
        replies = person.send(answer)
    assert "that was the last question" in replies[-1].text


def workshop(world: World, new_plan) -> tuple[TranscriptAdapter, TranscriptAdapter, TranscriptAdapter, str]:
    facilitator, code, _ = new_plan()
    asha = join(world, "asha", code)
    baraka = join(world, "baraka", code)
    finish(asha, ["roads are bad in rainy season", "tourists want clean beaches", "we should clean together"])
    baraka.send("roads are bad when it rains")
    baraka.send("no cold room for the fish")
    return facilitator, asha, baraka, code


def count(world: World, model: type) -> int:
    with world.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_only_a_facilitator_links_a_group_and_group_chatter_is_ignored(world: World, new_plan) -> None:
    facilitator, asha, _, _ = workshop(world, new_plan)

    refused = in_group(world, asha, "linkgroup")
    assert refused[0].error and "Only facilitators" in refused[0].text
    assert count(world, GroupLink) == 0

    private = facilitator.send("/linkgroup")
    assert private[0].error and "group chat" in private[0].text

    linked = in_group(world, facilitator, "linkgroup")
    assert 'linked to the plan "Coast tourism"' in linked[0].text
    assert count(world, GroupLink) == 1
    assert "already linked" in in_group(world, facilitator, "linkgroup")[0].text

    # chatter in the group is neither answered nor captured; other commands point to the private chat
    chatter = Incoming(text="roads are bad and no market", chat_key=GROUP, chat_type="group")
    assert world.engine.handle(asha.person, chatter) == []
    assert "private chat" in in_group(world, asha, "mine")[0].text
    assert in_group(world, asha, "weather") == []  # not planbot's: maybe another bot's command
    assert "do not read or keep" in in_group(world, asha, "help")[0].text

    # a group command keeps the buttons of the person's private chat working
    mine = asha.send("/mine")
    assert mine[0].choices
    in_group(world, asha, "help")
    item = asha.tap(mine[0].choices[0].label)
    assert not item[0].error and item[0].choices


def test_vote_posts_a_poll_to_the_linked_group_and_votes_rank_themes(world: World, new_plan) -> None:
    facilitator, asha, _baraka, _ = workshop(world, new_plan)
    assert "/linkgroup there" in facilitator.send("/vote")[0].text  # no group yet
    in_group(world, facilitator, "linkgroup")

    replies = facilitator.send("/vote")
    poll = next(r for r in replies if r.poll is not None)
    assert poll.to == GROUP and poll.poll.multiple
    labels = poll.poll.options
    assert labels[0].startswith("roads are bad")  # the theme two people raised comes first
    assert len(labels) >= 3 and len(set(labels)) == len(labels)
    assert any("posted a poll" in r.text for r in replies if r.to is None)

    assert world.engine.record_poll(poll.poll.poll_id, "tgpoll-1")
    beaches = next(i for i, label in enumerate(labels) if "beaches" in label)
    assert world.engine.record_vote("tgpoll-1", "tg:1", [beaches])
    assert world.engine.record_vote("tgpoll-1", "tg:2", [beaches, 0])
    assert world.engine.record_vote("tgpoll-1", "tg:2", [beaches])  # changed: replaces
    assert world.engine.record_vote("tgpoll-1", "tg:3", [0])
    assert world.engine.record_vote("tgpoll-1", "tg:3", [])  # retracted: deletes
    assert not world.engine.record_vote("someone-elses-poll", "tg:3", [0])
    assert count(world, VoteRow) == 2

    text = facilitator.send("/summary")[-1].text
    votes = text.split("Votes from the group polls:")[1]
    assert "tourists want clean beaches: 2 votes" in votes
    assert "roads are bad" not in votes

    with world.db.session() as session:
        plan_id = session.scalar(select(PollRow.plan_id))
        assert sorted(votes_for_plan(session, plan_id).values()) == [2]

    # in the linked group itself the poll goes to the group, with no extra confirmation
    in_group_replies = in_group(world, facilitator, "vote")
    assert [r.to for r in in_group_replies] == [GROUP] and in_group_replies[0].poll is not None
    assert in_group(world, asha, "vote")[0].error  # stakeholders cannot start polls
    assert "fewer than two" in facilitator.send("/vote initiatives")[0].text
    assert "/vote initiatives" in facilitator.send("/vote everything")[0].text


def test_forgetme_deletes_the_persons_votes(world: World, new_plan) -> None:
    facilitator, asha, _, _ = workshop(world, new_plan)
    in_group(world, facilitator, "linkgroup")
    poll = next(r for r in facilitator.send("/vote") if r.poll is not None)
    world.engine.record_poll(poll.poll.poll_id, "tgpoll-9")
    world.engine.record_vote("tgpoll-9", asha.person.key, [0, 1])
    world.engine.record_vote("tgpoll-9", "tg:77", [1])
    asha.send("/forgetme")
    asha.tap("Yes")
    with world.db.session() as session:
        assert list(session.scalars(select(VoteRow.voter_key))) == ["tg:77"]


def test_remind_messages_each_unfinished_stakeholder_once(world: World, new_plan) -> None:
    facilitator, asha, baraka, code = workshop(world, new_plan)
    replies = facilitator.send("/remind")
    to_others = [r for r in replies if r.to is not None]
    assert [r.to for r in to_others] == [baraka.person.key]
    assert "not finished" in to_others[0].text and "Question 3 of 8" in to_others[0].text
    assert to_others[0].choices  # the question's buttons come along
    assert "1 stakeholders" in replies[0].text

    again = facilitator.send("/remind")
    assert [r.to for r in again if r.to] == [] and "Nobody to remind" in again[0].text

    chidi = join(world, "chidi", code)
    third = facilitator.send("/remind")
    assert [r.to for r in third if r.to] == [chidi.person.key]
    assert "1 were already reminded" in third[0].text
    assert asha.send("/remind")[0].error  # facilitators only


def test_due_reminders_fire_only_inside_the_window_and_once(world: World, new_plan) -> None:
    facilitator, _asha, baraka, _ = workshop(world, new_plan)
    assert world.engine.due_reminders(world.now) == []  # no meeting set
    facilitator.send("/meeting 3 March 2027")  # world.now is 1 March 2027 09:00 UTC
    assert world.engine.due_reminders(world.now) == []  # 39 hours away: outside the 24 hour window
    assert len(world.engine.due_reminders(world.now, window=timedelta(hours=48))) == 1

    facilitator.send("/meeting 2 March 2027")
    later = world.now + timedelta(hours=1)
    due = world.engine.due_reminders(later)
    assert [r.to for r in due] == [baraka.person.key]
    assert "2 March 2027" in due[0].text
    assert world.engine.due_reminders(later + timedelta(minutes=5)) == []  # recorded: once per meeting
    assert world.engine.due_reminders(world.now + timedelta(days=2)) == []  # the meeting has passed


def test_a_group_command_does_not_reach_a_person_in_another_plan(world: World, new_plan) -> None:
    facilitator, _, _, _ = workshop(world, new_plan)
    in_group(world, facilitator, "linkgroup")
    other, _, _ = new_plan(name="Dairy", chain="dairy", region="Rift", who="wanjiru")
    refused = in_group(world, other, "linkgroup")
    assert refused[0].error and "another plan" in refused[0].text
    assert in_group(world, other, "vote")[0].error
    stranger = Person(key="cli:stranger", display_name="Stranger")
    incoming = Incoming(command="vote", chat_key="tg-chat:-999", chat_type="group")
    assert "not linked" in world.engine.handle(stranger, incoming)[0].text


def test_vote_initiatives_polls_the_proposed_and_accepted_ones(world: World, new_plan) -> None:
    facilitator, _, _, _ = workshop(world, new_plan)
    in_group(world, facilitator, "linkgroup")
    with world.db.session() as session:
        plan_id = session.scalar(select(GroupLink.plan_id))
        for title, status in [
            ("Ice plant at the beach", "proposed"),
            ("Joint clean-up", "accepted"),
            ("Big hotel", "rejected"),
        ]:
            session.add(InitiativeRow(plan_id=plan_id, title=title, text=title, origin="check", status=status))
    poll = next(r for r in facilitator.send("/vote initiatives") if r.poll is not None)
    assert poll.poll.options == ["Ice plant at the beach", "Joint clean-up"]
    world.engine.record_poll(poll.poll.poll_id, "tgpoll-i")
    world.engine.record_vote("tgpoll-i", "tg:1", [1])
    world.engine.record_vote("tgpoll-i", "tg:2", [0, 1])
    with world.db.session() as session:
        ids = list(session.scalars(select(InitiativeRow.id).order_by(InitiativeRow.id)))
        assert votes_for_plan(session, plan_id) == {f"initiative:{ids[0]}": 1, f"initiative:{ids[1]}": 2}
    # initiative votes are not theme votes: /summary shows no theme ranking from them
    assert "Votes from the group polls" not in facilitator.send("/summary")[-1].text
