"""A server for the ingest benchmark: the real webhook app, or a bare aiohttp app doing one
Redis round trip (INCR) per request — the floor that aiohttp and Redis set on this machine.

usage: python -m benchmarks.ingest_server {webhook|bare} PORT PREFIX [REDIS_URL]
Prints `ready` once listening; stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig
from benchmarks.common import DEFAULT_REDIS_URL
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, connect


def bare_app(redis: AsyncRedis, prefix: str) -> web.Application:
    """Read the body, one INCR, a small JSON answer: what any Redis-backed webhook must do."""

    async def receive(request: web.Request) -> web.Response:
        await request.read()
        pending = await redis.incr(f"{prefix}:bare")
        return web.json_response({"status": "queued", "pending": pending})

    app = web.Application()
    app.router.add_post("/webhook/whatsapp/batched", receive)
    return app


def webhook_app(redis: AsyncRedis, prefix: str) -> web.Application:
    # The product's defaults: a batch is due 10 s after its last message, so nothing is
    # processed during the run (no worker runs here anyway); only ingest is measured.
    batcher = Batcher(redis, Keys(prefix), BatchPolicy(), SystemClock())
    return build_webhook_app(batcher, RedisHealth(redis), WebhookConfig())


async def main(kind: str, port: int, prefix: str, url: str) -> None:
    redis = await connect(url)
    app = bare_app(redis, prefix) if kind == "bare" else webhook_app(redis, prefix)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await runner.cleanup()
    await redis.aclose()


if __name__ == "__main__":
    url = sys.argv[4] if len(sys.argv) > 4 else DEFAULT_REDIS_URL
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], url))
