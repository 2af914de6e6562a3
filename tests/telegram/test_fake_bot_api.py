"""The fake Bot API behaves like Telegram where a bot can get it wrong, proved with the real PTB stack."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bench.bench_transport import run
from bench.echo_bot import build_echo_application
from planbot_testkit import updates
from planbot_testkit.server import FakeBotApi, parse_html, polling

pytestmark = pytest.mark.telegram


def echo_app(server: FakeBotApi) -> Application:
    return build_echo_application(server.token, server.base_url, server.base_file_url)


async def raw_call(server: FakeBotApi, method: str, token: str | None = None, **kwargs: Any) -> tuple[int, dict]:
    url = f"{server.base_url}{token or server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


# ---------------------------------------------------------------- polling with a real Application


async def test_echo_bot_replies_through_polling(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user("Wanjiru")
    async with polling(echo_app(bot_api)):
        bot_api.send_text(user, "milk spoil b4 reach cooler 😩")
        replies = await bot_api.wait_for_messages(user, 1)
    assert replies[0].text == "milk spoil b4 reach cooler 😩"
    assert bot_api.calls_to("deleteWebhook"), "PTB bootstraps polling by deleting the webhook"


async def test_offsets_confirm_updates_so_a_restart_does_not_replay_them(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user()
    async with polling(echo_app(bot_api)):
        first = bot_api.send_text(user, "cashew price low")
        await bot_api.wait_for_messages(user, 1)
        await bot_api.wait_until_confirmed(first)
    assert bot_api.pending_updates == []
    async with polling(echo_app(bot_api)):
        bot_api.send_text(user, "no buyer this week")
        replies = await bot_api.wait_for_messages(user, 2)
    assert [m.text for m in replies] == ["cashew price low", "no buyer this week"]
    assert bot_api.delivery_counts[first] == 1


async def test_unconfirmed_updates_are_redelivered_after_a_crash(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user()
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.effective_message.text)

    crashing = Application.builder()
    crashing = bot_api.configure(crashing).build()
    crashing.add_handler(MessageHandler(filters.TEXT, record))
    bot_api.go_offline_after_next_delivery()
    async with polling(crashing):
        update_id = bot_api.send_text(user, "boat engine broke, fish rot")
        await bot_api.wait_for(lambda: seen)
    assert [u["update_id"] for u in bot_api.pending_updates] == [update_id], "never confirmed"

    bot_api.go_online()
    async with polling(echo_app(bot_api)):
        replies = await bot_api.wait_for_messages(user, 1)
        await bot_api.wait_until_confirmed(update_id)
    assert replies[0].text == "boat engine broke, fish rot"
    assert bot_api.delivery_counts[update_id] == 2


async def test_document_upload_and_download(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user()

    async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_document(b"# Plan\n", filename="plan.md", caption="your plan")

    async def read_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        tg_file = await update.effective_message.document.get_file()
        data = await tg_file.download_as_bytearray()
        await update.effective_message.reply_text(f"got {len(data)} bytes: {data.decode()}")

    app = echo_app(bot_api)
    app.add_handler(CommandHandler("export", export), group=-1)
    app.add_handler(MessageHandler(filters.Document.ALL, read_doc))
    async with polling(app):
        bot_api.send_command(user, "export")
        bot_api.send_document(user, "notes.txt", b"coffee cherries", mime_type="text/plain")
        replies = await bot_api.wait_for_messages(user, 3)  # the echo also repeats "/export"
    doc = next(m for m in replies if m.kind == "document")
    assert (doc.document.file_name, doc.document.data, doc.caption) == ("plan.md", b"# Plan\n", "your plan")
    assert bot_api.calls_to("sendDocument")[0].files["document"].data == b"# Plan\n"
    assert any(m.text == "got 15 bytes: coffee cherries" for m in replies)


async def test_callback_button_press_is_answered_and_edits_the_message(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user()

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes")]])
        await update.effective_message.reply_text("Keep this idea?", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("noted")
        await query.edit_message_text(f"<b>You chose</b> {query.data} &amp; done", parse_mode="HTML")

    app = echo_app(bot_api)
    app.add_handler(CommandHandler("menu", menu), group=-1)
    app.add_handler(CallbackQueryHandler(pressed))
    async with polling(app):
        bot_api.send_command(user, "menu")
        (shown,) = await bot_api.wait_for_messages(user, 1)
        assert shown.callback_data == ["vote:yes"]
        with pytest.raises(ValueError, match="no button"):
            bot_api.press_button(user, shown, "vote:no")
        press = bot_api.press_button(user, shown, "vote:yes")
        await bot_api.wait_for(lambda: shown.history)
    assert bot_api.answer_for(press)["text"] == "noted"
    assert shown.plain_text == "You chose vote:yes & done"
    assert shown.reply_markup is None, "editing without a keyboard removes it, as in Telegram"


async def test_poll_answers_reach_the_bot_and_stop_poll_counts_them(bot_api: FakeBotApi) -> None:
    alice, bob = bot_api.new_user("Alice"), bot_api.new_user("Bob")
    voters: list[tuple[int, tuple[int, ...]]] = []

    async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        voters.append((update.poll_answer.user.id, tuple(update.poll_answer.option_ids)))

    app = echo_app(bot_api)
    app.add_handler(PollAnswerHandler(on_answer))
    async with polling(app):
        bot_api.send_text(alice, "hi")
        await bot_api.wait_for_messages(alice, 1)
        message = await app.bot.send_poll(alice.id, "Which first?", ["Cold chain", "Feed"], is_anonymous=False)
        sent = bot_api.last_message_to(alice)
        bot_api.poll_answer(alice, sent, [0])
        bot_api.poll_answer(bob, sent, [0])
        await bot_api.wait_for(lambda: len(voters) == 2)
        poll = await app.bot.stop_poll(alice.id, message.message_id)
    assert voters == [(alice.id, (0,)), (bob.id, (0,))]
    assert (poll.is_closed, [o.voter_count for o in poll.options]) == (True, [2, 0])


# ---------------------------------------------------------------- validation Telegram does


@pytest.fixture
async def bot(bot_api: FakeBotApi) -> Bot:
    async with Bot(bot_api.token, base_url=bot_api.base_url, base_file_url=bot_api.base_file_url) as bot:
        yield bot


@pytest.mark.parametrize(
    "text",
    [
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "<div>x</div>",
        "fish & chips",
        "2 < 3",
        "a > b",
        "<span>x</span>",
    ],
)
async def test_malformed_html_is_rejected_with_400(bot_api: FakeBotApi, bot: Bot, text: str) -> None:
    user = bot_api.new_user()
    bot_api.send_text(user, "hello")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.id, text, parse_mode="HTML")
    assert bot_api.messages_to(user) == []


async def test_html_length_counts_text_after_entity_parsing(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.new_user()
    bot_api.send_text(user, "hello")
    await bot.send_message(user.id, "<b>" + "a" * 4095 + "&amp;</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(user.id, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)empty"):
        await bot.send_message(user.id, "<b> </b>", parse_mode="HTML")
    assert len(bot_api.messages_to(user)) == 1


async def test_callback_data_over_64_bytes_is_rejected(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.new_user()
    bot_api.send_text(user, "hello")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])  # 64 bytes
    await bot.send_message(user.id, "fits", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "too long", reply_markup=too_long)
    assert [m.text for m in bot_api.messages_to(user)] == ["fits"]


async def test_editing_to_the_same_content_is_not_modified(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.new_user()
    bot_api.send_text(user, "hello")
    sent = await bot.send_message(user.id, "same")
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("same", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)


async def test_unknown_chat_and_blocked_user_fail_like_telegram(bot_api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello")
    user = bot_api.new_user()
    bot_api.send_text(user, "hello")
    bot_api.block_bot(user)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(user.id, "reminder")


async def test_wrong_token_is_unauthorized_and_unknown_method_not_found(bot_api: FakeBotApi) -> None:
    wrong = Bot("999:WRONG-token", base_url=bot_api.base_url)
    with pytest.raises(InvalidToken):
        await wrong.get_me()
    status, body = await raw_call(bot_api, "sendTelepathy", json={})
    assert (status, body) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )


async def test_commands_are_recorded_per_scope(bot_api: FakeBotApi, bot: Bot) -> None:
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("newplan", "Start a plan")], scope=scope)
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["newplan"]
    assert await bot.get_my_commands() == ()
    assert bot_api.commands_for({"type": "all_private_chats"}) == [
        {"command": "newplan", "description": "Start a plan"}
    ]
    await bot.delete_my_commands(scope=scope)
    assert await bot.get_my_commands(scope=scope) == ()


# ---------------------------------------------------------------- raw getUpdates semantics


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user()
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, bot_api.send_text, user, "hi")
    started = time.monotonic()
    status, body = await raw_call(bot_api, "getUpdates", json={"timeout": 20})
    assert status == 200 and len(body["result"]) == 1
    assert time.monotonic() - started < 10.0  # well before the 20 s poll would end: it returned on the update


async def test_get_updates_redelivers_until_an_offset_confirms(bot_api: FakeBotApi) -> None:
    user = bot_api.new_user()
    first = bot_api.send_text(user, "one")
    second = bot_api.send_text(user, "two")
    for _ in range(2):
        _, body = await raw_call(bot_api, "getUpdates", data={"timeout": "0"})
        assert [u["update_id"] for u in body["result"]] == [first, second]
    _, body = await raw_call(bot_api, "getUpdates", data={"offset": str(second), "timeout": "0"})
    assert [u["update_id"] for u in body["result"]] == [second]
    _, body = await raw_call(bot_api, "getUpdates", json={"offset": second + 1, "timeout": 0})
    assert body["result"] == [] and bot_api.pending_updates == []


async def test_a_second_poller_terminates_the_first_with_409(bot_api: FakeBotApi) -> None:
    first = asyncio.create_task(raw_call(bot_api, "getUpdates", json={"timeout": 5}))
    await bot_api.wait_for_call("getUpdates")
    _, second = await raw_call(bot_api, "getUpdates", json={"timeout": 0})
    status, body = await first
    assert second["ok"] and (status, body["error_code"]) == (409, 409)
    assert "terminated by other getUpdates" in body["description"]


# ---------------------------------------------------------------- webhook


async def test_webhook_delivery_carries_the_secret_token(bot_api: FakeBotApi) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = echo_app(bot_api)
    user = bot_api.new_user()
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg",
        webhook_url="https://planbot.example/tg",
        secret_token="s3cret",
    )
    try:
        assert bot_api.webhook["url"] == "https://planbot.example/tg"
        status, _ = await raw_call(bot_api, "getUpdates", json={})
        assert status == 409, "Telegram refuses getUpdates while a webhook is set"
        update = updates.text_update(77, user, "via webhook")
        assert await bot_api.post_to_webhook(f"http://127.0.0.1:{port}/tg", update, "wrong") == 403
        assert await bot_api.post_to_webhook(f"http://127.0.0.1:{port}/tg", update, "s3cret") == 200
        replies = await bot_api.wait_for_messages(user, 1)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert [m.text for m in replies] == ["via webhook"]


# ---------------------------------------------------------------- the kit itself


def test_update_factories_parse_with_ptb() -> None:
    user = updates.FakeUser(7, "Joseph", "jo_farmer")
    data = updates.text_update(5, user, "🐄🐄 /check@planbot_test_bot milk cold chain @jo_farmer")
    update = Update.de_json(data, Bot("1:x"))
    found = update.message.parse_entities()
    assert sorted(found.values()) == ["/check@planbot_test_bot", "@jo_farmer"]
    assert update.effective_chat.type == "private" and update.effective_user.id == 7


@pytest.mark.parametrize(
    ("html_text", "plain"),
    [
        ("<b>bold</b> &lt;tag&gt; &amp; &#128004;", "bold <tag> & 🐄"),
        ('<a href="https://t.me/x?start=a&amp;b">link</a>', "link"),
        ('<pre><code class="language-python">x</code></pre>', "x"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
    ],
)
def test_valid_html_parses_to_plain_text(html_text: str, plain: str) -> None:
    assert parse_html(html_text) == plain


def test_the_server_refuses_non_loopback_addresses() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeBotApi(host="0.0.0.0")


async def test_webhook_posts_only_to_loopback(bot_api: FakeBotApi) -> None:
    with pytest.raises(ValueError, match="loopback"):
        await bot_api.post_to_webhook("http://10.0.0.1/tg", {"update_id": 1})


async def test_every_scripted_kind_of_message_parses_in_ptb(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.new_user()
    group = bot_api.new_group("Coffee cooperative")
    bot_api.send_photo(user, caption="drying beds")
    bot_api.send_voice(user)
    bot_api.send_video(user)
    bot_api.send_sticker(user)
    bot_api.send_location(user, -1.28, 36.82)
    bot_api.send_contact(user, "+254700000000", "Otieno")
    first = bot_api.send_text(user, "typo hre")
    bot_api.edit_text(user, bot_api.pending_updates[-1]["message"]["message_id"], "typo here")
    bot_api.send_text(user, bot_api.mention_text("/summary pls"), group)
    bot_api.add_bot_to_group(user, group)
    got = await bot.get_updates(timeout=0)
    kinds = [
        filters.PHOTO.check_update(got[0]),
        filters.VOICE.check_update(got[1]),
        filters.VIDEO.check_update(got[2]),
        filters.Sticker.ALL.check_update(got[3]),
        filters.LOCATION.check_update(got[4]),
        filters.CONTACT.check_update(got[5]),
    ]
    assert all(kinds)
    assert got[6].update_id == first and got[7].edited_message.text == "typo here"
    assert got[8].effective_chat.type == "group" and "mention" in {e.type for e in got[8].message.entities}
    assert got[9].my_chat_member.new_chat_member.status == "member"
    photo = await got[0].message.photo[-1].get_file()
    assert await photo.download_as_bytearray() == bytearray(b"\xff\xd8fakejpeg")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB
async def test_injected_flood_wait_surfaces_as_retry_after(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.new_user()
    bot_api.send_text(user, "hello")
    bot_api.inject_error("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "first")
    assert "retry in 3 seconds" in str(caught.value).lower()
    await bot.send_message(user.id, "second")
    assert [m.text for m in bot_api.messages_to(user)] == ["second"]


async def test_bench_transport_measures_a_small_load() -> None:
    figures = await run(3, 2, burst=False, concurrent=0, timeout=10)
    assert figures["updates"] == 6 and figures["wrong_replies"] == 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]


def test_the_kit_imports_without_pytest() -> None:
    code = "import sys, planbot_testkit, bench.bench_transport; sys.exit('pytest' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=Path(__file__).parents[2]).returncode == 0
