"""The worker side of the flush-lag benchmark: the real Worker, a handler that does nothing.

usage: python -m benchmarks.lag_worker REDIS_URL PREFIX EXPECTED TIMEOUT_S
Prints `ready`, then once EXPECTED batches ran (or TIMEOUT_S passed) one JSON line:
{"lags_ms": [...], "handled": N, "cpu_s": C, "seconds": S}, and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from engine.batcher import Batch, Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import connect
from engine.worker import Worker


class CountingHandler:
    def __init__(self, expected: int, done: asyncio.Event) -> None:
        self.expected = expected
        self.done = done
        self.handled = 0

    async def handle(self, batch: Batch) -> None:
        self.handled += 1
        if self.handled >= self.expected:
            self.done.set()


async def main(url: str, prefix: str, expected: int, timeout_s: float) -> None:
    redis = await connect(url)
    batcher = Batcher(redis, Keys(prefix), BatchPolicy(), SystemClock())
    lags: list[int] = []
    done = asyncio.Event()
    handler = CountingHandler(expected, done)
    worker = Worker(batcher, handler, batcher.clock, on_flush_lag=lags.append)
    task = asyncio.create_task(worker.run(done))
    print("ready", flush=True)
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        await asyncio.wait_for(done.wait(), timeout=timeout_s)
    except TimeoutError:
        done.set()
    await asyncio.wait_for(task, timeout=30)
    # The worker's own CPU (user + system) while it served: less noisy than the lag on a
    # shared machine. It includes idle waiting for the appends, which costs little CPU.
    cpu_s = time.process_time() - cpu_started
    print(json.dumps({"lags_ms": lags, "handled": handler.handled, "cpu_s": round(cpu_s, 3),
                      "seconds": round(time.perf_counter() - started, 3)}), flush=True)  # fmt: skip
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
