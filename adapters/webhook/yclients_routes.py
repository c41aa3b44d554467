"""`POST /webhook/yclients/{secret}`: YClients record webhooks (interface contract, issue 16).

YClients posts `{"resource": "record", "status": "create|update|delete", "company_id",
"resource_id", "data": {…}}` once per event and never retries, so the route only checks
and keeps the event (`RecordEventQueue`, one Lua script) and answers; a worker
applies it (`engine/record_sync/follower.py`). Nothing slow happens in the request.

- YCLIENTS_WEBHOOK_SECRET unset, or another secret in the path → 404 (the route does not
  say whether it exists);
- a body that is not JSON (or is nested too deep, or holds huge numbers) or not a YClients
  webhook → 400 `{"error": …}`;
- another branch's event, or another resource than a record → 200 `ignored`;
- Redis unavailable → 503 (said honestly; YClients will not retry it).
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.webhook.auth import tokens_equal
from adapters.webhook.body import BodyRefused, parse_json, read_body
from adapters.webhook.context import CONFIG, OBSERVER, RECORD_EVENTS
from adapters.webhook.routes import json_error
from adapters.yclients.record_webhook import WebhookBodyError, read_record_webhook
from states.errors import PayloadError
from states.ports import StorageUnavailable

log = logging.getLogger(__name__)

YCLIENTS_PATH = "/webhook/yclients/{secret}"


async def receive_record(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    expected = config.yclients.secret
    if expected is None or not tokens_equal(request.match_info["secret"], expected):
        return json_error(404, "not found")
    observer = request.app[OBSERVER]
    try:
        body = parse_json(await read_body(request, config.read_timeout_s))
        hook = read_record_webhook(body)
    except BodyRefused as exc:
        observer.yclients_webhook("unknown", "refused")
        return json_error(exc.status, exc.message)
    except (PayloadError, WebhookBodyError) as exc:
        observer.yclients_webhook("unknown", "bad_request")
        return json_error(400, str(exc))
    company = config.yclients.company_id
    if company is not None and hook.company_id is not None and hook.company_id != company:
        observer.yclients_webhook(hook.status, "ignored")
        return web.json_response({"status": "ignored", "reason": "another branch"})
    change = hook.change()
    if change is None:
        observer.yclients_webhook(hook.status, "ignored")
        return web.json_response({"status": "ignored", "reason": f"resource {hook.resource}"})
    try:
        await request.app[RECORD_EVENTS].add(change)
    except StorageUnavailable as exc:
        log.error("could not keep a YClients record event: %s", exc)
        observer.yclients_webhook(hook.status, "unavailable")
        return json_error(503, "event store unavailable")
    observer.yclients_webhook(hook.status, "queued")
    return web.json_response({"status": "queued"})


def add_yclients_routes(app: web.Application) -> None:
    app.router.add_post(YCLIENTS_PATH, receive_record)
