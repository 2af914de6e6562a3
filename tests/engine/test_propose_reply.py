"""What /propose tells the facilitator: each proposal's questions to settle at the meeting and, when it restates
the stakeholders' own idea, whose idea it is; sent to Telegram as escaped HTML."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from sqlalchemy import select

from bot.storage.workshop_models import InitiativeRow
from bot.telegram.delivery import send_reply
from tests.engine.conftest import World
from tests.engine.test_initiatives import join


class RecordingBot:
    """The part of a PTB Bot that sending a text reply uses: it records what would go to Telegram."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_message(self, chat_id: int, text: str, **options: Any) -> None:
        self.sent.append({"chat_id": chat_id, "text": text, **options})


def _interview(world: World, code: str) -> None:
    answers = {
        "asha": ["roads are bad in rainy season", "tourists want clean beaches", "we should clean the beach together"],
        "baraka": ["roads are bad when it rains", "skip", "we should clean the beach together & sell rooms"],
        "chiku": ["roads are bad & muddy", "skip", "we should clean the beach together every week"],
    }
    for name, lines in answers.items():
        person = join(world, name, code)
        for line in lines:
            person.send(line)


def _proposals(world: World) -> list[InitiativeRow]:
    with world.db.session() as session:
        rows = list(session.scalars(select(InitiativeRow).where(InitiativeRow.origin == "proposal")))
        session.expunge_all()
    return rows


def test_propose_lists_what_is_left_to_settle_and_whose_idea_it_is(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    _interview(world, code)
    [reply] = facilitator.send("/propose")
    rows = _proposals(world)
    assert rows
    settled = [row for row in rows if row.body.get("to_settle")]
    credited = [row for row in rows if row.body.get("credit")]
    assert settled and credited
    blocks = reply.text.split("\n")
    for row in rows:
        at = next(n for n, line in enumerate(blocks) if line.endswith(f"{row.title} ({row.verdict.replace('_', ' ')})"))
        following = blocks[at + 1 :]
        end = next((n for n, line in enumerate(following) if line[:1].isdigit()), len(following))
        own = "\n".join(following[:end])  # the lines under this proposal, before the next one
        for question in row.body.get("to_settle") or []:
            assert f"- {question}" in own, row.title
        if row.body.get("credit"):
            assert row.body["credit"]["note"] in own
            assert "raised by" in row.body["credit"]["note"]
    assert "to settle at the meeting:" in reply.text
    assert "1 people" not in reply.text


def test_the_propose_reply_goes_to_telegram_escaped(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    _interview(world, code)
    [reply] = facilitator.send("/propose")
    bot = RecordingBot()
    asyncio.run(send_reply(bot, 42, reply))  # type: ignore[arg-type]
    sent = "\n".join(message["text"] for message in bot.sent)
    assert all(message["parse_mode"] == "HTML" for message in bot.sent)
    assert sent == html.escape(reply.text, quote=False)
    for row in _proposals(world):
        for question in row.body.get("to_settle") or []:
            assert html.escape(question, quote=False) in sent
