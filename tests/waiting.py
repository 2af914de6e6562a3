"""Waiting in tests: on an event or a condition, with a generous bound, never for a fixed time.

Most waits are on the loopback Bot API server's change events (`FakeBotApi.wait_for`). What no event tells
about (another process's port, a server's heartbeat) is polled here, bounded by a deadline, so a slow or
loaded machine only makes a test slower, never wrong.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.05


def wait_until(predicate: Callable[[], T], timeout: float, what: str) -> T:
    """`predicate()` once truthy (returned), re-checked every few milliseconds; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(POLL_SECONDS)  # the poll interval of a condition no event announces, not a wait for something


async def await_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """The same inside an event loop."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(POLL_SECONDS)


async def first_of(*awaitables: Any) -> set[asyncio.Future]:
    """Wait until the first of several things happens (a condition met, or a process exited)."""
    futures = [asyncio.ensure_future(a) for a in awaitables]
    done, pending = await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
    for future in pending:
        future.cancel()
    return done
