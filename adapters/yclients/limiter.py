"""Client-side rate limit (the catalogue cache is `cachetools.TTLCache`, in the client).

[APIB] "Лимиты": 200 requests per minute or 5 per second (per IP). The limiter keeps the
send times of the last requests and waits until a new one fits in both windows.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

Monotonic = Callable[[], float]


class RateLimiter:
    """Sliding-window limiter: at most `per_second` sends in any second and `per_minute`
    in any minute. `margin_s` widens the windows a little so that network jitter between
    our send time and the server's arrival time cannot squeeze six requests into one
    server-side second.
    """

    def __init__(
        self,
        per_second: int = 5,
        per_minute: int = 200,
        *,
        margin_s: float = 0.05,
        second_s: float = 1.0,
        minute_s: float = 60.0,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.per_minute = per_minute
        # The window lengths are parameters only so tests can shrink the minute.
        self.second_s = second_s
        self.minute_s = minute_s
        self.margin_s = margin_s
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    def _wait_needed(self, now: float) -> float:
        keep = max(self.minute_s, self.second_s) + self.margin_s
        while self._sent and now - self._sent[0] >= keep:
            self._sent.popleft()
        waits = [0.0]
        if len(self._sent) >= self.per_minute:
            waits.append(self._sent[-self.per_minute] + self.minute_s + self.margin_s - now)
        if len(self._sent) >= self.per_second:
            waits.append(self._sent[-self.per_second] + self.second_s + self.margin_s - now)
        return max(waits)

    async def acquire(self) -> None:
        """Wait for a free place in both windows, then take it."""
        async with self._lock:  # one waiter at a time keeps the order fair
            while True:
                wait = self._wait_needed(self._clock())
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._sent.append(self._clock())
