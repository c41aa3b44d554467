"""Observability: /metrics moves after a booking, /healthz degrades, alerts name real metrics."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from adapters.fillers import OfflineFiller
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from tests.support.console import make_dead_letter

REPO = Path(__file__).resolve().parents[2]
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # 15:00 Moscow, a Wednesday


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        match = re.match(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return 0.0


class Service:
    def __init__(self, client: TestClient[Any, Any], h: Harness) -> None:
        self.client, self.h, self.worker, self.clock = client, h, h.worker, h.clock

    async def post(self, msg_id: str, body: str) -> None:
        message = {
            "id": msg_id,
            "from": "79990001122@c.us",
            "body": body,
            "timestamp": self.clock.now_ms() // 1000,
            "sender": {"pushname": "Ира"},
        }
        response = await self.client.post("/webhook/whatsapp/batched", json=message)
        assert response.status == 200

    async def turn(self) -> None:
        self.clock.advance(10)
        assert await self.worker.run_once() == 1

    async def scrape(self) -> str:
        response = await self.client.get("/metrics")
        assert response.status == 200
        return await response.text()


@pytest.fixture
async def service(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Service]:
    """The serve wiring (`open_runtime`: webhook, worker, dialogue, metrics) on a virtual
    clock."""
    async with (
        engine_harness(redis, keys, OfflineFiller(), START) as h,
        TestClient(TestServer(h.runtime.webhook_app())) as client,
    ):
        yield Service(client, h)


async def test_a_booking_moves_the_counters(service: Service) -> None:
    before = await service.scrape()
    assert sample(before, "ai_admin_bookings_total", outcome="created") == 0
    await service.post("m1", "Стрижка к Бари завтра в 18:00")
    mid = await service.scrape()
    assert sample(mid, "ai_admin_webhook_requests_total", outcome="queued") == 1
    assert sample(mid, "ai_admin_pending_batches") == 1
    await service.turn()
    await service.post("m2", "да")
    await service.turn()
    after = await service.scrape()
    assert sample(after, "ai_admin_bookings_total", outcome="created") == 1
    assert sample(after, "ai_admin_turns_total", outcome="ok") == 2
    assert sample(after, "ai_admin_replies_total", outcome="sent") == 2
    assert sample(after, "ai_admin_yclients_calls_total", endpoint="book_record", outcome="ok") == 1
    assert sample(after, "ai_admin_llm_calls_total", source="offline") == 2
    assert sample(after, "ai_admin_flush_lag_seconds_count") == 2
    assert sample(after, "ai_admin_turn_duration_seconds_count") == 2
    assert sample(after, "ai_admin_pending_batches") == 0
    await service.post("m2", "да")  # a replayed message id
    again = await service.scrape()
    assert sample(again, "ai_admin_webhook_requests_total", outcome="ignored") == 1


async def test_dead_letters_are_counted(service: Service) -> None:
    assert sample(await service.scrape(), "ai_admin_dead_letters") == 0
    await make_dead_letter(service.h.batcher, service.clock, "79990001122", "привет")
    assert sample(await service.scrape(), "ai_admin_dead_letters") == 1


async def test_bad_requests_are_counted(service: Service) -> None:
    response = await service.client.post("/webhook/whatsapp/batched", data=b"{nope")
    assert response.status == 400
    text = await service.scrape()
    assert sample(text, "ai_admin_webhook_requests_total", outcome="bad_request") == 1


async def test_healthz_degrades_when_batches_pile_up_without_workers(service: Service) -> None:
    assert (await (await service.client.get("/healthz")).json())["status"] == "ok"
    await service.post("m1", "Стрижка")
    service.clock.advance(120)  # nobody processes it for two minutes
    response = await service.client.get("/healthz")
    body = await response.json()
    assert response.status == 200 and body["status"] == "degraded"
    assert any("oldest pending batch" in r for r in body["reasons"])
    assert any("no worker" in r for r in body["reasons"])
    await service.worker.run_once()
    assert (await (await service.client.get("/healthz")).json())["status"] == "ok"


async def test_alert_rules_name_only_metrics_we_export(service: Service) -> None:
    await service.post("m1", "Стрижка к Бари завтра в 18:00")
    await service.turn()
    exported = {
        line.split()[2]
        for line in (await service.scrape()).splitlines()
        if line.startswith("# TYPE")
    }
    rules = yaml.safe_load((REPO / "ops/prometheus/alerts.yml").read_text(encoding="utf-8"))
    names = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["alert"] and rule["expr"] and rule["labels"]["severity"]
            names |= set(re.findall(r"ai_admin_[a-z_]+", rule["expr"]))
    suffixes = ("_total", "_bucket", "_count", "_sum")
    for name in names:
        base = next((name.removesuffix(s) for s in suffixes if name.endswith(s)), name)
        assert exported & {name, base}, f"alert uses {name}, which /metrics does not export"
