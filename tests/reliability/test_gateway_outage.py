"""The WhatsApp gateway down for a while: replies wait in the outbox, nothing is lost.

The real worker and dialogue (in-process) reply through the real venom messenger to a
gateway that answers 503 at first. The turn is saved with its replies in the outbox; the
sends fail, the batch is given back for a later attempt, and once the gateway is up the
retry sends what the outbox holds, exactly once, without running the turn again.
"""

from __future__ import annotations

import asyncio

from adapters.yclients.sandbox import RunningSandbox
from engine.batcher import Batcher
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.redis_conn import AsyncRedis
from tests.reliability.conftest import POLICY, START, client_message
from tests.support.engine_worker import engine_worker
from tests.support.gateway import RecordingGateway
from tests.support.waiting import eventually

PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"


async def test_replies_wait_in_the_outbox_until_the_gateway_is_back(
    redis: AsyncRedis, batcher: Batcher, sandbox: RunningSandbox, gateway: RecordingGateway
) -> None:
    store = ConversationStore(redis, batcher.keys, VirtualClock(START), idle_ttl_s=7 * 24 * 3600)
    outbox = batcher.keys.phone_keys(PHONE).outbox
    gateway.fail_status = 503
    stop = asyncio.Event()
    async with engine_worker(
        redis, batcher.keys.prefix, sandbox.base_url, gateway.url, POLICY
    ) as worker:
        task = asyncio.create_task(worker.run(stop, drain_timeout_s=5))
        try:
            await batcher.append(
                PHONE, client_message(PHONE, "m1", "Стрижка к Бари завтра в 18:00")
            )

            async def saved_but_unsent() -> bool:
                return (await store.load(PHONE)).state == "confirming"

            await eventually(saved_but_unsent, 15, "the turn is saved")
            assert await redis.hlen(outbox) == 1 and gateway.to(CHAT) == []
            await asyncio.sleep(2.0)  # the sends keep failing: the reply stays in the outbox
            assert await redis.hlen(outbox) == 1

            gateway.fail_status = None

            async def delivered() -> bool:
                stats = await batcher.stats()
                return stats.processed_batches == 1 and stats.pending_batches == 0

            await eventually(delivered, 30, "the retry delivers the reply")
            assert len(gateway.to(CHAT)) == 1 and "Записываю?" in gateway.to(CHAT)[0]
            assert await redis.hlen(outbox) == 0
            conversation = await store.load(PHONE)
            assert len(conversation.turns) == 1  # the turn ran once; the retry only sent
            assert (await batcher.stats()).failed_batches == 0
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=15)
