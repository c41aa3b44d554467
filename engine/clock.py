"""Clocks: the system one, and a virtual one that tests and transcripts move by hand."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    def now(self) -> datetime:
        """Aware UTC datetime of `now_ms()`."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class VirtualClock:
    """Time moves only when `advance` is called; `sleep` returns at once (and advances)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware datetime")
        self._ms = int(start.timestamp() * 1000)

    def now_ms(self) -> int:
        return self._ms

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._ms / 1000, UTC)

    def advance(self, seconds: float) -> None:
        self._ms += int(seconds * 1000)

    def set(self, moment: datetime) -> None:
        self._ms = int(moment.timestamp() * 1000)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)
