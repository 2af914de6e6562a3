"""Rendering engine replies for Telegram: escaped HTML, split under the length limit, inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import callbacks
from bot.engine.models import Choice

MAX_MESSAGE_CHARS = 4096
MAX_CAPTION_CHARS = 1024  # a photo's caption
BUTTONS_PER_ROW = 2


def escape(text: str) -> str:
    """Every piece of user text goes through here before it is sent with parse_mode HTML."""
    return html.escape(text, quote=False)


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut a long (already escaped) text at paragraph boundaries, then lines, then spaces; never inside an entity."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0)
        if cut <= 0:
            cut = limit
            amp = window.rfind("&")
            if amp != -1 and ";" not in window[amp:]:
                cut = amp  # do not cut an escaped character such as &amp; in two
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        parts.append(rest)
    return [part for part in parts if part]


def caption(text: str, limit: int = MAX_CAPTION_CHARS) -> str:
    """A photo's caption, escaped and kept under Telegram's limit (cut at a boundary, never inside an entity)."""
    escaped = escape(text).strip()
    return split_message(escaped, limit)[0] if escaped else ""


def keyboard(choices: list[Choice]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    buttons = [InlineKeyboardButton(choice.label[:64], callback_data=choice.data) for choice in choices]
    per_row = 1 if any(len(choice.label) > 24 for choice in choices) else BUTTONS_PER_ROW
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)


def valid_callback_data(data: str | None) -> bool:
    """Shape check before anything reaches the engine (which parses it, then checks it was really offered)."""
    return callbacks.fits(data)
