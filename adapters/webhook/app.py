"""Build the webhook application from its parts; the composition root supplies them."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from adapters.webhook.body import BodyRefused, receive_whole
from adapters.webhook.cloud_routes import add_cloud_routes
from adapters.webhook.context import (
    CONFIG,
    HEALTH,
    INSPECTOR,
    OBSERVER,
    QUEUE,
    RECORD_EVENTS,
    TAKEOVER,
    SilentObserver,
    WebhookConfig,
)
from adapters.webhook.conversations import add_conversation_routes
from adapters.webhook.routes import StatusAnswer, add_routes, json_error
from adapters.webhook.yclients_routes import add_yclients_routes
from states.ports import (
    ConversationInspector,
    HealthProbe,
    MessageQueue,
    RecordEventQueue,
    Takeover,
    WebhookObserver,
)

# A venom message may carry a 64 KiB body; JSON escaping can triple it on the wire.
MAX_REQUEST_BYTES = 256 * 1024


_OUTCOMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    408: "timeout",
    413: "too_large",
    503: "unavailable",
}


def _outcome(response: web.StreamResponse) -> str:
    """The `outcome` label of a webhook POST's answer."""
    if isinstance(response, StatusAnswer):
        return response.outcome
    if response.status == 200 and isinstance(response, web.Response) and response.text:
        # ok (Cloud API), or a route that answers with plain JSON
        return str(json.loads(response.text).get("status", "accepted"))
    return _OUTCOMES.get(response.status, str(response.status))


def guarded_input(observer: WebhookObserver, read_timeout_s: float) -> Middleware:
    """Input no route can turn into a 5xx or a held connection (issue 11), whichever route
    reads it (the operator console's forms too): a body is read within the read timeout
    and the size limit (408, 413) before the handler runs, and text that is not UTF-8,
    met wherever a handler decodes it, is the client's error (400). And
    `ai_admin_webhook_requests{outcome}` for every inbound WhatsApp POST, these refusals
    included.

    One middleware, not two: aiohttp runs each as a coroutine of its own (and one more
    of its own once any is installed) on every request (BENCHMARKS.md, 1.). It takes
    what it needs when the app is built, not from the request's app chain
    (`config_dict` builds a chain per lookup)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        counted = request.method == "POST" and request.path.startswith("/webhook/")
        response: web.StreamResponse
        try:
            await receive_whole(request, read_timeout_s)
        except BodyRefused as exc:
            response = json_error(exc.status, exc.message)
        else:
            try:
                response = await handler(request)
            except UnicodeDecodeError:
                response = json_error(400, "request is not valid UTF-8")
            except web.HTTPException as exc:
                if counted:
                    observer.request(_OUTCOMES.get(exc.status, str(exc.status)))
                raise
        if counted:
            observer.request(_outcome(response))
        return response

    return guard


def build_webhook_app(
    queue: MessageQueue,
    health: HealthProbe,
    config: WebhookConfig,
    inspector: ConversationInspector | None = None,
    observer: WebhookObserver | None = None,
    takeover: Takeover | None = None,
    record_events: RecordEventQueue | None = None,
) -> web.Application:
    observer = observer or SilentObserver()
    middlewares = [guarded_input(observer, config.read_timeout_s)]
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=middlewares)
    app[CONFIG] = config
    app[QUEUE] = queue
    app[HEALTH] = health
    app[OBSERVER] = observer
    if takeover is not None:
        app[TAKEOVER] = takeover
    add_routes(app)
    add_cloud_routes(app)
    if inspector is not None:
        app[INSPECTOR] = inspector
        add_conversation_routes(app)
    if record_events is not None:
        app[RECORD_EVENTS] = record_events
        add_yclients_routes(app)
    return app


def server_settings(read_timeout_s: float) -> dict[str, Any]:
    """`web.AppRunner` keywords that bound what a slow or silent client can hold.

    aiohttp arms its keep-alive timer when a connection opens and closes the connection
    if no complete request head arrived by then, and again between requests: so
    `keepalive_timeout` is also the deadline for a request's headers (its default, an
    hour, let half-sent headers hold a connection for minutes — issue 11). A body has
    the same time, enforced where handlers read it (`adapters.webhook.body`); after an
    answer to an unfinished body the rest is drained for at most `lingering_time`. A
    stop waits at most `shutdown_timeout` for requests under way.
    """
    return {
        "keepalive_timeout": read_timeout_s,
        "lingering_time": min(read_timeout_s, 2.0),
        "shutdown_timeout": min(read_timeout_s, 2.0),
        "access_log": None,
    }
