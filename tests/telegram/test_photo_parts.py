"""A reply with a photo on Telegram: the photo with its escaped caption first, then the text, then the files; a
resend after a crash starts after the parts already sent."""

from __future__ import annotations

import pytest

from bot.engine.models import Reply, ReplyFile, ReplyPhoto
from bot.telegram.delivery import send_reply
from bot.telegram.render import MAX_CAPTION_CHARS, caption
from planbot_testkit.server import parse_html

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


class RecordingBot:
    """Records each call in order: (method, what the person sees)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        self.sent.append(("message", text))

    async def send_photo(self, chat_id: int, photo: bytes, caption: str | None = None, **kw: object) -> None:
        assert photo == PNG and kw.get("filename") == "themes.png"
        assert caption is None or kw.get("parse_mode") == "HTML"
        self.sent.append(("photo", caption or ""))

    async def send_document(self, chat_id: int, document: bytes, filename: str, **_: object) -> None:
        self.sent.append(("document", filename))


def _reply() -> Reply:
    photo = ReplyPhoto(name="themes.png", content=PNG, caption='Raised by most: "prices < costs & fees"')
    return Reply(text="Summary of <Dairy>", photo=photo, files=[ReplyFile(name="plan.md", content=b"# plan")])


async def test_photo_first_with_its_caption_escaped_then_text_then_files() -> None:
    bot = RecordingBot()
    assert await send_reply(bot, 1, _reply()) == 3
    assert [kind for kind, _ in bot.sent] == ["photo", "message", "document"]
    assert parse_html(bot.sent[0][1]) == 'Raised by most: "prices < costs & fees"'  # escaped, read as typed
    assert parse_html(bot.sent[1][1]) == "Summary of <Dairy>"


async def test_a_resend_after_the_photo_went_out_sends_only_the_rest() -> None:
    bot = RecordingBot()
    await send_reply(bot, 1, _reply(), skip=1)
    assert [kind for kind, _ in bot.sent] == ["message", "document"]


@pytest.mark.parametrize("text", ["word " * 400, "&" * 2000, "x" * 3000])
def test_a_long_caption_is_cut_under_the_limit_never_inside_an_escape(text: str) -> None:
    cut = caption(text)
    assert 0 < len(cut) <= MAX_CAPTION_CHARS
    assert text.startswith(parse_html(cut).rstrip())  # a prefix of what was written, every entity whole
