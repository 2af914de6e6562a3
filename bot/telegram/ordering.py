"""An update processor that keeps each person's updates in order while serving different people at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def ordering_key(update: object) -> str:
    """Updates of one person (or, for groups, one chat) share a key; unknown updates get their own."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return f"user:{update.effective_user.id}"
        if update.effective_chat is not None:
            return f"chat:{update.effective_chat.id}"
        return f"update:{update.update_id}"
    return f"object:{id(update)}"


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across people, sequential per person (a lock per key, dropped when nobody waits)."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        self._locks.clear()
        self._waiting.clear()
