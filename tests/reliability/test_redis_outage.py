"""Redis goes away under a running service: nothing is lost, and we recover on our own.

- A real `redis-server` on a free loopback port, stopped and started again on the same
  port under the test's control: while it is down the webhook answers 503 (the gateway
  retries) and `/healthz` says so; once it is back both answer 200 without a restart of
  ours, and the worker, which kept running, processes the next batch.
- The embedded Redis (the default, with an append-only file) restarted while a batch is
  pending: the conversation and the batch survive, and the running worker finishes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig
from adapters.yclients.sandbox import RunningSandbox
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock, VirtualClock
from engine.conversations import ConversationStore
from engine.embedded_redis import EmbeddedRedis, embedded_pid
from engine.health import RedisHealth
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for, connect
from tests.reliability.conftest import START, bookings_made, client_message
from tests.support.engine_worker import engine_worker
from tests.support.gateway import RecordingGateway
from tests.support.redis_servers import RedisServer, free_port
from tests.support.waiting import eventually

PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"


def venom(msg_id: str, body: str) -> dict[str, Any]:
    return {"id": msg_id, "from": CHAT, "body": body, "sender": {"pushname": "Ира"}}


class InProcessWorker:
    """The real worker and dialogue (`engine_worker`), run as a task of this test."""

    def __init__(self, sandbox: RunningSandbox, gateway: RecordingGateway, keys: Keys) -> None:
        self.sandbox, self.gateway, self.keys = sandbox, gateway, keys
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self, redis: AsyncRedis, policy: BatchPolicy) -> None:
        started = asyncio.Event()

        async def run() -> None:
            async with engine_worker(
                redis, self.keys.prefix, self.sandbox.base_url, self.gateway.url, policy
            ) as worker:
                started.set()
                await worker.run(self.stop_event, drain_timeout_s=5)

        self.task = asyncio.create_task(run())
        await asyncio.wait_for(started.wait(), timeout=10)

    async def stop(self) -> None:
        """Stop it; an exception that ended the worker early fails the test here."""
        self.stop_event.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=15)


@pytest.fixture
async def worker(
    sandbox: RunningSandbox, gateway: RecordingGateway, keys: Keys
) -> AsyncIterator[InProcessWorker]:
    running = InProcessWorker(sandbox, gateway, keys)
    yield running
    await running.stop()


def frozen_store(redis: AsyncRedis, keys: Keys) -> ConversationStore:
    return ConversationStore(redis, keys, VirtualClock(START), idle_ttl_s=7 * 24 * 3600)


async def test_redis_down_means_503_and_everything_recovers_when_it_is_back(
    tmp_path: Path, keys: Keys, gateway: RecordingGateway, worker: InProcessWorker
) -> None:
    server = RedisServer(free_port(), tmp_path / "redis")
    server.start()
    redis = await connect(server.url)
    try:
        policy = BatchPolicy(quiet_ms=100, max_size=10, max_wait_ms=1000, lease_ms=1000)
        batcher = Batcher(redis, keys, policy, SystemClock())
        await worker.start(redis, policy)
        app = build_webhook_app(batcher, RedisHealth(redis), WebhookConfig())
        async with TestClient(TestServer(app)) as http:
            answer = await http.post("/webhook/whatsapp/batched", json=venom("m1", "Привет"))
            assert answer.status == 200 and (await answer.json())["status"] == "queued"
            await eventually(lambda: _has_replies(gateway, 1), 15, "the first turn answered")

            server.stop()
            answer = await http.post("/webhook/whatsapp/batched", json=venom("m2", "Стрижка"))
            assert answer.status == 503
            assert "retry" in (await answer.json())["error"]
            health = await http.get("/healthz")
            assert health.status == 503
            assert (await health.json())["redis"].startswith("unreachable")
            assert (await http.get("/webhook/whatsapp/batched/stats")).status == 503
            await asyncio.sleep(1.5)  # the worker meets the outage too, and must survive it

            server.start()  # same port; this server keeps nothing, as after a Redis loss

            async def healthy() -> bool:
                return (await http.get("/healthz")).status == 200

            await eventually(healthy, 15, "/healthz recovers")

            async def queued() -> bool:
                # As the gateway does: a 503 is retried. Each pooled connection that broke
                # with the restart fails once (redis-py does not retry it), then works.
                body = venom("m3", "Стрижка к Бари завтра в 18:00")
                answer = await http.post("/webhook/whatsapp/batched", json=body)
                assert answer.status in (200, 503)
                if answer.status == 503:
                    return False
                reply = await answer.json()  # queued, or queued by an earlier try: duplicate
                assert reply["status"] == "queued" or reply["reason"] == "duplicate message id"
                return True

            await eventually(queued, 15, "the webhook queues again")
            await eventually(lambda: _has_replies(gateway, 2), 20, "the worker answers again")
            assert "Записываю?" in gateway.to(CHAT)[-1]
            assert (await frozen_store(redis, keys).load(PHONE)).state == "confirming"
            assert worker.task is not None and not worker.task.done()  # it never stopped
    finally:
        await worker.stop()
        await redis.aclose()
        server.stop()


async def _has_replies(gateway: RecordingGateway, n: int) -> bool:
    return len(gateway.to(CHAT)) >= n


async def test_embedded_restart_keeps_state_and_pending_batch_and_the_worker_finishes_it(
    tmp_path: Path,
    keys: Keys,
    sandbox: RunningSandbox,
    gateway: RecordingGateway,
    worker: InProcessWorker,
) -> None:
    data_dir = tmp_path / "embedded"
    server = EmbeddedRedis(data_dir)
    redis = client_for(server.start())
    try:
        policy = BatchPolicy(quiet_ms=100, max_size=10, max_wait_ms=1000, lease_ms=1000)
        batcher = Batcher(redis, keys, policy, SystemClock())
        # The due time is set by whoever appends: "да" comes with a quiet window long enough
        # to restart Redis (a SHUTDOWN SAVE takes ~3 s here) while its batch is pending.
        slow = BatchPolicy(quiet_ms=7000, max_size=10, max_wait_ms=10_000, lease_ms=1000)
        await worker.start(redis, policy)
        store = frozen_store(redis, keys)
        await batcher.append(PHONE, client_message(PHONE, "m1", "Стрижка к Бари завтра в 18:00"))
        await eventually(lambda: _has_replies(gateway, 1), 20, "the first turn answered")

        async def first_acked() -> bool:  # the ack follows the send: wait for it too
            return (await batcher.stats()).processed_batches == 1

        await eventually(first_acked, 10, "the first batch acked")
        before = await store.load(PHONE)
        assert before.state == "confirming"

        await Batcher(redis, keys, slow, SystemClock()).append(
            PHONE, client_message(PHONE, "m2", "да")
        )
        server.stop()  # SHUTDOWN SAVE, as on a host restart
        await eventually(_gone(data_dir), 10, "the embedded server stopped")
        assert server.start() == f"unix://{server.socket}" and server.started_here

        # Read through a fresh client: the worker's pooled connections are stale now and
        # each fails once (redis-py does not retry a client built by `from_url`).
        fresh = client_for(server.url)
        try:
            stats = await Batcher(fresh, keys, policy, SystemClock()).stats()
            assert (stats.pending_batches, stats.pending_messages) == (1, 1)  # the "да" batch
            after = await frozen_store(fresh, keys).load(PHONE)
        finally:
            await fresh.aclose()
        assert (after.state, after.version, after.slots.as_dict()) == (
            before.state, before.version, before.slots.as_dict(),
        )  # fmt: skip

        async def booked() -> bool:
            return (await store.load(PHONE)).state == "booked"

        await eventually(booked, 20, "the running worker books after the restart")
        # The state is saved before its replies leave the outbox: wait for the send.
        await eventually(lambda: _has_replies(gateway, 2), 10, "the booking confirmed")
        assert len(bookings_made(sandbox)) == 1
        assert "записаны" in gateway.to(CHAT)[-1]

        async def acked() -> bool:  # the ack follows the send
            stats = await batcher.stats()
            return (stats.pending_batches, stats.processed_messages) == (0, 2)

        await eventually(acked, 10, "the batch acknowledged")
    finally:
        await worker.stop()
        await redis.aclose()
        server.stop()


def _gone(data_dir: Path) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return embedded_pid(data_dir) is None

    return check
