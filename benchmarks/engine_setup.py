"""The real engine's surroundings for the process-level benchmarks (memory, scale-out).

The YClients sandbox in its own process (`ai-admin sandbox`, its clock frozen on the demo
salon's Wednesday), a venom gateway here that counts the replies it takes, and worker
processes (`tests.support.engine_worker`: the product's Worker and DialogueRunner, the
offline filler, the YClients client's rate limit opened up).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from benchmarks.servers import Children, free_port
from engine.batcher import Batcher
from states.messages import InboundMessage
from states.wording import day_and_month

FROZEN_NOW = "2025-07-23T15:00:00+03:00"  # the worker's dialogue clock (engine_worker.START)
FROZEN_DAY = date(2025, 7, 23)
MASTERS = ["Бари", "Артём", "Игорь"]


def start_sandbox(procs: Children, frozen: bool = True) -> str:
    """The sandbox's URL; its clock frozen on `FROZEN_NOW`, or (`frozen=False`) the
    system clock, as the product worker's."""
    port = free_port()
    procs.start("engine", "sandbox", "--port", str(port), ready="sandbox:")
    base_url = f"http://127.0.0.1:{port}"
    if not frozen:
        return base_url
    request = urllib.request.Request(
        f"{base_url}/_sandbox/clock", data=json.dumps({"now": FROZEN_NOW}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
    return base_url


def start_worker(
    procs: Children, redis_url: str, prefix: str, sandbox_url: str, send_url: str, *extra: str
) -> subprocess.Popen[str]:
    args = [redis_url, prefix, sandbox_url, send_url, "--no-rate-limit", "--lease-ms", "30000"]
    return procs.start("tests.support.engine_worker", *args, *extra)


class CountingGateway:
    """A venom gateway that answers 200 and counts the replies."""

    def __init__(self) -> None:
        self.replies = 0
        self.url = ""

    async def _send(self, request: web.Request) -> web.Response:
        await request.read()
        self.replies += 1
        return web.json_response({"status": "sent"})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[CountingGateway]:
        app = web.Application()
        app.router.add_post("/send", self._send)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/send"
        try:
            yield self
        finally:
            await runner.cleanup()


def first_message(n: int, today: date = FROZEN_DAY) -> tuple[str, InboundMessage]:
    """Phone n's booking request: each on its own master, hour and day (one of the eight
    after `today`, the sandbox's day)."""
    phone = str(79_300_000_000 + n)
    day = day_and_month(today + timedelta(days=1 + n // 27 % 8))
    body = f"Стрижка к {MASTERS[n % 3]} {day} в {10 + n // 3 % 9}:00"
    message = InboundMessage(
        id=f"m{n}", chat=f"{phone}@c.us", type="chat", body=body, timestamp_s=time.time(),
        pushname="Ира",
    )  # fmt: skip
    return phone, message


async def wait_processed(batcher: Batcher, count: int, timeout_s: float) -> dict[str, Any]:
    """Poll the stats until `count` batches are processed (or the timeout)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        stats = await batcher.stats()
        if stats.processed_batches >= count and stats.pending_batches == 0:
            break
        await asyncio.sleep(0.05)
    stats = await batcher.stats()
    return {"processed_batches": stats.processed_batches, "failed_batches": stats.failed_batches}
