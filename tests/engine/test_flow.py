"""The engine end to end through the collecting terminal adapter, on a SQLite file."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Incoming, invites
from bot.storage.plan_models import (
    ConversationState,
    Invite,
    Membership,
    PersonRow,
    ProcessedMessage,
    StoredInput,
)
from tests.engine.conftest import World


def join(world: World, name: str, code: str, role: str = "Producer", size: str = "Micro") -> TranscriptAdapter:
    person = world.person(name)
    consent = person.send(f"/start {code}")
    assert "Do you agree?" in consent[-1].text
    person.tap("I agree")
    person.tap(role)
    person.tap(size)
    replies = person.tap("Skip")  # no organisation
    assert "Question 1 of 8" in replies[-1].text
    return person


def count(world: World, model: type, **where: object) -> int:
    with world.db.session() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return session.scalar(query) or 0


def person_id(world: World, name: str) -> int:
    with world.db.session() as session:
        return session.scalar(select(PersonRow.id).where(PersonRow.key == f"cli:{name}"))


def test_three_stakeholders_are_interviewed_and_summary_ranks_themes(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    asha = join(world, "asha", code, role="Hotel", size="Small")

    first = asha.send("roads are bad in rainy season")
    assert "roads are bad in rainy season" in first[0].text and "Question 2 of 8" in first[0].text
    why = asha.tap("Why?")
    assert "Promote investment to relieve constraints and open up opportunities" in why[0].text
    assert "Question 2 of 8" in why[0].text
    assert "Question 3 of 8" in asha.send("skip")[0].text
    assert "Question 2 of 8" in asha.send("back")[0].text
    vague = asha.send("not sure")
    assert vague[0].text.endswith("Can you give an example?")
    after = asha.send("tourists want clean beaches")
    assert "Question 3 of 8" in after[0].text
    # a second vague answer to the next question also gets only one follow-up
    assert asha.send("yes")[0].text.endswith("Can you give an example?")
    assert "Question 4 of 8" in asha.send("ok")[0].text
    for answer in ["the village chief", "the fish market", "skip", "skip", "skip"]:
        replies = asha.send(answer)
    assert "that was the last question" in replies[-1].text
    # after the interview, any message is still captured, with no question
    assert "Added to the plan" in asha.send("we should clean the beach together")[0].text

    baraka = join(world, "baraka", code, role="Trader", size="Large")
    for answer in [
        "roads are bad when it rains",
        "skip",
        "skip",
        "the village chief",
        "skip",
        "skip",
        "skip",
        "skip",
    ]:
        baraka.send(answer)
    chiku = join(world, "chiku", code, role="Hotel", size="Micro")
    chiku.send("roads are bad near the beach")

    summary = facilitator.send("/summary")[0].text
    assert "from 3 people" in summary
    lines = summary.splitlines()
    problems = lines.index("Problems:")
    top = lines[problems + 1]
    assert top.startswith("1. roads") and "3 people" in top  # the theme raised by most people comes first
    assert "MSE share 2/3" in top
    assert "Hotel / tourism 2" in top and "Trader / buyer 1" in top
    assert "Influential actors named:" in summary and "the village chief" in summary
    assert "the fish market" in summary
    assert "Not finished the interview yet: Chiku" in summary

    with world.db.session() as session:
        rows = session.scalars(select(StoredInput).where(StoredInput.text == "roads are bad in rainy season")).all()
        assert [(r.kind, r.question) for r in rows] == [("constraint", "constraints")]
        free = session.scalars(select(StoredInput).where(StoredInput.text.like("we should%"))).one()
        assert free.question is None and free.kind == "idea" and free.source_id


def test_restart_in_the_middle_resumes_at_the_same_question(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    dan = join(world, "dan", code)
    dan.send("milk price is low")
    assert "Question 2 of 8" in dan.last_text
    dan.send("maybe")  # vague: the follow-up is pending when the worker dies

    world.restart()
    resumed = world.person("dan")
    again = resumed.send("/start")
    assert again[-1].text == "Can you give an example?"
    assert "Question 3 of 8" in resumed.send("export demand is growing")[0].text
    # the old adapter's button for question 2 is stale now: a clear reply, nothing changes
    stale = resumed.deliver(Incoming(choice="iv:skip:1", source_id="x-1"))
    assert "no longer available" in stale[0].text
    assert "Question 3 of 8" in resumed.send("/start")[-1].text


def test_restart_during_the_profile_resumes_the_profile(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    eva = world.person("eva")
    eva.send(f"/start {code}")
    eva.tap("I agree")
    eva.tap("Processor")
    world.restart()
    back = world.person("eva").send("hello")
    assert "How big is your business?" in back[-1].text


def test_nothing_is_kept_before_consent_and_declining_keeps_nothing(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    fred = world.person("fred")
    fred.send(f"/start {code}")
    refused = fred.send("our roads are bad")
    assert "nothing is kept until you agree" in refused[0].text
    assert count(world, StoredInput) == 0
    fred.tap("No, thanks")
    assert count(world, PersonRow, key="cli:fred") == 0
    assert count(world, Membership) == 1  # only the facilitator


def test_forgetme_leaves_no_row_of_that_person(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    gina = join(world, "gina", code)
    gina.send("the bridge is broken")
    pid = person_id(world, "gina")
    _, code_b, _ = new_plan(name="Dairy north", chain="dairy", region="Nyeri", who="hamid")
    gina.send(f"/start {code_b}")
    gina.tap("I agree")
    confirm = gina.send("/forgetme")
    assert "cannot be undone" in confirm[0].text
    assert "Everything about you is deleted" in gina.tap("Yes")[0].text
    for model in (StoredInput, Membership, ProcessedMessage):
        assert count(world, model, person_id=pid) == 0
    assert count(world, ConversationState, person_id=pid) == 0
    assert count(world, PersonRow, id=pid) == 0
    assert "No inputs yet" in facilitator.send("/summary")[0].text


def test_forgetme_can_be_declined(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    ivan = join(world, "ivan", code)
    ivan.send("prices are low")
    ivan.send("/forgetme")
    assert "Nothing was deleted" in ivan.tap("No")[0].text
    assert count(world, StoredInput, person_id=person_id(world, "ivan")) == 1


def test_plans_are_isolated(world: World, new_plan) -> None:
    fac_a, code_a, _ = new_plan(name="Cashew south", chain="cashew", region="Mtwara", who="amina")
    fac_b, code_b, _ = new_plan(name="Coffee hills", chain="coffee", region="Mbeya", who="bosco")
    jane = join(world, "jane", code_a)
    jane.send("SECRET-A raw nut price is low")
    kofi = join(world, "kofi", code_b)
    kofi.send("coffee pulpers are broken")
    seen: list[str] = []
    for line in ["/mine", "/summary", "/plans", "/help", "what do others say?", "/switch", "/start"]:
        seen += [reply.text for reply in kofi.send(line)]
    seen += [reply.text for reply in fac_b.send("/summary")]
    assert not any("SECRET-A" in text for text in seen)
    assert "coffee pulpers" in fac_b.send("/summary")[0].text
    assert "SECRET-A" in fac_a.send("/summary")[0].text
    with world.db.session() as session:
        plan_b = session.scalar(select(Membership.plan_id).where(Membership.person_id == person_id(world, "kofi")))
    assert world.answerer.asked == [("what do others say?", plan_b)]


def test_a_person_in_two_plans_switches_and_each_keeps_its_progress(world: World, new_plan) -> None:
    _, code_a, _ = new_plan(name="Fish landing", chain="fisheries", region="Lamu", who="omar")
    _, code_b, _ = new_plan(name="Mango belt", chain="horticulture", region="Embu", who="wanja")
    lily = join(world, "lily", code_a)
    lily.send("no ice at the landing site")
    lily.send(f"/start {code_b}")
    lily.tap("I agree")
    lily.tap("Producer")
    lily.tap("Small")
    lily.tap("Skip")
    switch = lily.send("/switch")
    assert len(switch[0].choices) == 2
    resumed = lily.tap("Fish landing")
    assert "Question 2 of 8" in resumed[-1].text
    assert "Fish landing" in lily.send("/plans")[0].text


def test_bad_invite_codes_all_get_the_same_reply(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    with world.db.session() as session:
        plan_id = session.scalar(select(Invite.plan_id).where(Invite.code == code))
        limited = invites.create_invite(session, plan_id, "stakeholder", world.now, max_uses=1).code
        expired = invites.create_invite(
            session, plan_id, "stakeholder", world.now, expires_at=world.now.replace(year=2026)
        ).code
    world.person("first").send(f"/start {limited}")
    facilitator.send("/invite revoke")
    replies = {
        world.person(f"p{n}").send(f"/start {bad}")[0].text
        for n, bad in enumerate([code, limited, expired, "nonsense-code", "x" * 80])
    }
    assert len(replies) == 1
    (reply,) = replies
    assert "does not work" in reply and "Coast tourism" not in reply
    assert len(code) >= 22 and len(code) <= 64


def test_stakeholders_are_refused_facilitator_commands(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    mo = join(world, "mo", code)
    for command in [
        "summary",
        "invite",
        "vision A vision",
        "meeting 2027-03-12",
        "notes",
        "propose",
        "export",
    ]:
        name = command.split()[0]
        assert mo.send(f"/{command}")[0].text == f"Only facilitators of this plan can use /{name}."
    help_text = mo.send("/help")[0].text
    assert "/mine" in help_text and "/summary" not in help_text
    assert "Question 1 of 8" in mo.send("/start")[-1].text  # the refusals changed nothing


def test_facilitator_commands(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    assert "/summary" in facilitator.send("/help")[0].text
    assert "nothing to propose" in facilitator.send("/propose")[0].text  # no stakeholder inputs yet
    assert "12 March 2027" in facilitator.send("/meeting 12 March 2027")[0].text
    assert "12 March 2027" in facilitator.send("/meeting 2027-03-12")[0].text
    assert "not a date I can read" in facilitator.send("/meeting next tuesday-ish")[0].text
    assert "Vision saved" in facilitator.send("/vision Clean beaches and full hotels by 2030")[0].text
    assert "/vision" in facilitator.send("/vision")[0].text
    assert "not a command I know" in facilitator.send("/dance")[0].text
    invite = facilitator.send("/invite")[0].text
    again = facilitator.send("/invite")[0].text
    assert invite == again
    assert facilitator.send("/invite revoke")[1].text != invite


def test_meeting_notes_are_attributed_to_a_pseudo_person(world: World, new_plan) -> None:
    facilitator, _, _ = new_plan()
    saved = facilitator.send("Meeting notes: the ferry is broken. hotels could work together on waste")
    assert "2 inputs" in saved[0].text
    assert "Question" not in saved[0].text
    facilitator.send("/notes")
    assert "1 inputs" in facilitator.send("boat engines are expensive")[0].text
    summary = facilitator.send("/summary")[0].text
    assert "meeting notes 1" in summary and "the ferry is broken" in summary
    with world.db.session() as session:
        names = session.scalars(select(PersonRow.display_name).where(PersonRow.key.like("notes:%"))).all()
    assert names == ["meeting notes, 1 March 2027"]


def test_duplicate_delivery_captures_once_and_edit_replaces(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    nuru = join(world, "nuru", code)
    first = nuru.send("the road is bad", source_id="m-100")
    assert "Question 2 of 8" in first[0].text
    assert nuru.send("the road is bad", source_id="m-100") == []
    assert count(world, StoredInput) == 1
    assert "Question 2 of 8" in nuru.send("/start")[-1].text  # the duplicate did not advance the interview
    edited = nuru.send("the bridge is broken. the road is bad", source_id="m-100", edited=True)
    assert "Updated" in edited[0].text
    with world.db.session() as session:
        texts = session.scalars(select(StoredInput.text).order_by(StoredInput.position)).all()
        questions = set(session.scalars(select(StoredInput.question)).all())
    assert texts == ["the bridge is broken", "the road is bad"] and questions == {"constraints"}
    # repeated identical text in a new message is not stored twice
    nuru.send("the road is bad")
    assert count(world, StoredInput) == 2


def test_mine_fix_kind_edit_and_delete(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    olu = join(world, "olu", code)
    olu.send("feed is expensive. the cooperative buys our milk")
    listing = olu.send("/mine")[0].text
    assert "1. [problem] feed is expensive" in listing and "2. [a place where many meet or sell]" in listing
    olu.tap("1. feed")
    olu.tap("Change kind")
    assert "opportunity" in olu.tap("opportunity")[0].text
    olu.send("/mine")
    olu.tap("1. feed")
    olu.tap("Edit text")
    assert "Saved" in olu.send("feed costs double since June")[0].text
    olu.send("/mine")
    olu.tap("2. the cooperative")
    assert olu.tap("Delete")[0].text == "Deleted."
    assert olu.send("/mine")[0].text.splitlines()[1] == "1. [opportunity] feed costs double since June"


def test_forged_choices_change_nothing(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    pat = join(world, "pat", code)
    pat.send("prices are low")
    with world.db.session() as session:
        input_id = session.scalar(select(StoredInput.id))
    quinn = join(world, "quinn", code)
    for data in [f"md:{input_id}", f"mine:{input_id}", "forget:yes", "role:finance", "sw:1", "iv:skip:5"]:
        reply = quinn.deliver(Incoming(choice=data, source_id=f"forged-{data}"))
        assert "no longer" in reply[0].text or "no longer exists" in reply[0].text
    assert count(world, StoredInput) == 1
    assert count(world, PersonRow, key="cli:quinn") == 1


def test_bad_messages_get_a_clear_reply_and_store_nothing(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    rose = join(world, "rose", code)
    assert "empty" in rose.send("   ")[0].text
    assert "4097 characters" in rose.send("a" * 4097)[0].text
    assert "words" in rose.send("👍🙏")[0].text
    assert count(world, StoredInput) == 0
    kept = rose.send("ባህር ዳርቻ ቆሻሻ ነው ገበያ የለም")  # Amharic, kept as written (not vague: five words)
    assert "Question 2 of 8" in kept[0].text
    with world.db.session() as session:
        assert session.scalar(select(StoredInput.text)) == "ባህር ዳርቻ ቆሻሻ ነው ገበያ የለም"


def test_cofacilitator_joins_and_may_use_facilitator_commands(world: World, new_plan) -> None:
    _, _, co_code = new_plan()
    sam = world.person("sam")
    sam.send(f"/start {co_code}")
    assert "now a facilitator" in sam.tap("I agree")[0].text
    assert "No inputs yet" in sam.send("/summary")[0].text
