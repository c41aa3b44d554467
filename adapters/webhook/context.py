"""Everything the HTTP handlers need, as typed application keys declared in one place."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from states import ports


@dataclasses.dataclass(frozen=True)
class CloudConfig:
    """WhatsApp Cloud API webhook secrets; unset, the cloud route refuses (403)."""

    verify_token: str | None = dataclasses.field(default=None, repr=False)
    app_secret: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class YClientsWebhookConfig:
    """`POST /webhook/yclients/{secret}`: enabled by YCLIENTS_WEBHOOK_SECRET; events of
    another branch than `company_id` (when known) are ignored."""

    secret: str | None = dataclasses.field(default=None, repr=False)
    company_id: int | None = None


@dataclasses.dataclass(frozen=True)
class WebhookConfig:
    webhook_token: str | None = None
    admin_token: str | None = None
    demo: bool = False
    batch_timeout_ms: int = 10_000
    max_batch_size: int = 10
    # A request body not received in this long gets 408 (HTTP_READ_TIMEOUT_S).
    read_timeout_s: float = 10.0
    cloud: CloudConfig = dataclasses.field(default_factory=CloudConfig)
    yclients: YClientsWebhookConfig = dataclasses.field(default_factory=YClientsWebhookConfig)


class SilentObserver:
    """Counts nothing; for an app built without metrics (tests of other parts)."""

    def request(self, outcome: str) -> None:
        return None

    def yclients_webhook(self, status: str, outcome: str) -> None:
        return None

    async def render(self) -> tuple[bytes, str]:
        return b"", "text/plain"


# What each key holds: the config, else the port (states.ports) the composition root fills.
CONFIG = web.AppKey("config", WebhookConfig)
QUEUE = web.AppKey("queue", ports.MessageQueue)
HEALTH = web.AppKey("health", ports.HealthProbe)
INSPECTOR = web.AppKey("inspector", ports.ConversationInspector)
OBSERVER = web.AppKey("observer", ports.WebhookObserver)
TAKEOVER = web.AppKey("takeover", ports.Takeover)
RECORD_EVENTS = web.AppKey("record_events", ports.RecordEventQueue)
