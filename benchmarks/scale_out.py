"""Benchmark 6: scale-out — ingest and turn throughput with 1 and 2 processes.

- Ingest: 1 or 2 webhook processes (`benchmarks.ingest_server webhook`), the load spread
  round-robin over them by the same aiohttp client as in `benchmarks.ingest`.
- Turns: 1 or 2 real worker processes (`tests.support.engine_worker`: Worker,
  DialogueRunner, offline filler; the sandbox salon in its own process), N phones whose
  booking request is appended at once; throughput is turns over the time from the first
  batch falling due to the last one processed.

On this 2-core machine the load generator, Redis and the sandbox share the cores with
the processes under test, so the second process can add little; the figures say how much.

    .venv/bin/python -m benchmarks.scale_out [--requests 20000] [--phones 600]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from benchmarks.common import DEFAULT_REDIS_URL, bench_prefix, command_line, delete_prefix, report
from benchmarks.engine_setup import (
    CountingGateway,
    first_message,
    start_sandbox,
    start_worker,
    wait_processed,
)
from benchmarks.load import run_load, venom_body
from benchmarks.servers import children, free_port
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import client_for

QUIET_MS = 2000


def ingest(url: str, processes: int, requests: int, concurrency: int) -> dict[str, Any]:
    prefix = bench_prefix("scale-ingest")
    try:
        with children() as procs:
            urls = []
            for _ in range(processes):
                port = free_port()
                procs.start("benchmarks.ingest_server", "webhook", str(port), prefix, url)
                urls.append(f"http://127.0.0.1:{port}/webhook/whatsapp/batched")
            asyncio.run(run_load(urls, 2000, concurrency, 30, lambda n: venom_body(n, 5000)))
            result = asyncio.run(
                run_load(urls, requests, concurrency, 60, lambda n: venom_body(n, 5000), 2000)
            )
    finally:
        delete_prefix(url, prefix)
    result.pop("latencies_ms")
    return {"processes": processes, **result}


async def push_and_wait(url: str, prefix: str, phones: int) -> dict[str, Any]:
    redis = client_for(url)
    batcher = Batcher(redis, Keys(prefix), BatchPolicy(quiet_ms=QUIET_MS), SystemClock())
    gate = asyncio.Semaphore(64)

    async def append(n: int) -> None:
        async with gate:
            await batcher.append(*first_message(n))

    try:
        started = time.perf_counter()
        await asyncio.gather(*(append(n) for n in range(phones)))
        outcome = await wait_processed(batcher, phones, timeout_s=240)
        busy_s = time.perf_counter() - started - QUIET_MS / 1000  # from the first due time
    finally:
        await redis.aclose()
    return {**outcome, "seconds": round(busy_s, 2), "turns_per_s": round(phones / busy_s, 1)}


def turns(url: str, processes: int, phones: int) -> dict[str, Any]:
    prefix = bench_prefix("scale-turns")

    async def run(sandbox: str, procs: Any) -> dict[str, Any]:
        async with CountingGateway().running() as gateway:
            for _ in range(processes):
                start_worker(procs, url, prefix, sandbox, gateway.url)
            result = await push_and_wait(url, prefix, phones)
            result["replies_sent"] = gateway.replies
            return result

    try:
        with children() as procs:
            sandbox = start_sandbox(procs)
            result = asyncio.run(run(sandbox, procs))
    finally:
        delete_prefix(url, prefix)
    return {"processes": processes, "phones": phones, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--phones", type=int, default=600)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    url = args.redis_url
    ingest_runs = [ingest(url, n, args.requests, args.concurrency) for n in (1, 2)]
    turn_runs = [turns(url, n, args.phones) for n in (1, 2)]
    report(
        "scale_out",
        command_line("benchmarks.scale_out"),
        {
            "ingest": ingest_runs,
            "ingest_speedup_2_over_1": round(ingest_runs[1]["rps"] / ingest_runs[0]["rps"], 2),
            "turns": turn_runs,
            "turns_speedup_2_over_1": round(
                turn_runs[1]["turns_per_s"] / turn_runs[0]["turns_per_s"], 2
            ),
        },
    )


if __name__ == "__main__":
    main()
