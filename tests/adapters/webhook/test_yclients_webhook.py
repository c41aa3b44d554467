"""`POST /webhook/yclients/{secret}` over real HTTP, on a real Redis: the event is kept for a
worker, or refused with the right status — never a 5xx for what YClients (or anyone) sends."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig, YClientsWebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.metrics import Metrics
from engine.record_sync.events import RecordEvents
from engine.redis_conn import AsyncRedis, client_for
from tests.adapters.webhook.conftest import ServeApp

SECRET = "s3cr3t-hook-9f2"
COMPANY = 1088406


def event(status: str = "update", **data: Any) -> dict[str, Any]:
    record = {"id": 600000001, "datetime": "2025-07-24T18:00:00+03:00", "staff_id": 3413963,
              "client": {"phone": "+79161234567", "name": "Ира"}, **data}  # fmt: skip
    return {"company_id": COMPANY, "resource": "record", "resource_id": 600000001,
            "status": status, "data": record}  # fmt: skip


async def serve(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys, secret: str | None = SECRET
) -> tuple[TestClient[Any, Any], RecordEvents, Metrics]:
    clock = SystemClock()
    batcher = Batcher(redis, keys, BatchPolicy(), clock)
    events = RecordEvents(redis, keys, clock)
    metrics = Metrics()
    config = WebhookConfig(yclients=YClientsWebhookConfig(secret, COMPANY))
    app = build_webhook_app(
        batcher, RedisHealth(redis), config, None, metrics, record_events=events
    )
    return await serve_app(app), events, metrics


async def pending(events: RecordEvents) -> list[str]:
    found: list[str] = []
    for bucket, due in await events.next_due():
        if due is not None:
            found += await events.due_members(bucket, 2**62, 100)
    return found


async def test_an_event_is_kept_for_the_worker(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys
) -> None:
    client, events, metrics = await serve(serve_app, redis, keys)
    response = await client.post(f"/webhook/yclients/{SECRET}", json=event())
    assert response.status == 200 and await response.json() == {"status": "queued"}
    [member] = await pending(events)
    claimed = await events.claim(member)
    assert claimed is not None
    assert (claimed.change.record_id, claimed.change.status, claimed.change.phone) == (
        600000001, "update", "79161234567")  # fmt: skip
    scraped = (await metrics.render())[0].decode()
    assert 'ai_admin_yclients_webhooks_total{outcome="queued",status="update"} 1.0' in scraped


@pytest.mark.parametrize("path", ["/webhook/yclients/wrong", "/webhook/yclients/s3cr3t-hook-9f"])
async def test_a_wrong_secret_is_404(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys, path: str
) -> None:
    client, events, _ = await serve(serve_app, redis, keys)
    response = await client.post(path, json=event())
    assert response.status == 404
    assert await pending(events) == []


async def test_without_a_secret_the_route_is_404(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys
) -> None:
    client, events, _ = await serve(serve_app, redis, keys, secret=None)
    for path in (f"/webhook/yclients/{SECRET}", "/webhook/yclients/None", "/webhook/yclients/"):
        assert (await client.post(path, json=event())).status == 404
    assert await pending(events) == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"resource": "record"}',
        b'{"resource": "record", "status": "moved", "resource_id": 1}',
        b'{"resource": "record", "status": "update", "resource_id": "x"}',
        b"[" * 200 + b"]" * 200,
        b'{"resource": "record", "status": "update", "resource_id": ' + b"9" * 60 + b"}",
        b"\xff\xfe",
    ],
)
async def test_a_body_that_is_not_a_webhook_is_400(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys, body: bytes
) -> None:
    client, events, _ = await serve(serve_app, redis, keys)
    response = await client.post(f"/webhook/yclients/{SECRET}", data=body)
    assert response.status == 400
    assert "error" in await response.json()
    assert await pending(events) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({**event(), "company_id": 42}, "another branch"),
        ({**event(), "resource": "client"}, "resource client"),
    ],
)
async def test_other_branches_and_resources_are_ignored(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys, body: dict[str, Any], reason: str
) -> None:
    client, events, _ = await serve(serve_app, redis, keys)
    response = await client.post(f"/webhook/yclients/{SECRET}", json=body)
    assert response.status == 200
    assert await response.json() == {"status": "ignored", "reason": reason}
    assert await pending(events) == []


async def test_a_partial_event_is_kept_as_it_came(
    serve_app: ServeApp, redis: AsyncRedis, keys: Keys
) -> None:
    client, events, _ = await serve(serve_app, redis, keys)
    data = {"id": 600000002, "attendance": "2", "client": []}
    body = {"company_id": str(COMPANY), "resource": "record", "resource_id": "600000002",
            "status": "update", "data": data}  # fmt: skip
    assert (await client.post(f"/webhook/yclients/{SECRET}", json=body)).status == 200
    [member] = await pending(events)
    claimed = await events.claim(member)
    assert claimed is not None and claimed.change.attendance == 2
    assert claimed.change.start is None and claimed.change.phone is None


async def test_redis_unreachable_is_503(serve_app: ServeApp, keys: Keys) -> None:
    dead = client_for("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        client, _, _ = await serve(serve_app, dead, keys)
        response = await client.post(f"/webhook/yclients/{SECRET}", json=event())
        assert response.status == 503
    finally:
        await dead.aclose()
