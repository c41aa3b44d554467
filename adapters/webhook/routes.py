"""The venom-bot webhook, batch stats and health endpoints (interface contract)."""

from __future__ import annotations

import json
import logging

from aiohttp import web

from adapters.webhook.auth import require_admin_token, require_webhook_token
from adapters.webhook.body import BodyRefused, read_body
from adapters.webhook.context import CONFIG, HEALTH, OBSERVER, QUEUE, TAKEOVER
from adapters.webhook.venom_payload import BodyTooLarge, read_venom_body
from states.errors import PayloadError
from states.messages import is_conversation_key
from states.ports import StorageUnavailable

log = logging.getLogger(__name__)

# Storage failures the webhook answers with 503, so the gateway retries later: Redis away,
# and Redis refusing (out of memory, a Cluster slot moving) — never a 500 (issue 11).


class StatusAnswer(web.Response):
    """A 200 JSON answer `{"status": …, …}` that carries its status for the metrics
    middleware, which otherwise parses the body back (once per webhook request)."""

    def __init__(self, body: dict[str, object], encoded: bytes | None = None) -> None:
        if encoded is None:
            encoded = json.dumps(body).encode("utf-8")
        super().__init__(body=encoded, content_type="application/json", charset="utf-8")
        self.outcome = str(body["status"])

    @classmethod
    def queued(cls, pending: int) -> StatusAnswer:
        """The answer to every queued message, framed without the JSON encoder: the same
        bytes as `json.dumps` gives (an int needs no escaping)."""
        return cls(_QUEUED, b'{"status": "queued", "pending": %d}' % pending)


_QUEUED: dict[str, object] = {"status": "queued"}


def json_error(status: int, message: str) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if status == 408:
        response.force_close()  # the rest of the body may still come: not a request
    return response


async def receive_venom(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    require_webhook_token(request, config.webhook_token)
    try:
        verdict = read_venom_body(await read_body(request, config.read_timeout_s))
    except BodyRefused as exc:
        return json_error(exc.status, exc.message)
    except BodyTooLarge as exc:
        return json_error(413, str(exc))
    except PayloadError as exc:
        return json_error(400, str(exc))
    if verdict[0] == "ignore":
        return StatusAnswer({"status": "ignored", "reason": verdict[1]})
    if verdict[0] == "salon":
        return await _salon_wrote(request, verdict[1].key, verdict[2])
    _, chat, message = verdict
    try:
        result = await request.app[QUEUE].append(chat.key, message)
    except StorageUnavailable as exc:
        log.error("could not queue a message: %s", exc)
        return json_error(503, "message store unavailable, retry later")
    if not result.queued:
        return StatusAnswer({"status": "ignored", "reason": "duplicate message id"})
    return StatusAnswer.queued(result.pending)


async def _salon_wrote(request: web.Request, phone: str, text: str) -> web.Response:
    """The salon's own WhatsApp wrote to a client: the bot keeps quiet for that chat."""
    takeover = request.app.get(TAKEOVER)
    if takeover is None:
        return StatusAnswer({"status": "ignored", "reason": "own message"})
    try:
        until = await takeover.salon_wrote(phone, text)
    except StorageUnavailable as exc:
        log.error("could not record the salon's message: %s", exc)
        return json_error(503, "message store unavailable, retry later")
    if until is None:
        return StatusAnswer({"status": "ignored", "reason": "own reply (echo)"})
    return StatusAnswer({"status": "paused", "paused_until": until.isoformat()})


async def batch_stats(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    require_admin_token(request, config.admin_token)
    try:
        stats = await request.app[QUEUE].stats()
    except StorageUnavailable:
        return json_error(503, "message store unavailable")
    body: dict[str, int] = stats.as_dict()
    body["batch_timeout_ms"] = config.batch_timeout_ms
    body["max_batch_size"] = config.max_batch_size
    return web.json_response(body)


async def drop_batch(request: web.Request) -> web.Response:
    require_admin_token(request, request.app[CONFIG].admin_token)
    phone = request.match_info["phone"]
    if not is_conversation_key(phone):
        return json_error(400, "phone must be digits, as in 79161234567")
    try:
        deleted = await request.app[QUEUE].drop_pending(phone)
    except StorageUnavailable:
        return json_error(503, "message store unavailable")
    return web.json_response({"deleted": deleted})


async def healthz(request: web.Request) -> web.Response:
    demo = request.app[CONFIG].demo
    probe = request.app[HEALTH]
    try:
        await probe.ping()
        reasons = await probe.degraded()
    except Exception as exc:  # any failure of the probe is "unhealthy", with its reason
        return web.json_response(
            {"status": "error", "redis": f"unreachable: {type(exc).__name__}", "demo": demo},
            status=503,
        )
    if reasons:
        # Still 200: the service takes messages; the alert rules page the engineer.
        body = {"status": "degraded", "redis": "ok", "demo": demo, "reasons": reasons}
        return web.json_response(body)
    return web.json_response({"status": "ok", "redis": "ok", "demo": demo})


async def metrics(request: web.Request) -> web.Response:
    body, content_type = await request.app[OBSERVER].render()
    response = web.Response(body=body)
    response.headers["Content-Type"] = content_type
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_post("/webhook/whatsapp/batched", receive_venom)
    app.router.add_post("/webhook/whatsapp", receive_venom)
    app.router.add_get("/webhook/whatsapp/batched/stats", batch_stats)
    app.router.add_delete("/webhook/whatsapp/batched/{phone}", drop_batch)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
