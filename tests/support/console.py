"""What the console tests share: the engine's console data over a harness, and a batch
that failed for good (a dead letter) made the way the worker makes one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from adapters.fillers import OfflineFiller
from engine.batcher import MAX_ATTEMPTS, Batcher
from engine.clock import VirtualClock
from engine.console_data import EngineConsoleData
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.runtime import YClientsLimits
from states.messages import InboundMessage

TIMEZONE = "Europe/Moscow"


@contextlib.asynccontextmanager
async def harness(redis: AsyncRedis, keys: Keys, start: datetime) -> AsyncIterator[Harness]:
    """The engine on a virtual clock, without the YClients client's real-time rate limit
    (a virtual day of turns passes in no real time)."""
    lifted = YClientsLimits.lifted()
    async with engine_harness(redis, keys, OfflineFiller(), start, yclients=lifted) as h:
        yield h


def console_of(h: Harness) -> EngineConsoleData:
    return EngineConsoleData(h.store, h.batcher, TIMEZONE)


async def make_dead_letter(batcher: Batcher, clock: VirtualClock, phone: str, text: str) -> str:
    """Queue one message and let every claim of it lapse until the batch is given up;
    returns the message id."""
    message = InboundMessage(
        id=f"false_{phone}@c.us_dead{clock.now_ms()}",
        chat=f"{phone}@c.us",
        type="chat",
        body=text,
        timestamp_s=clock.now_ms() / 1000,
        pushname=None,
    )
    assert (await batcher.append(phone, message)).queued
    clock.advance((batcher.policy.max_wait_ms + 1) / 1000)
    for _ in range(MAX_ATTEMPTS):
        assert await batcher.claim(phone) is not None  # a worker takes it, then dies
        clock.advance((batcher.policy.lease_ms + 1) / 1000)
    assert await batcher.claim(phone) is None  # one attempt too many: a dead letter
    return message.id
