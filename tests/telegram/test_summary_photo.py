"""/summary on Telegram: the themes chart as a photo, then the text; /export md with its charts; and a summary
whose worker died after committing it is sent once, photo and all, when Telegram delivers the message again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine import Engine, Incoming, Person
from bot.storage import Database
from planbot_testkit.server import FakeBotApi
from tests.fakes.embeddings import HashingEmbeddings
from tests.telegram.kit import INVITE_LINK, Chat, make_services_factory, running_bot

pytestmark = [pytest.mark.telegram]

PNG = b"\x89PNG\r\n\x1a\n"
PLAN = "Coast & <reef> tourism"  # HTML's own characters, in the caption: escaped, or Telegram refuses the photo
ANSWERS = {
    "Asha": "there are no bins so plastic & bottles pile up on the <beach>",
    "Neema": "there are no bins so plastic & bottles pile up on the <beach> daily",
    "Juma": "no ice for the fish at the landing site",
}


@pytest.fixture
def make(tmp_path: Path, bot_api: FakeBotApi, bot_token: str):
    """The bot as it runs, on the fast fake embedder (the chart needs no model)."""
    return make_services_factory(HashingEmbeddings(), tmp_path, bot_api, bot_token)


async def _workshop(bot_api: FakeBotApi) -> tuple[Chat, list[Chat]]:
    facilitator = Chat(bot_api, bot_api.new_user("Fatma"))
    await facilitator.say(f"/newplan {PLAN}")
    await facilitator.say("tourism")
    created = await facilitator.say("North coast", expect=2)
    code = INVITE_LINK.search("\n".join(m.plain_text or "" for m in created)).group(2)
    people = []
    for name, answer in ANSWERS.items():
        person = Chat(bot_api, bot_api.new_user(name))
        await person.say(f"/start {code}")
        for label in ("I agree", "Hotel / tourism", "Micro (1-4 people)", "Skip"):
            await person.tap(label)
        await person.say(answer)
        people.append(person)
    return facilitator, people


async def test_summary_is_a_photo_then_the_text_and_a_stakeholder_gets_no_photo(bot_api: FakeBotApi, make) -> None:
    async with running_bot(make):
        facilitator, people = await _workshop(bot_api)
        summary = await facilitator.say("/summary", expect=2)
        assert [m.kind for m in summary] == ["photo", "text"]
        photo, text = summary
        assert photo.photo is not None and photo.photo.data.startswith(PNG)
        [call] = bot_api.calls_to("sendPhoto")
        assert call.error is None and call.params.get("parse_mode") == "HTML"
        caption = photo.plain_text or ""  # the fake parsed the caption's HTML as Telegram would
        lines = (text.plain_text or "").splitlines()
        top = re.match(r"1\. (.+) - 2 people,", lines[lines.index("Problems:") + 1])
        assert top, lines  # Asha and Neema raised the same problem
        assert f'in "{PLAN}"' in caption and f'"{top.group(1)}" (2 people)' in caption
        assert any("no ice for the fish" in line for line in lines)

        refused = await people[0].say("/summary")
        assert [m.kind for m in refused] == ["text"]
        assert refused[0].plain_text == "Only facilitators of this plan can use /summary."
        assert len(bot_api.calls_to("sendPhoto")) == 1

        exported = await facilitator.say("/export md", expect=3)
        files = [m.document for m in exported if m.document is not None]
        assert files[0].file_name.endswith(".md")
        charts = files[1:]
        assert charts and all(f.file_name.endswith(".png") and f.data.startswith(PNG) for f in charts)
        markdown = files[0].data.decode()
        assert all(f"]({f.file_name})" in markdown for f in charts)


async def test_a_summary_committed_by_a_worker_that_died_is_sent_once_photo_first(bot_api: FakeBotApi, make) -> None:
    async with running_bot(make) as services:
        facilitator, _ = await _workshop(bot_api)
        update = bot_api.compose_message(facilitator.user, text="/summary")
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 8}]
        source_id = f"{facilitator.user.id}:{update['message']['message_id']}"
        # another worker took the message, committed its replies (the chart among them) and died before sending
        crashed = Engine(Database(services.settings.resolved_database_url), services.extractor,
                         services.answerer, HashingEmbeddings(), checker=services.checker,
                         proposer=services.proposer)  # fmt: skip
        person = Person(key=f"tg:{facilitator.user.id}", display_name="Fatma")
        stored = crashed.handle_durably(person, Incoming(command="summary", source_id=source_id))
        [chart] = [item.reply.photo for item in stored if item.reply.photo is not None]
        crashed.outbox.close()
        crashed.db.dispose()

        before = len(facilitator.messages)
        update_id = bot_api.push_message_update(update)  # Telegram delivers it again, to this worker
        # updates run concurrently, so "handled" can come before the last send: wait for both parts
        await bot_api.wait_for_messages(facilitator.user, before + 2, timeout=facilitator.timeout)
        await facilitator.handled(update_id)
        sent = facilitator.messages[before:]
        assert [m.kind for m in sent] == ["photo", "text"]
        assert sent[0].photo is not None and sent[0].photo.data == chart.content
        # and once more: all was sent, so nothing is sent twice
        again = bot_api.push_message_update({**update, "update_id": update["update_id"] + 100_000})
        await facilitator.handled(again)
        assert len(facilitator.messages) == before + 2
        assert len(bot_api.calls_to("sendPhoto")) == 1
