"""Bounded waiting for tests on the system clock: poll a condition, fail after a timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], Awaitable[bool]], timeout_s: float, what: str = "condition"
) -> None:
    """Return as soon as `condition()` is true; raise AssertionError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not met within {timeout_s} s")
