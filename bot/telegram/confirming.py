"""A bot whose long polling confirms an update only once it has been handled, and skips unreadable ones.

Telegram forgets every update below the `offset` of the next getUpdates. PTB asks for the next batch as
soon as it has queued the last one, so a worker killed mid-batch would lose what it had queued but not yet
handled. Waiting for the update queue to drain before each getUpdates makes the offset mean "handled"
(redelivered duplicates are harmless: the engine de-duplicates by source id in SQL).

An update that python-telegram-bot cannot parse would otherwise fail every getUpdates and wedge the bot for
everyone; it is logged, dropped, and confirmed past.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


class ConfirmAfterHandlingBot(ExtBot):
    """ExtBot whose getUpdates first awaits `handled()` (the Application's update queue drained)."""

    __slots__ = ("_handled", "_skip_below")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handled: Callable[[], Awaitable[object]] | None = None
        self._skip_below = 0  # updates below this id were unreadable and are confirmed past

    def confirm_after(self, handled: Callable[[], Awaitable[object]]) -> None:
        self._handled = handled

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        if self._handled is not None:
            await self._handled()
        return await super().get_updates(*args, **kwargs)

    async def _post(self, endpoint: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        if endpoint != "getUpdates":
            return await super()._post(endpoint, data, *args, **kwargs)
        if isinstance(data, dict) and self._skip_below and int(data.get("offset") or 0) < self._skip_below:
            data = {**data, "offset": self._skip_below}
        result = await super()._post(endpoint, data, *args, **kwargs)
        if not isinstance(result, list):
            return result
        readable = []
        for raw in result:
            try:
                Update.de_json(raw, self)
            except Exception as exc:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                log.error("dropped an update python-telegram-bot cannot read (update_id %s): %s", update_id, exc)
                if isinstance(update_id, int):
                    self._skip_below = max(self._skip_below, update_id + 1)
                continue
            readable.append(raw)
        return readable


def build_bot(token: str, base_url: str, base_file_url: str, rate_limiter: Any) -> ConfirmAfterHandlingBot:
    """The same bot ApplicationBuilder would make (256 connections for calls, one for getUpdates)."""
    return ConfirmAfterHandlingBot(
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=rate_limiter,
    )
