"""A bot whose long polling confirms an update only once it has been handled.

Telegram forgets every update below the `offset` of the next getUpdates. PTB asks for the next batch as
soon as it has queued the last one, so a worker killed mid-batch would lose what it had queued but not yet
handled. Waiting for the update queue to drain before each getUpdates makes the offset mean "handled"
(redelivered duplicates are harmless: the engine de-duplicates by source id in SQL).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest


class ConfirmAfterHandlingBot(ExtBot):
    """ExtBot whose getUpdates first awaits `handled()` (the Application's update queue drained)."""

    __slots__ = ("_handled",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handled: Callable[[], Awaitable[object]] | None = None

    def confirm_after(self, handled: Callable[[], Awaitable[object]]) -> None:
        self._handled = handled

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        if self._handled is not None:
            await self._handled()
        return await super().get_updates(*args, **kwargs)


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
