"""Benchmark 2: flush lag — when a batch's processing starts, minus when it was due.

A real worker process (system clock, a handler that does nothing) and N phones with one
pending batch each: every phone's message is appended within a few seconds, with a quiet
window longer than that, so all N batches are pending at once and fall due in a burst as
wide as the append took. The worker's `on_flush_lag` callback records each lag.

    .venv/bin/python -m benchmarks.flush_lag [--phones 1000 10000] [--quiet-ms 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from benchmarks.common import (
    DEFAULT_REDIS_URL,
    bench_prefix,
    command_line,
    delete_prefix,
    percentiles,
    report,
)
from benchmarks.servers import children
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import connect
from states.messages import InboundMessage


async def append_all(url: str, prefix: str, phones: int, quiet_ms: int) -> float:
    """Append one message per phone, 64 at a time; the seconds it took."""
    redis = await connect(url)
    policy = BatchPolicy(quiet_ms=quiet_ms, max_wait_ms=quiet_ms * 3)
    batcher = Batcher(redis, Keys(prefix), policy, SystemClock())
    gate = asyncio.Semaphore(64)
    started = time.perf_counter()

    async def one(n: int) -> None:
        phone = str(79_000_000_000 + n)
        message = InboundMessage(
            id=f"m{n}", chat=f"{phone}@c.us", type="chat", body="Запишите на стрижку",
            timestamp_s=time.time(),
        )  # fmt: skip
        async with gate:
            await batcher.append(phone, message)

    await asyncio.gather(*(one(n) for n in range(phones)))
    elapsed = time.perf_counter() - started
    await redis.aclose()
    return elapsed


def run(url: str, phones: int, quiet_ms: int) -> dict[str, Any]:
    prefix = bench_prefix("lag")
    try:
        with children() as procs:
            timeout_s = quiet_ms / 1000 + 120
            args = [url, prefix, str(phones), str(timeout_s)]
            worker = procs.start("benchmarks.lag_worker", *args)
            append_s = asyncio.run(append_all(url, prefix, phones, quiet_ms))
            assert worker.stdout is not None
            result = json.loads(worker.stdout.readline())
    finally:
        delete_prefix(url, prefix)
    return {
        "phones": phones,
        "handled": result["handled"],
        "append_seconds": round(append_s, 3),
        "worker_cpu_us_per_batch": round(result["cpu_s"] * 1e6 / max(1, result["handled"]), 1),
        "lag": percentiles([float(x) for x in result["lags_ms"]]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phones", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--quiet-ms", type=int, default=5_000)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    runs = [run(args.redis_url, n, args.quiet_ms) for n in args.phones]
    report(
        "flush_lag",
        command_line("benchmarks.flush_lag"),
        {"quiet_ms": args.quiet_ms, "worker_concurrency": 32, "runs": runs},
    )


if __name__ == "__main__":
    main()
