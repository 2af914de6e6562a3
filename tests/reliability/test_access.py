"""Nobody sees what is not theirs: roles checked on each call, plans walled off, safe invites, total /forgetme."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, Text, delete, inspect, select, text, update

from bot.engine import invites
from bot.messages import catalogue
from bot.storage.models import Plan
from bot.storage.plan_models import Invite, Membership, PersonRow, StoredInput
from bot.telegram.app import FACILITATOR_COMMANDS, PRIVATE_COMMANDS
from planbot_testkit import FakeBotApi
from planbot_testkit.script import INVITE_LINK, ScriptedChat, running_bot
from tests.fakes.documents import write_docx
from tests.reliability.conftest import join, say_all

pytestmark = [pytest.mark.telegram, pytest.mark.slow]

CANARIES = ("zqxvcanary", "Mbwelekezi", "7731-KIRA")
PLAN_A_ANSWERS = (
    "the zqxvcanary cooling centre closes at five so evening milk is lost",
    "Mbwelekezi the transporter charges too much for feed delivery",
    "we could share one truck, ask code 7731-KIRA at the cooperative",
)
BAD_INVITE = catalogue().text("engine.bad_invite")


def _leaks(text: str | None) -> list[str]:
    return [c for c in CANARIES if text and c.lower() in text.lower()]


def _file_text(data: bytes) -> str:
    """Text of an exported file: docx is a zip of XML parts."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _everything_seen(bot_api: FakeBotApi, chat: ScriptedChat) -> str:
    parts = []
    for message in chat.messages:
        parts.append(message.plain_text or "")
        parts.extend(button["text"] + " " + button.get("callback_data", "") for button in message.buttons)
        if message.document is not None:
            parts.append(_file_text(message.document.data))
    for answer in bot_api.callback_answers.values():
        parts.append(str(answer.get("text") or ""))
    return "\n".join(parts)


async def _new_plan(bot_api: FakeBotApi, name: str, who: str) -> tuple[ScriptedChat, str, str]:
    """A plan and its stakeholder and co-facilitator codes."""
    chat = ScriptedChat(bot_api, bot_api.new_user(who))
    await chat.say(f"/newplan {name}")
    await chat.say(name.lower())
    created = await chat.say("Highlands", expect=2)
    links = INVITE_LINK.findall("\n".join(m.plain_text or "" for m in created))
    return chat, links[0][1], links[1][1]


async def _world(bot_api: FakeBotApi, tmp_path: Path):
    fa, code_a, cofac_a = await _new_plan(bot_api, "Dairy", "Fatma")
    farmer = await join(bot_api, code_a, "Wanjiru")
    for answer in PLAN_A_ANSWERS:
        await farmer.say(answer)
    docx = write_docx(tmp_path / "secret.docx", "Milk", [f"{CANARIES[0]} is the biggest buyer in the valley."], [])
    before = len(fa.messages)
    bot_api.send_document(fa.user, "secret.docx", docx.read_bytes())
    await bot_api.wait_for_messages(fa.user, before + 1, timeout=30)
    await fa.say("/propose")
    fb, code_b, _ = await _new_plan(bot_api, "Cashew", "Kofi")
    grower = await join(bot_api, code_b, "Ama")
    await grower.say("the cashew buyers pay late and the roads are bad")
    return fa, farmer, fb, grower, code_a, cofac_a


def _plan_a_ids(services) -> dict[str, list[int]]:
    with services.db.session() as session:
        plan_a = session.scalar(select(Plan.id).where(Plan.name == "Dairy"))
        inputs = list(session.scalars(select(StoredInput.id).where(StoredInput.plan_id == plan_a)))
        names = set(inspect(session.bind).get_table_names())
        initiatives = (
            [row[0] for row in session.execute(text("select id from initiatives where plan_id = :p"), {"p": plan_a})]
            if "initiatives" in names
            else []
        )
    return {"plan": [plan_a], "inputs": inputs, "initiatives": initiatives}


def _forged(ids: dict[str, list[int]]) -> list[str]:
    plan, inputs, initiatives = ids["plan"][0], ids["inputs"], ids["initiatives"] or [1, 2]
    data = [f"sw:{plan}", "consent:yes", "role:Producer", "iv:why:0", "iv:skip:0", "forget:no", "inp", "ck:0"]
    for input_id in inputs[:3]:
        data += [f"mine:{input_id}", f"me:{input_id}", f"md:{input_id}", f"mk:{input_id}:idea"]
    for initiative in initiatives[:2]:
        data += [f"{p}:{initiative}" for p in ("in", "ina", "inr", "ine", "ins", "inv", "inpi", "vw")]
    return [*data, "x" * 64, "sw:-1", "md:1 OR 1=1", "💥:1"]


COMMAND_ARGS = {
    "start": "",
    "newplan": "",
    "vision": "A dairy chain where zq farmers earn more",
    "meeting": "2027-06-01",
    "check": "a shared cooling centre run by the cooperative for all small farmers",
    "export": "md",
}
QUESTIONS = (
    "what did the farmers say about the cooling centre?",
    "who is the biggest buyer in the valley?",
    "what is the transporter problem?",
)


async def test_a_plan_b_person_reaches_nothing_of_plan_a(bot_api: FakeBotApi, fast_services, tmp_path: Path) -> None:
    async with running_bot(lambda: fast_services(flood_messages=100_000)) as services:
        fa, farmer, fb, grower, code_a, _ = await _world(bot_api, tmp_path)
        assert any(_leaks(m.plain_text) for m in farmer.messages), "the canaries were not planted"
        ids = _plan_a_ids(services)
        assert len(ids["inputs"]) >= 3
        with services.db.session() as session:
            kept = sorted(session.scalars(select(StoredInput.text).where(StoredInput.plan_id == ids["plan"][0])))
        for intruder in (grower, fb):
            for name in PRIVATE_COMMANDS + FACILITATOR_COMMANDS:
                if name in ("forgetme", "newplan"):
                    continue
                await say_all(intruder, f"/{name} {COMMAND_ARGS.get(name, '')}".strip())
            for fmt in ("docx", "json"):
                await say_all(intruder, f"/export {fmt}")
            await say_all(intruder, f"/start {code_a[:-1]}{'A' if code_a[-1] != 'A' else 'B'}")  # a near-miss code
            assert intruder.last == BAD_INVITE
            await say_all(intruder, "/start ../../plan/1")
            for question in QUESTIONS:
                await say_all(intruder, question)
            for data in _forged(ids):
                before = len(intruder.messages)
                update_id = bot_api.press_button(intruder.user, intruder.messages[-1], data, check=False)
                await bot_api.wait_for(lambda u=update_id: bot_api.confirmed_offset > u, timeout=30)
                await bot_api.wait_for(lambda u=update_id, b=before: bot_api.answer_for(u) is not None, timeout=30)
            seen = _everything_seen(bot_api, intruder)
            assert not _leaks(seen), f"{intruder.user.first_name} saw {_leaks(seen)}"
        # nothing of plan A was changed by the forged buttons
        with services.db.session() as session:
            after = sorted(session.scalars(select(StoredInput.text).where(StoredInput.plan_id == ids["plan"][0])))
            assert after == kept
            grower_row = session.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{grower.user.id}"))
            plans_of_grower = set(session.scalars(select(Membership.plan_id).where(Membership.person_id == grower_row)))
            assert ids["plan"][0] not in plans_of_grower
        # plan A's own facilitator does see its inputs (the canaries are reachable by the right person)
        files = [m.document for m in await say_all(fa, "/export md") if m.document is not None]
        assert files and _leaks(_file_text(files[0].data))


async def test_a_demoted_or_removed_facilitator_is_refused_at_once(
    bot_api: FakeBotApi, fast_services, tmp_path: Path
) -> None:
    async with running_bot(lambda: fast_services(flood_messages=100_000)) as services:
        _, _, cofac = await _new_plan(bot_api, "Dairy", "Fatma")
        helper = ScriptedChat(bot_api, bot_api.new_user("Juma"))
        await say_all(helper, f"/start {cofac}")
        if helper.messages[-1].buttons:
            await helper.tap("I agree")
        await say_all(helper, "/summary")
        assert "only for facilitators" not in helper.last.lower()
        refused = catalogue().text("engine.facilitator_only", command="summary")
        with services.db.session() as session:
            person = session.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{helper.user.id}"))
            session.execute(update(Membership).where(Membership.person_id == person).values(role="stakeholder"))
        for name in FACILITATOR_COMMANDS:
            if name in ("newplan",):
                continue
            reply = await say_all(helper, f"/{name} {COMMAND_ARGS.get(name, '')}".strip())
            assert reply[-1].plain_text == catalogue().text("engine.facilitator_only", command=name), name
        assert refused
        with services.db.session() as session:
            session.execute(delete(Membership).where(Membership.person_id == person))
        for name in ("summary", "export", "invite"):
            reply = await say_all(helper, f"/{name}")
            assert reply[-1].plain_text == catalogue().text("engine.no_plan"), name


def test_invite_codes_are_unguessable_tokens() -> None:
    codes = [invites.new_code() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}", code)
        assert len(code) * 6 >= 128  # base64url: six bits a character
    alphabet = set("".join(codes))
    assert len(alphabet) == 64  # every character of the alphabet is used: no narrower space


async def test_revoked_and_expired_invites_let_no_one_in(bot_api: FakeBotApi, fast_services) -> None:
    async with running_bot(lambda: fast_services(flood_messages=100_000)) as services:
        fa, code, _ = await _new_plan(bot_api, "Dairy", "Fatma")
        await fa.say("/invite revoke")
        late = ScriptedChat(bot_api, bot_api.new_user("Late"))
        assert (await late.say(f"/start {code}"))[-1].plain_text == BAD_INVITE
        fresh = INVITE_LINK.findall(fa.messages[-1].plain_text or "")[0][1]
        assert fresh != code
        with services.db.session() as session:
            session.execute(
                update(Invite).where(Invite.code == fresh).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        assert (await late.say(f"/start {fresh}"))[-1].plain_text == BAD_INVITE
        with services.db.session() as session:
            row = session.scalar(select(PersonRow.id).where(PersonRow.key == f"tg:{late.user.id}"))
            assert session.scalar(select(Membership.id).where(Membership.person_id == row)) is None


def _text_columns(session) -> list[tuple[str, str]]:
    found = []
    inspector = inspect(session.bind)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if isinstance(column["type"], String | Text) or "JSON" in type(column["type"]).__name__.upper():
                found.append((table, column["name"]))
    return found


async def test_forgetme_leaves_no_trace_in_sql_or_chroma(bot_api: FakeBotApi, fast_services, tmp_path: Path) -> None:
    async with running_bot(lambda: fast_services(flood_messages=100_000)) as services:
        fa, code, _ = await _new_plan(bot_api, "Dairy", "Fatma")
        person = await join(bot_api, code, "Nyokabithegreat")
        words = ("Qolloqtor", "Brimwaxle")
        await person.say(f"{words[0]} the milk trader pays us late every month")
        await person.say(f"maybe {words[1]} cooperative could buy a cooler together")
        await fa.say("/propose")
        await fa.say("/summary")
        key = f"tg:{person.user.id}"
        needles = (key, str(person.user.id), "Nyokabithegreat", *words)
        with services.db.session() as session:
            hits_before = _scan(session, needles)
        assert hits_before, "nothing of the person was stored: the test would prove nothing"
        await person.say("/forgetme")
        await person.tap(person.messages[-1].buttons[0]["text"])
        with services.db.session() as session:
            left = _scan(session, needles)
        assert left == [], f"traces left after /forgetme: {left}"
        collection = services.index._open()._collection
        stored = collection.get(include=["documents", "metadatas"])
        blob = " ".join(map(str, stored["documents"] or [])) + " ".join(map(str, stored["metadatas"] or []))
        assert not [n for n in needles[2:] if n in blob]


def _scan(session, needles: tuple[str, ...]) -> list[str]:
    hits = []
    for table, column in _text_columns(session):
        rows = session.execute(text(f'select "{column}" from "{table}"')).scalars()
        for value in rows:
            if value is None:
                continue
            value = str(value)
            hits += [f"{table}.{column}: {n}" for n in needles if n in value]
    return hits


HOSTILE_INPUT = "the buyer <script>alert(1)</script> pays late, see [prices](http://evil.example) **now**"


async def test_export_through_the_bot_keeps_hostile_stakeholder_text_as_text(
    bot_api: FakeBotApi, fast_services
) -> None:
    from markdown_it import MarkdownIt

    async with running_bot(lambda: fast_services(flood_messages=100_000)):
        fa, code, _ = await _new_plan(bot_api, "Dairy", "Fatma")
        farmer = await join(bot_api, code, "Wanjiru")
        await say_all(farmer, HOSTILE_INPUT)
        files = [m.document for m in await say_all(fa, "/export md") if m.document is not None]
        markdown = files[0].data.decode("utf-8")
        html = MarkdownIt("commonmark").enable("table").render(markdown)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the words are kept...
        assert "<script>" not in html and "<a " not in html and "<strong>now" not in html  # ...never markup
        docx = next(m.document for m in await say_all(fa, "/export docx") if m.document is not None)
        assert "<script>" not in _file_text(docx.data)
