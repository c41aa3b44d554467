"""Build the webhook application from its parts; the composition root supplies them."""

from __future__ import annotations

from aiohttp import web

from adapters.webhook.cloud_routes import add_cloud_routes
from adapters.webhook.context import (
    CONFIG,
    HEALTH,
    INSPECTOR,
    OBSERVER,
    QUEUE,
    SilentObserver,
    WebhookConfig,
)
from adapters.webhook.conversations import add_conversation_routes
from adapters.webhook.routes import add_routes
from states.ports import ConversationInspector, HealthProbe, MessageQueue, WebhookObserver

# A venom message may carry a 64 KiB body; JSON escaping can triple it on the wire.
MAX_REQUEST_BYTES = 256 * 1024


def build_webhook_app(
    queue: MessageQueue,
    health: HealthProbe,
    config: WebhookConfig,
    inspector: ConversationInspector | None = None,
    observer: WebhookObserver | None = None,
) -> web.Application:
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[CONFIG] = config
    app[QUEUE] = queue
    app[HEALTH] = health
    app[OBSERVER] = observer or SilentObserver()
    add_routes(app)
    add_cloud_routes(app)
    if inspector is not None:
        app[INSPECTOR] = inspector
        add_conversation_routes(app)
    return app
