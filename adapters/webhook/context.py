"""Everything the HTTP handlers need, as typed application keys declared in one place."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from states.ports import HealthProbe, MessageQueue


@dataclasses.dataclass(frozen=True)
class WebhookConfig:
    webhook_token: str | None = None
    admin_token: str | None = None
    demo: bool = False
    batch_timeout_ms: int = 10_000
    max_batch_size: int = 10


CONFIG = web.AppKey("config", WebhookConfig)
QUEUE = web.AppKey("queue", MessageQueue)
HEALTH = web.AppKey("health", HealthProbe)
