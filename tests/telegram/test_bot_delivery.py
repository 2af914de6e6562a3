"""What people send besides plain answers, and what a crash or a webhook does to delivery."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.app import main
from bot.storage.models import Document
from bot.storage.plan_models import StoredInput
from bot.telegram.app import build_application
from bot.telegram.webhook import serve_webhook
from planbot_testkit.server import FakeBotApi
from tests.fakes.documents import write_docx
from tests.telegram.kit import INVITE_LINK, Chat, running_bot

pytestmark = [pytest.mark.telegram, pytest.mark.model]


async def _plan_with_stakeholder(bot_api: FakeBotApi) -> tuple[Chat, Chat]:
    facilitator = Chat(bot_api, bot_api.new_user("Fatma"))
    await facilitator.say("/newplan Dairy")
    await facilitator.say("dairy")
    created = await facilitator.say("Highlands", expect=2)
    code = INVITE_LINK.search("\n".join(m.plain_text for m in created)).group(2)
    farmer = Chat(bot_api, bot_api.new_user("Wanjiru"))
    await farmer.say(f"/start {code}")
    await farmer.tap("I agree")
    await farmer.tap("Producer")
    await farmer.tap("Micro (1-4 people)")
    await farmer.tap("Skip")
    return facilitator, farmer


def _inputs(services) -> list[str]:
    with services.db.session() as session:
        return list(session.scalars(select(StoredInput.text).order_by(StoredInput.id)))


async def test_documents_edits_and_redelivery(bot_api: FakeBotApi, services_factory, tmp_path: Path) -> None:
    async with running_bot(services_factory) as services:
        facilitator, farmer = await _plan_with_stakeholder(bot_api)

        # a facilitator's DOCX becomes a plan document that answers can quote
        docx = write_docx(
            tmp_path / "analysis.docx",
            "Milk collection",
            ["The Ndumberi cooling centre closes at five, so the evening milk of 300 farmers is lost."],
            [],
        )
        before = len(facilitator.messages)
        bot_api.send_document(facilitator.user, "analysis.docx", docx.read_bytes())
        await bot_api.wait_for_messages(facilitator.user, before + 1, timeout=30)
        assert 'Added "analysis.docx"' in facilitator.last
        with services.db.session() as session:
            assert session.scalar(select(Document.title).where(Document.source == "analysis.docx")) == "analysis"

        # a stakeholder's document is declined politely and kept nowhere
        before = len(farmer.messages)
        bot_api.send_document(farmer.user, "mine.txt", b"our prices")
        await bot_api.wait_for_messages(farmer.user, before + 1, timeout=30)
        assert "only take documents from the facilitators" in farmer.last

        # an edited message: the captured input follows the edit
        update_id = bot_api.send_text(farmer.user, "feed prices are too high")
        await bot_api.wait_for_messages(farmer.user, before + 2, timeout=30)
        assert "feed prices are too high" in _inputs(services)
        bot_api.edit_text(farmer.user, bot_api.message_id_of(update_id), "feed and vet drugs are too expensive")
        await bot_api.wait_for_messages(farmer.user, before + 3, timeout=30)
        kept = _inputs(services)
        assert "feed prices are too high" not in kept
        assert any("vet drugs" in text for text in kept)

        # a crash between handling an update and confirming it: Telegram delivers it again
        count_before = len(_inputs(services))
        bot_api.go_offline_after_next_delivery()
        redelivered = bot_api.send_text(farmer.user, "the cooperative buys all our milk at a low price")
        await bot_api.wait_for(lambda: len(_inputs(services)) > count_before, timeout=30)
        replies_before_restart = len(farmer.messages)
    bot_api.go_online()
    async with running_bot(services_factory) as services:
        await bot_api.wait_until_confirmed(redelivered, timeout=30)
        assert bot_api.delivery_counts[redelivered] == 2
        stored = _inputs(services)
        assert sum("cooperative buys all our milk" in text for text in stored) == 1
        # the person is at a consistent point: the next answer moves the interview on as usual
        replies = await farmer.say("skip")
        assert "Question" in replies[-1].plain_text
        assert len(farmer.messages) >= replies_before_restart + 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_answers_only_after_handling_and_refuses_a_wrong_secret(
    bot_api: FakeBotApi, services_factory
) -> None:
    services = services_factory(webhook_secret="s3cret-for-tests")
    application = build_application(services)
    port = _free_port()
    stop = asyncio.Event()
    server = asyncio.create_task(
        serve_webhook(
            application,
            listen="127.0.0.1",
            port=port,
            path="telegram",
            webhook_url="https://planbot.example/telegram",
            secret="s3cret-for-tests",
            stop=stop,
        )
    )
    try:
        await bot_api.wait_for_call("setWebhook", timeout=60)
        assert bot_api.webhook is not None
        user = bot_api.new_user("Hamisi")
        update = {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user.id, "type": "private"},
                "from": {"id": user.id, "is_bot": False, "first_name": "Hamisi"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            }
        }
        url = f"http://127.0.0.1:{port}/telegram"
        assert await bot_api.post_to_webhook(url, update) == 403
        assert await bot_api.post_to_webhook(url, update, secret_token="wrong") == 403
        assert bot_api.messages_to(user.id) == []
        # 200 comes back only once the update was handled: the reply has been sent by then
        assert await bot_api.post_to_webhook(url, update, secret_token="s3cret-for-tests") == 200
        assert "/start" in bot_api.messages_to(user.id)[0].plain_text
        # Telegram retrying the same update (it saw no 200 in time) has no second effect
        assert await bot_api.post_to_webhook(url, update, secret_token="s3cret-for-tests") == 200
        assert len(bot_api.messages_to(user.id)) == 1
    finally:
        stop.set()
        await asyncio.wait_for(server, timeout=60)


def test_run_without_a_good_token_is_one_line(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip() == (
        "planbot: TELEGRAM_BOT_TOKEN: missing; `planbot run` needs the token from @BotFather"
    )
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN: malformed" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert main(["run", "--webhook", "--url", "https://x.example"]) == 2
    assert "PLANBOT_WEBHOOK_SECRET: required in webhook mode" in capsys.readouterr().err


async def test_planbot_run_talks_to_any_bot_api_server(bot_api: FakeBotApi, bot_token: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": bot_token,
        "PLANBOT_TELEGRAM_BASE_URL": bot_api.base_url,
        "PLANBOT_DATA_DIR": str(tmp_path / "data"),
        "PLANBOT_LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.app",
        "run",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        await bot_api.wait_for_call("setMyCommands", timeout=120)
        user = bot_api.new_user("Neema")
        bot_api.send_text(user, "/start")
        await bot_api.wait_for_messages(user.id, 1, timeout=60)
        assert "planbot" in bot_api.messages_to(user.id)[0].plain_text
    finally:
        process.terminate()
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    log = output.decode(errors="replace")
    assert "planbot is up" in log
    secret = bot_token.split(":", 1)[1]
    assert secret not in log, "the bot token appeared in the logs"
