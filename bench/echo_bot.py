"""A bare python-telegram-bot echo bot: the transport's ceiling, with no planbot logic in the way."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the user's own text, so a benchmark can match each reply to its message."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text, do_quote=False)


def build_echo_application(
    token: str,
    base_url: str,
    base_file_url: str | None = None,
    *,
    concurrent_updates: bool | int = False,
    connection_pool_size: int = 256,
) -> Application:
    """An ``Application`` that echoes text messages, wired to a (fake) Bot API at ``base_url``."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .concurrent_updates(concurrent_updates)
        .connection_pool_size(connection_pool_size)
    )
    if base_file_url is not None:
        builder = builder.base_file_url(base_file_url)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app
