"""`BATCH_MAX_SIZE` is a cap at claim time: a longer backlog becomes several batches, in
order, each due at once after the one before (issue 11: 500 messages posted at once
formed batches of 391 and 109 messages with `BATCH_MAX_SIZE` 10).

The claim script runs against the embedded Redis, the real one and a three-node Cluster;
the end-to-end case posts over real HTTP to the webhook and lets a real worker drain it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock, VirtualClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.worker import Worker
from states.messages import InboundMessage
from tests.support.recording import RecordingHandler, record_key
from tests.support.waiting import eventually

PHONE = "79161234567"
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)


def message(n: int) -> InboundMessage:
    return InboundMessage(
        id=f"m{n:03d}", chat=f"{PHONE}@c.us", type="chat", body=f"часть {n}", timestamp_s=1.0
    )


async def claimed_ids(batcher: Batcher) -> list[str] | None:
    batch = await batcher.claim(PHONE)
    return None if batch is None else [m.id for m in batch.messages]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def batcher(any_redis: AsyncRedis, keys: Keys, clock: VirtualClock) -> Batcher:
    """On the embedded Redis, the real one and a Cluster; the flood limit off."""
    policy = BatchPolicy(quiet_ms=10_000, max_size=10, max_wait_ms=30_000, flood_max_per_min=0)
    return Batcher(any_redis, keys, policy, clock)


async def test_a_backlog_is_claimed_in_batches_of_max_size_in_order_each_due_at_once(
    batcher: Batcher,
) -> None:
    for n in range(23):
        await batcher.append(PHONE, message(n))
    first = await batcher.claim(PHONE)  # due at once: the size cap was reached
    assert first is not None and [m.id for m in first.messages] == [f"m{n:03d}" for n in range(10)]
    assert await claimed_ids(batcher) is None  # one turn per phone at a time
    await batcher.append(PHONE, message(23))  # comes during the turn: joins the backlog
    assert await batcher.finish(first)
    # The rest is due now, not a quiet window later: no clock movement between batches.
    second = await batcher.claim(PHONE)
    assert second is not None
    assert [m.id for m in second.messages] == [f"m{n:03d}" for n in range(10, 20)]
    assert await batcher.finish(second)
    assert await claimed_ids(batcher) == ["m020", "m021", "m022", "m023"]


async def test_the_rest_of_a_backlog_is_due_at_once_and_later_messages_wait_their_window(
    batcher: Batcher, clock: VirtualClock
) -> None:
    for n in range(13):
        await batcher.append(PHONE, message(n))
    first = await batcher.claim(PHONE)
    assert first is not None and len(first.messages) == 10
    await batcher.append(PHONE, message(13))  # 4 waiting: below the cap, but a backlog
    assert await batcher.finish(first)
    rest = await batcher.claim(PHONE)
    assert rest is not None and [m.id for m in rest.messages] == ["m010", "m011", "m012", "m013"]
    assert await batcher.finish(rest)
    # The backlog is gone: a new message waits for its quiet window again.
    await batcher.append(PHONE, message(14))
    assert await claimed_ids(batcher) is None
    clock.advance(10)
    assert await claimed_ids(batcher) == ["m014"]
    stats = await batcher.stats()
    assert (stats.processed_batches, stats.processed_messages) == (2, 14)


async def test_fifty_messages_posted_at_once_become_five_batches_of_ten_in_order(
    redis: AsyncRedis, keys: Keys
) -> None:
    policy = BatchPolicy(quiet_ms=200, max_size=10, max_wait_ms=2000, flood_max_per_min=0)
    batcher = Batcher(redis, keys, policy, SystemClock())
    app = build_webhook_app(batcher, RedisHealth(redis), WebhookConfig())
    async with TestClient(TestServer(app)) as client:

        async def post(n: int) -> int:
            body = {"id": f"m{n:03d}", "from": f"{PHONE}@c.us", "body": f"часть {n}"}
            response = await client.post("/webhook/whatsapp/batched", json=body)
            return response.status

        # Ten at a time, as a busy gateway delivers; all before any turn starts.
        for chunk in range(0, 50, 10):
            statuses = await asyncio.gather(*(post(n) for n in range(chunk, chunk + 10)))
            assert statuses == [200] * 10
    stop = asyncio.Event()
    worker = Worker(batcher, RecordingHandler(redis, keys.prefix), batcher.clock, max_idle_s=0.2)
    running = asyncio.create_task(worker.run(stop))

    async def drained() -> bool:
        return (await batcher.stats()).processed_messages == 50

    try:
        await eventually(drained, 20, "every message processed")
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    batches = [json.loads(raw)["ids"] for raw in await redis.lrange(record_key(keys.prefix), 0, -1)]
    assert [len(ids) for ids in batches] == [10] * 5
    assert sorted(id_ for ids in batches for id_ in ids) == [f"m{n:03d}" for n in range(50)]
