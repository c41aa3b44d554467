"""Run one real worker process with the recording handler (for multi-process tests).

usage: python -m tests.support.worker_process REDIS_URL PREFIX LEASE_MS [HANG_PHONE]
"""

from __future__ import annotations

import asyncio
import signal
import sys

from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import connect
from engine.worker import Worker
from tests.support.recording import RecordingHandler


async def main(url: str, prefix: str, lease_ms: int, hang_phone: str | None) -> None:
    redis = await connect(url)  # a cluster client when `url` is a Cluster node
    policy = BatchPolicy(quiet_ms=50, max_size=10, max_wait_ms=500, lease_ms=lease_ms)
    batcher = Batcher(redis, Keys(prefix), policy, SystemClock())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    handler = RecordingHandler(redis, prefix, hang_phone)
    print("ready", flush=True)
    await Worker(batcher, handler, batcher.clock, max_idle_s=0.5).run(stop, drain_timeout_s=5)
    await redis.aclose()


if __name__ == "__main__":
    hang = sys.argv[4] if len(sys.argv) > 4 else None
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), hang))
