"""Build the webhook application from its parts; the composition root supplies them."""

from __future__ import annotations

from aiohttp import web

from adapters.webhook.context import CONFIG, HEALTH, QUEUE, WebhookConfig
from adapters.webhook.routes import add_routes
from states.ports import HealthProbe, MessageQueue

# A venom message may carry a 64 KiB body; JSON escaping can triple it on the wire.
MAX_REQUEST_BYTES = 256 * 1024


def build_webhook_app(
    queue: MessageQueue, health: HealthProbe, config: WebhookConfig
) -> web.Application:
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[CONFIG] = config
    app[QUEUE] = queue
    app[HEALTH] = health
    add_routes(app)
    return app
