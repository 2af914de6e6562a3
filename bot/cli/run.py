"""`planbot run`: the Telegram bot, by long polling (default) or behind a webhook."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.errors import SettingsError
from bot.logs import configure_logging
from bot.services import Services
from bot.settings import load_settings


def run(
    webhook: Annotated[bool, typer.Option("--webhook", help="Receive updates by webhook instead of polling.")] = False,
    listen: Annotated[str, typer.Option(help="Webhook: address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Webhook: port to listen on.")] = 8443,
    url: Annotated[str | None, typer.Option(help="Webhook: the public HTTPS URL Telegram posts to.")] = None,
    path: Annotated[str, typer.Option(help="Webhook: URL path on this server.")] = "telegram",
) -> None:
    """The Telegram bot (needs TELEGRAM_BOT_TOKEN; PLANBOT_TELEGRAM_BASE_URL points it at any Bot API server)."""
    from telegram import Update

    from bot.telegram.app import build_application, validate_token

    settings = load_settings()
    configure_logging(settings)
    validate_token(settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None)
    if webhook:
        if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
            raise SettingsError("PLANBOT_WEBHOOK_SECRET: required in webhook mode")
        if not url:
            raise SettingsError("--url: webhook mode needs the public URL Telegram will post to")
    application = build_application(Services(settings))
    if webhook:
        import asyncio

        from bot.telegram.webhook import serve_webhook

        asyncio.run(
            serve_webhook(
                application,
                listen=listen,
                port=port,
                path=path,
                webhook_url=f"{url.rstrip('/')}/{path.strip('/')}",
                secret=settings.webhook_secret.get_secret_value(),
            )
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)


def register(app: typer.Typer) -> None:
    app.command()(run)
