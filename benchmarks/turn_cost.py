"""Benchmark 3: what one dialogue turn costs without network latency.

The whole engine in this process (`engine_harness`: real Redis, the real worker and
DialogueRunner, the sandbox salon over loopback HTTP, the offline filler), driven one
turn at a time on a virtual clock, so each turn's time and Redis traffic are its own.
The YClients client's rate limiter (5 requests/s, which would dominate) is opened up.

Per turn: wall time of the handler (load, fill, YClients calls, transition, CAS save with
outbox, send, mark sent), and Redis round trips and commands, of the handler and of the
whole batch (its appends, discovery, claim and ack included), and the worker's part: the
whole batch less what the webhook routes send (one round trip per client message appended,
and one per record webhook the sandbox posts for a booking), for turns that book and turns
that do not.

    .venv/bin/python -m benchmarks.turn_cost [--conversations 150]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from adapters.fillers import OfflineFiller
from benchmarks.common import (
    DEFAULT_REDIS_URL,
    bench_prefix,
    command_line,
    delete_prefix,
    percentiles,
    report,
)
from benchmarks.counting_redis import COUNTS, Counts, counting_client
from engine.batcher import Batch
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.runtime import YClientsLimits
from engine.worker import BatchHandler

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
MASTERS = ["Бари", "Артём", "Игорь"]
DAYS = [f"{d} июля" for d in range(24, 32)] + [f"{d} августа" for d in range(1, 7)]


def conversation(n: int) -> list[list[str]]:
    """A booking in pieces, then "да"; each on its own master, day and hour."""
    master, hour, day = n % 3, 10 + n // 3 % 9, DAYS[n // 27 % len(DAYS)]
    return [
        ["Запишите на стрижку", f"{day} в {hour}:00", f"к {MASTERS[master]}"],
        ["да"],
    ]


class TimedHandler:
    """Times the product's handler and counts the Redis traffic of each call."""

    def __init__(self, inner: BatchHandler) -> None:
        self.inner = inner
        self.times_ms: list[float] = []
        self.traffic: list[Counts] = []

    async def handle(self, batch: Batch) -> None:
        before = COUNTS.snapshot()
        started = time.perf_counter()
        await self.inner.handle(batch)
        self.times_ms.append((time.perf_counter() - started) * 1000)
        self.traffic.append(COUNTS.since(before))


async def one_turn(h: Harness, phone: str, pieces: list[str]) -> tuple[Counts, int]:
    """Append the pieces 2 s apart, move the clock to the due time, run the batch; its
    traffic (with the record webhooks the turn's booking caused) and those webhooks."""
    before = COUNTS.snapshot()
    webhooks = len(h.sandbox.webhooks.deliveries)
    for i, piece in enumerate(pieces):
        if i:
            h.clock.advance(2)
        await h.send(phone, piece, pushname="Ира")
    h.clock.advance(10.001)  # the quiet window of the default policy
    assert await h.worker.run_once() == 1
    await h.sandbox.webhooks.drain()
    return COUNTS.since(before), len(h.sandbox.webhooks.deliveries) - webhooks


async def measure(url: str, conversations: int, warmup: int) -> dict[str, Any]:
    redis = counting_client(url)
    prefix = bench_prefix("turn")
    try:
        async with engine_harness(
            redis, Keys(prefix), OfflineFiller(), START, yclients=YClientsLimits.lifted()
        ) as h:
            timed = TimedHandler(h.worker.handler)
            h.worker.handler = timed
            batch_traffic: list[Counts] = []
            # The worker's round trips: the batch's less one per append (append.lua) and
            # one per record webhook (record_event_add.lua), the webhook routes' own.
            worker_request: list[int] = []
            worker_booking: list[int] = []
            booked = 0
            for n in range(warmup + conversations):
                phone = str(79_100_000_000 + n)
                for pieces in conversation(n):
                    traffic, webhooks = await one_turn(h, phone, pieces)
                    if n < warmup:
                        continue
                    batch_traffic.append(traffic)
                    worker = traffic.round_trips - len(pieces) - webhooks
                    (worker_booking if webhooks else worker_request).append(worker)
                booked += (await h.conversation(phone)).state == "booked" and n >= warmup
            measured = slice(len(timed.times_ms) - len(batch_traffic), None)
            times, handler_traffic = timed.times_ms[measured], timed.traffic[measured]
    finally:
        await redis.aclose()
        delete_prefix(url, prefix)
    turns = len(times)
    return {
        "conversations": conversations,
        "turns": turns,
        "booked": booked,
        "turn_ms": percentiles(times),
        # Every conversation is two turns: the request in pieces, then "да" (the booking).
        "request_turn_ms": percentiles(times[0::2]),
        "booking_turn_ms": percentiles(times[1::2]),
        "redis_per_turn": {
            "handler_round_trips": per_turn([c.round_trips for c in handler_traffic]),
            "handler_commands": per_turn([c.commands for c in handler_traffic]),
            "batch_round_trips": per_turn([c.round_trips for c in batch_traffic]),
            "batch_commands": per_turn([c.commands for c in batch_traffic]),
            "worker_round_trips": per_turn(worker_request + worker_booking),
            "worker_round_trips_turns_that_book": per_turn(worker_booking),
            "worker_round_trips_other_turns": per_turn(worker_request),
        },
    }


def per_turn(values: list[int]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "mean": round(sum(values) / len(values), 2),
        "min": ordered[0],
        "p50": ordered[len(ordered) // 2],
        "max": ordered[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    results = asyncio.run(measure(args.redis_url, args.conversations, args.warmup))
    report("turn_cost", command_line("benchmarks.turn_cost"), results)


if __name__ == "__main__":
    main()
