"""`/metrics` answers while Redis is down, just when its figures matter (issue 11: it
answered 500). A real `redis-server`, stopped and started again under the service.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml
from aiohttp.test_utils import TestClient, TestServer

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.metrics import Metrics
from engine.redis_conn import connect
from tests.engine.test_metrics import sample
from tests.support.redis_servers import RedisServer, free_port
from tests.support.waiting import eventually

REPO = Path(__file__).resolve().parents[2]
REDIS_GAUGES = [
    "ai_admin_pending_batches",
    "ai_admin_pending_messages",
    "ai_admin_oldest_pending_age_seconds",
    "ai_admin_failed_batches",
    "ai_admin_workers_seen",
]


def exported(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}


def alert_metrics() -> set[str]:
    rules = yaml.safe_load((REPO / "ops/prometheus/alerts.yml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            names |= set(re.findall(r"ai_admin_[a-z_]+", rule["expr"]))
    suffixes = ("_total", "_bucket", "_count", "_sum")
    return {next((n.removesuffix(s) for s in suffixes if n.endswith(s)), n) for n in names}


async def test_metrics_answer_without_redis_and_say_so(tmp_path: Path, keys: Keys) -> None:
    server = RedisServer(free_port(), tmp_path / "redis")
    server.start()
    redis = await connect(server.url)
    try:
        batcher = Batcher(redis, keys, BatchPolicy(), SystemClock())
        app = build_webhook_app(
            batcher, RedisHealth(redis), WebhookConfig(), None, Metrics(batcher)
        )
        async with TestClient(TestServer(app)) as http:
            up = await http.get("/metrics")
            assert up.status == 200
            assert sample(await up.text(), "ai_admin_redis_up") == 1

            server.stop()
            down = await http.get("/metrics")
            assert down.status == 200
            text = await down.text()
            assert sample(text, "ai_admin_redis_up") == 0
            for gauge in REDIS_GAUGES:  # unknown, not a stale or made-up zero
                assert math.isnan(sample(text, gauge)), gauge
            # The alerts on batches still find their metrics, and one pages on Redis down.
            assert {*REDIS_GAUGES, "ai_admin_redis_up"} <= exported(text)
            assert "ai_admin_redis_up" in alert_metrics()

            server.start()

            async def back() -> bool:
                text = await (await http.get("/metrics")).text()
                return sample(text, "ai_admin_redis_up") == 1

            await eventually(back, 15, "redis_up back to 1")
            text = await (await http.get("/metrics")).text()
            assert sample(text, "ai_admin_pending_batches") == 0
    finally:
        await redis.aclose()
        server.stop()
