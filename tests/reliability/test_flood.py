"""A per-phone flood limit: one notice, the rest kept unanswered (issue 11: one phone sending
500 messages got about 30 replies in 2.4 s).

The whole service on a virtual clock: the webhook over real HTTP, the real batcher, worker
and dialogue against the sandbox salon, `/metrics` and the inspection endpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.fillers import OfflineFiller
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.settings import Settings
from states.templates import say
from tests.engine.test_metrics import sample

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
LIMIT = 30
NOTICE = say("flood_notice", "ru")


class Service:
    def __init__(self, harness: Harness, client: TestClient[Any, Any]) -> None:
        self.h, self.client = harness, client

    async def post(self, n: int, body: str | None = None) -> None:
        message = {
            "id": f"flood-{n:04d}",
            "from": CHAT,
            "body": body or f"сообщение {n}",
            "timestamp": self.h.clock.now_ms() / 1000,
            "sender": {"pushname": "Ира"},
        }
        response = await self.client.post("/webhook/whatsapp/batched", json=message)
        assert response.status == 200 and (await response.json())["status"] == "queued"

    async def get(self, path: str) -> Any:
        response = await self.client.get(path)
        assert response.status == 200
        return await (response.json() if path != "/metrics" else response.text())


@pytest.fixture
async def service(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Service]:
    settings = Settings.from_mapping({"FLOOD_MAX_PER_MIN": str(LIMIT)})
    async with (
        engine_harness(redis, keys, OfflineFiller(), START, settings=settings) as h,
        TestClient(TestServer(h.runtime.webhook_app())) as client,
    ):
        yield Service(h, client)


async def test_a_flood_gets_one_notice_and_its_messages_are_kept_unanswered(
    service: Service,
) -> None:
    for start in range(0, 500, 50):  # 500 messages within the same minute
        await asyncio.gather(*(service.post(n) for n in range(start, start + 50)))
    turns = await service.h.settle()
    replies = service.h.messenger.to(CHAT)
    # The first 30 are answered as usual (three batches of ten), then one notice.
    assert turns == 4 and replies.count(NOTICE) == 1 and replies[-1] == NOTICE
    assert len(replies) <= 3 * 2 + 1  # a turn answers with a reply or two; not 30 of them
    stats = await service.h.batcher.stats()
    assert (stats.processed_messages, stats.pending_messages) == (LIMIT + 1, 0)

    view = await service.get(f"/conversations/{PHONE}")
    held = view["held_messages"]
    assert held["count"] == 500 - LIMIT - 1
    # Kept for a person to read; arrival order under concurrent posts is the server's.
    assert len(held["latest"]) == 20 and all(b.startswith("сообщение ") for b in held["latest"])
    metrics = await service.get("/metrics")
    assert sample(metrics, "ai_admin_flood_held_messages") == 500 - LIMIT - 1
    assert sample(metrics, "ai_admin_flood_episodes") == 1

    # A minute later the flood is over: the client is answered again, with no new notice.
    service.h.clock.advance(61)
    answered = len(replies)
    await service.post(1000, "Запишите на стрижку к Бари завтра в 18:00")
    assert await service.h.settle() == 1
    after = service.h.messenger.to(CHAT)[answered:]
    assert after and NOTICE not in after
    assert (await service.get(f"/conversations/{PHONE}"))["held_messages"]["count"] == 469


async def test_a_second_flood_gets_a_second_notice(service: Service) -> None:
    for n in range(LIMIT + 5):
        await service.post(n)
    await service.h.settle()
    service.h.clock.advance(61)
    for n in range(100, 100 + LIMIT + 5):
        await service.post(n)
    await service.h.settle()
    assert service.h.messenger.to(CHAT).count(NOTICE) == 2
    assert sample(await service.get("/metrics"), "ai_admin_flood_episodes") == 2
