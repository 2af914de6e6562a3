"""The webhook server: an update is acknowledged (200) only after planbot has handled it.

python-telegram-bot's own webhook server answers 200 as soon as an update is queued, so a worker killed
mid-update loses it: Telegram never sends it again. Here the handler runs first; a worker that dies before
answering leaves Telegram to redeliver, and the engine's de-duplication in SQL keeps a second delivery
from having a second effect. Requests without the right secret header are refused with 403.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.telegram.app import post_init, post_shutdown

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024


def webhook_app(application: Application, path: str, secret: str) -> web.Application:
    """The aiohttp app serving POST /<path>; handling goes through the application's update processor, so one
    person's updates stay in order while different people are served at once."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("refused an update that is not valid Bot API JSON: %s", type(exc).__name__)
            return web.Response(status=400, text="not a Telegram update")
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        await application.update_processor.process_update(update, application.process_update(update))
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(f"/{path.strip('/')}", receive)
    return app


async def serve_webhook(
    application: Application,
    *,
    listen: str,
    port: int,
    path: str,
    webhook_url: str,
    secret: str,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set): set the webhook, serve it, and on the way out finish what
    is being handled."""
    await application.initialize()
    await post_init(application)
    await application.start()
    runner = web.AppRunner(webhook_app(application, path, secret), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, listen, port)
    await site.start()  # ready before Telegram is told where to post
    await application.bot.set_webhook(webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    log.info("webhook listening on %s:%d/%s", listen, port, path.strip("/"))
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # stops accepting, lets requests in flight finish
        await application.stop()
        await application.shutdown()
        await post_shutdown(application)
