"""A closed-loop HTTP load generator (aiohttp): `concurrency` clients, bounded requests and time.

Runs in the benchmark's process, never in the server's. Each request is timed from send to
the end of the answer; the rate is completed requests over the wall time of the run.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp

from benchmarks.common import percentiles


def venom_body(n: int, phones: int) -> bytes:
    """The n-th client message: a realistic venom object, spread over `phones` senders."""
    phone = 79_000_000_000 + n % phones
    return json.dumps(
        {"id": f"false_{phone}@c.us_{n:010d}", "from": f"{phone}@c.us",
         "body": "Запишите на стрижку завтра в 18:00", "type": "chat",
         "isGroupMsg": False, "fromMe": False, "sender": {"pushname": "Николай"}},
        ensure_ascii=False,
    ).encode()  # fmt: skip


async def run_load(
    urls: Sequence[str],
    requests: int,
    concurrency: int,
    max_duration_s: float,
    body: Callable[[int], bytes],
    first: int = 0,
) -> dict[str, Any]:
    """POST `requests` bodies round-robin over `urls`; stop early after `max_duration_s`."""
    counter = itertools.count(first)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency * 2, force_close=False)
    headers = {"Content-Type": "application/json"}
    start = time.perf_counter()
    deadline = start + max_duration_s

    async def client(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            n = next(counter)
            if n >= first + requests:
                return
            url = urls[n % len(urls)]
            sent = time.perf_counter()
            try:
                async with session.post(url, data=body(n), headers=headers) as response:
                    await response.read()
                    key = str(response.status)
            except aiohttp.ClientError as exc:
                key = type(exc).__name__
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[key] = statuses.get(key, 0) + 1

    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "latency": percentiles(latencies),
        "statuses": statuses,
        "latencies_ms": latencies,  # raw, for pooling rounds; dropped from the report
    }
