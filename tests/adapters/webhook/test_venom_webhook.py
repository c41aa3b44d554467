"""The venom webhook, stats, delete and health over real HTTP, on a real Redis."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for
from tests.adapters.webhook.conftest import ServeApp

MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


def venom(msg_id: str, body: str | None = "Запишите на стрижку", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": msg_id,
        "from": "79161234567@c.us",
        "type": "chat",
        "timestamp": 1753274294,
        "isGroupMsg": False,
        "fromMe": False,
        "sender": {"pushname": "Николай"},
    }
    if body is not None:
        data["body"] = body
    data.update(extra)
    return data


@pytest.fixture
def batcher(redis: AsyncRedis, keys: Keys) -> Batcher:
    return Batcher(redis, keys, BatchPolicy(), SystemClock())


@pytest.fixture
def make_client(batcher: Batcher, serve_app: ServeApp) -> MakeClient:
    async def make(redis: AsyncRedis | None = None, **config: Any) -> TestClient[Any, Any]:
        health = RedisHealth(redis or batcher.redis)
        return await serve_app(build_webhook_app(batcher, health, WebhookConfig(**config)))

    return make


async def test_queues_and_counts_pending(make_client: MakeClient) -> None:
    client = await make_client()
    for i, path in enumerate(["/webhook/whatsapp/batched", "/webhook/whatsapp"], start=1):
        response = await client.post(path, json=venom(f"id{i}"))
        assert response.status == 200
        assert await response.json() == {"status": "queued", "pending": i}


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"isGroupMsg": True, "from": "79161234567-1600000000@g.us"}, "group message"),
        ({"from": "120363000000000000@g.us"}, "group message"),
        ({"fromMe": True}, "own message"),
        ({"from": "status@broadcast"}, "status broadcast"),
    ],
)
async def test_ignored_kinds(make_client: MakeClient, extra: dict[str, Any], reason: str) -> None:
    client = await make_client()
    response = await client.post("/webhook/whatsapp/batched", json=venom("x", **extra))
    assert response.status == 200
    assert await response.json() == {"status": "ignored", "reason": reason}
    stats = await (await client.get("/webhook/whatsapp/batched/stats")).json()
    assert stats["pending_messages"] == 0


async def test_duplicate_is_ignored(make_client: MakeClient) -> None:
    client = await make_client()
    assert (await (await client.post("/webhook/whatsapp/batched", json=venom("d"))).json())[
        "status"
    ] == "queued"
    again = await client.post("/webhook/whatsapp/batched", json=venom("d"))
    assert await again.json() == {"status": "ignored", "reason": "duplicate message id"}


async def test_non_text_is_queued_for_a_polite_answer(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.post("/webhook/whatsapp/batched", json=venom("v", None, type="ptt"))
    assert await response.json() == {"status": "queued", "pending": 1}


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"text"', "JSON object"),
        (json.dumps({"id": "a", "body": "x"}).encode(), "from"),
        (json.dumps({"from": "79161234567@c.us", "body": "x"}).encode(), "id"),
        (json.dumps({"id": 5, "from": "79161234567@c.us", "body": "x"}).encode(), "id"),
        (json.dumps({"id": "a", "from": "79161234567@c.us"}).encode(), "body"),
        (json.dumps({"id": "a", "from": "79161234567@c.us", "body": 7}).encode(), "body"),
        (json.dumps({"id": "a", "from": "not-a-chat", "body": "x"}).encode(), "from"),
    ],
)
async def test_malformed_bodies_get_400(make_client: MakeClient, raw: bytes, needle: str) -> None:
    client = await make_client()
    response = await client.post(
        "/webhook/whatsapp/batched", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert needle in (await response.json())["error"]


async def test_body_limits(make_client: MakeClient) -> None:
    client = await make_client()
    at_limit = await client.post("/webhook/whatsapp/batched", json=venom("ok", "я" * 32_768))
    assert (await at_limit.json())["status"] == "queued"  # 65,536 UTF-8 bytes are read
    over = await client.post("/webhook/whatsapp/batched", json=venom("big", "a" * 65_537))
    assert over.status == 413
    huge = await client.post("/webhook/whatsapp/batched", data=b"x" * (300 * 1024))
    assert huge.status == 413


async def test_webhook_token(make_client: MakeClient) -> None:
    client = await make_client(webhook_token="s3cret")
    path = "/webhook/whatsapp/batched"
    assert (await client.post(path, json=venom("a"))).status == 401
    wrong = await client.post(path, json=venom("a"), headers={"X-Webhook-Token": "nope"})
    assert wrong.status == 401
    right = await client.post(path, json=venom("a"), headers={"X-Webhook-Token": "s3cret"})
    assert right.status == 200


async def test_admin_token_guards_stats_and_delete(make_client: MakeClient) -> None:
    client = await make_client(admin_token="adm")
    assert (await client.get("/webhook/whatsapp/batched/stats")).status == 401
    assert (await client.delete("/webhook/whatsapp/batched/79161234567")).status == 401
    bearer = {"Authorization": "Bearer adm"}
    assert (await client.get("/webhook/whatsapp/batched/stats", headers=bearer)).status == 200
    # The venom webhook itself is not behind the admin token.
    assert (await client.post("/webhook/whatsapp/batched", json=venom("a"))).status == 200


async def test_stats_and_delete(make_client: MakeClient) -> None:
    client = await make_client(batch_timeout_ms=10_000, max_batch_size=10)
    await client.post("/webhook/whatsapp/batched", json=venom("a"))
    await client.post("/webhook/whatsapp/batched", json=venom("b"))
    other = venom("c", **{"from": "79035556677@c.us"})
    await client.post("/webhook/whatsapp/batched", json=other)
    stats = await (await client.get("/webhook/whatsapp/batched/stats")).json()
    assert stats["pending_batches"] == 2 and stats["pending_messages"] == 3
    assert stats["batch_timeout_ms"] == 10_000 and stats["max_batch_size"] == 10
    assert set(stats) == {
        "pending_batches", "pending_messages", "oldest_pending_age_ms", "processed_batches",
        "processed_messages", "failed_batches", "batch_timeout_ms", "max_batch_size",
    }  # fmt: skip
    deleted = await client.delete("/webhook/whatsapp/batched/79161234567")
    assert await deleted.json() == {"deleted": 2}
    stats = await (await client.get("/webhook/whatsapp/batched/stats")).json()
    assert stats["pending_batches"] == 1 and stats["pending_messages"] == 1
    assert (await client.delete("/webhook/whatsapp/batched/abc")).status == 400


async def test_lid_sender_is_queued_under_its_own_key(make_client: MakeClient) -> None:
    client = await make_client()
    lid = venom("l", **{"from": "123456789012345@lid"})
    assert (await (await client.post("/webhook/whatsapp/batched", json=lid)).json())[
        "status"
    ] == "queued"
    deleted = await client.delete("/webhook/whatsapp/batched/lid123456789012345")
    assert await deleted.json() == {"deleted": 1}


async def test_healthz_ok_and_503_when_redis_is_unreachable(make_client: MakeClient) -> None:
    client = await make_client(demo=True)
    ok = await client.get("/healthz")
    assert ok.status == 200
    assert await ok.json() == {"status": "ok", "redis": "ok", "demo": True}

    dead = client_for("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        down = await make_client(redis=dead)
        response = await down.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "error" and body["redis"].startswith("unreachable")
    finally:
        await dead.aclose()


async def test_webhook_answers_503_when_redis_is_unreachable(keys: Keys) -> None:
    dead = client_for("redis://127.0.0.1:1/0")
    batcher = Batcher(dead, keys, BatchPolicy(), SystemClock())
    app = build_webhook_app(batcher, RedisHealth(dead), WebhookConfig())
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/webhook/whatsapp/batched", json=venom("a"))
        assert response.status == 503
        assert "retry" in (await response.json())["error"]
    await dead.aclose()
