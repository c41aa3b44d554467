"""Benchmark 4: worker memory with 10,000 conversations persisted and 1,000 active.

The product's worker, as an operator runs it: `ai-admin worker` in a subprocess
(`benchmarks.product_worker`), configured by its environment alone: no OpenAI key (the
offline filler), a YClients account pointed at the sandbox (`ai-admin sandbox`, another
process, on the system clock), replies to a venom gateway here, and a Redis server of its
own (the worker uses the product's key prefix). A real conversation (two turns, booked)
is replayed into 10,000 phones' persisted state; the worker starts, and 1,000 of those
phones write at once, each a booking request for one of the next eight days. The
worker's RSS is sampled every 50 ms and its USS (private memory: pages no other process
shares, so neither the shared libraries nor the mapped dictionary files) every second:
idle after start, peak while the 1,000 turns run, and after. Redis memory per persisted
conversation comes from `INFO memory` before and after. Then `benchmarks.import_memory`:
what the memory is made of, import group by import group and dictionary by dictionary,
each in a fresh interpreter.

    .venv/bin/python -m benchmarks.memory [--persisted 10000] [--active 1000] [--no-breakdown]

(The breakdown alone: `.venv/bin/python -m benchmarks.import_memory`.)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil

from adapters.fillers import OfflineFiller
from adapters.yclients.sandbox import load_fixture
from benchmarks.common import command_line, report
from benchmarks.engine_setup import CountingGateway, first_message, start_sandbox, wait_processed
from benchmarks.import_memory import breakdown
from benchmarks.product_worker import product_worker
from benchmarks.servers import children, free_port
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.harness import engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for
from engine.runtime import YClientsLimits
from tests.support.redis_servers import RedisServer

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
# The product worker keeps YClients' own rate limit (5 requests a second, 200 a minute).
TURNS_TIMEOUT_S = 1800
TEMPLATE_PHONE = "79990001122"


async def template_document(redis: AsyncRedis, keys: Keys) -> str:
    """The stored document of a real booked conversation (two turns, traces included)."""
    lifted = YClientsLimits.lifted()
    async with engine_harness(redis, keys, OfflineFiller(), START, yclients=lifted) as h:
        await h.turn(TEMPLATE_PHONE, "Запишите на стрижку", "завтра в 18:00", "к Бари",
                     pushname="Ира")  # fmt: skip
        await h.turn(TEMPLATE_PHONE, "да")
        assert (await h.conversation(TEMPLATE_PHONE)).state == "booked"
    raw = await redis.hget(keys.phone_keys(TEMPLATE_PHONE).state, "doc")
    assert raw is not None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def persist(redis: AsyncRedis, keys: Keys, count: int) -> dict[str, Any]:
    template = await template_document(redis, Keys(f"{keys.prefix}-template"))
    before = int((await redis.info("memory"))["used_memory"])
    for start in range(0, count, 500):
        pipe = redis.pipeline(transaction=False)
        for n in range(start, min(count, start + 500)):
            phone = first_message(n)[0]
            doc = template.replace(TEMPLATE_PHONE, phone)
            pipe.hset(keys.phone_keys(phone).state, mapping={"version": 2, "doc": doc})
        await pipe.execute()
    after = int((await redis.info("memory"))["used_memory"])
    return {
        "conversations": count,
        "document_bytes": len(template.encode()),
        "redis_bytes_per_conversation": round((after - before) / count),
    }


async def activate(url: str, active: int, rss: RssSampler) -> dict[str, Any]:
    """Idle for a second, then `active` phones write at once (the salon's today)."""
    redis = client_for(url)
    batcher = Batcher(redis, Keys(), BatchPolicy(quiet_ms=1000), SystemClock())
    today = salon_today()
    try:
        await asyncio.sleep(1.0)
        rss.mark("idle")
        started = time.perf_counter()
        gate = asyncio.Semaphore(64)  # the client pool holds 100 connections at most

        async def append(n: int) -> None:
            async with gate:
                await batcher.append(*first_message(n, today))

        await asyncio.gather(*(append(n) for n in range(active)))
        outcome = await wait_processed(batcher, active, timeout_s=TURNS_TIMEOUT_S)
        outcome["seconds_to_process"] = round(time.perf_counter() - started, 2)
        await asyncio.sleep(0.5)
        rss.mark("after")
        return outcome
    finally:
        await redis.aclose()


class RssSampler:
    """Samples a process's RSS every 50 ms and its USS every second, in the background.

    USS comes from `/proc/PID/smaps`, whose reading costs milliseconds: it is read in a
    thread and seldom, so the sampler does not hold up this process's venom gateway."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[int] = []
        self.uss_samples: list[int] = []
        self.marks: dict[str, tuple[int, int]] = {}

    def read(self) -> tuple[int, int]:
        info = self.process.memory_full_info()
        return info.rss, info.uss

    def mark(self, name: str) -> None:
        self.marks[name] = self.read()

    async def run(self, stop: asyncio.Event) -> None:
        tick = 0
        while not stop.is_set() and self.process.is_running():
            self.samples.append(self.process.memory_info().rss)
            if tick % 20 == 0:
                self.uss_samples.append((await asyncio.to_thread(self.read))[1])
            tick += 1
            await asyncio.sleep(0.05)


def salon_today() -> date:
    """The day in the demo salon's timezone: the sandbox's schedule starts there."""
    return datetime.now(load_fixture().timezone).date()


def mb(value: int) -> float:
    return round(value / 2**20, 1)


async def measure(persisted: int, active: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as workdir:
        server = RedisServer(free_port(), Path(workdir))
        server.start()
        try:
            return await measure_on(server.url, persisted, active)
        finally:
            server.stop()


async def measure_on(url: str, persisted: int, active: int) -> dict[str, Any]:
    """On the Redis at `url`, which holds nothing else (the worker's prefix is `Keys()`'s)."""
    redis = client_for(url)
    try:
        stored = await persist(redis, Keys(), persisted)
    finally:
        await redis.aclose()
    with children() as procs:
        sandbox = start_sandbox(procs, frozen=False)
        async with CountingGateway().running() as gateway:
            with product_worker(url, sandbox, gateway.url) as worker:
                rss = RssSampler(worker.pid)
                stop = asyncio.Event()
                sampler = asyncio.create_task(rss.run(stop))
                outcome = await activate(url, active, rss)
                stop.set()
                await sampler
                outcome["replies_sent"] = gateway.replies
    return {
        "persisted": stored,
        "active_phones": active,
        "turns": outcome,
        "worker_rss_mb": {
            "idle": mb(rss.marks["idle"][0]),
            "peak": mb(max(rss.samples)),
            "after": mb(rss.marks["after"][0]),
        },
        "worker_uss_mb": {
            "idle": mb(rss.marks["idle"][1]),
            "peak": mb(max(rss.uss_samples)),
            "after": mb(rss.marks["after"][1]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persisted", type=int, default=10_000)
    parser.add_argument("--active", type=int, default=1_000)
    parser.add_argument("--no-breakdown", action="store_true", help="the worker's figures only")
    args = parser.parse_args()
    results = asyncio.run(measure(args.persisted, args.active))
    if not args.no_breakdown:
        results["breakdown"] = breakdown()
    report("memory", command_line("benchmarks.memory"), results)


if __name__ == "__main__":
    main()
