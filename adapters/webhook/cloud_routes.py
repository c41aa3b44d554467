"""`GET`/`POST /webhook/whatsapp/cloud`: the WhatsApp Cloud API webhook (interface contract).

Meta authenticates itself here, not with `WEBHOOK_TOKEN` (interface: that token guards
"POST /webhook/whatsapp* (not cloud)"): the handshake proves we know the verify token,
and every POST is signed with the App Secret.
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.webhook.body import BodyRefused, parse_json, read_body
from adapters.webhook.cloud_payload import read_cloud_webhook
from adapters.webhook.cloud_signature import (
    SIGNATURE_HEADER,
    signature_matches,
    verify_token_matches,
)
from adapters.webhook.context import CONFIG, QUEUE
from adapters.webhook.routes import json_error
from states.errors import PayloadError
from states.ports import StorageUnavailable

log = logging.getLogger(__name__)

CLOUD_PATH = "/webhook/whatsapp/cloud"


async def verify_subscription(request: web.Request) -> web.Response:
    """The handshake [Meta C.1]: `hub.mode=subscribe` and our verify token → the challenge.

    200 with the raw `hub.challenge` as text/plain; 403 on a wrong mode or token, and
    while `WHATSAPP_VERIFY_TOKEN` is unset (nobody can subscribe then).
    """
    expected = request.app[CONFIG].cloud.verify_token
    if not expected:
        return json_error(403, "cloud webhook disabled: WHATSAPP_VERIFY_TOKEN unset")
    query = request.query
    if query.get("hub.mode") != "subscribe" or not verify_token_matches(
        query.get("hub.verify_token"), expected
    ):
        return json_error(403, "verification failed: wrong hub.mode or hub.verify_token")
    challenge = query.get("hub.challenge")
    if not challenge:
        return json_error(400, "hub.challenge missing")
    return web.Response(text=challenge, content_type="text/plain")


async def receive_cloud(request: web.Request) -> web.Response:
    """Signed inbound messages and statuses [Meta C.2–C.6].

    - `WHATSAPP_APP_SECRET` unset → 403: an unsigned endpoint would let anyone on the
      internet write into any conversation, so the route stays shut until the secret is
      configured (the safer choice; a startup warning says so).
    - body past the app's size limit → 413; missing or wrong `X-Hub-Signature-256` → 401
      (the HMAC is over the raw bytes, checked before anything is parsed).
    - not JSON, or not a `whatsapp_business_account` webhook → 400 `{"error": …}`.
    - Redis unreachable → 503, so Meta retries; messages queued before the failure are
      deduplicated by wamid on the retry.
    - else 200 `{"status": "ok", "queued": N, "duplicates": N, "ignored": N}` at once; the
      batch worker does the slow part. `ignored` counts statuses, other change fields,
      reactions and system notices.
    """
    secret = request.app[CONFIG].cloud.app_secret
    if not secret:
        return json_error(403, "cloud webhook disabled: WHATSAPP_APP_SECRET unset")
    try:
        raw = await read_body(request, request.app[CONFIG].read_timeout_s)
    except BodyRefused as exc:
        return json_error(exc.status, exc.message)
    if not signature_matches(raw, request.headers.get(SIGNATURE_HEADER), secret):
        return json_error(401, f"missing or wrong {SIGNATURE_HEADER}")
    try:
        parsed = read_cloud_webhook(parse_json(raw))
    except PayloadError as exc:
        return json_error(400, str(exc))
    queued = duplicates = 0
    queue = request.app[QUEUE]
    for inbound in parsed.inbound:  # in payload order: the batcher keeps arrival order
        try:
            result = await queue.append(inbound.chat.key, inbound.message)
        except StorageUnavailable as exc:
            log.error("could not queue a cloud message: %s", type(exc).__name__)
            return json_error(503, "message store unavailable, retry later")
        if result.queued:
            queued += 1
        else:
            duplicates += 1  # [Meta C.6] at-least-once delivery: a replayed wamid
    return web.json_response(
        {"status": "ok", "queued": queued, "duplicates": duplicates, "ignored": parsed.ignored}
    )


def add_cloud_routes(app: web.Application) -> None:
    cloud = app[CONFIG].cloud
    if cloud.verify_token and not cloud.app_secret:
        log.warning(
            "WHATSAPP_VERIFY_TOKEN is set but WHATSAPP_APP_SECRET is not: %s will refuse "
            "every POST (403) until the App Secret is configured",
            CLOUD_PATH,
        )
    app.router.add_get(CLOUD_PATH, verify_subscription)
    app.router.add_post(CLOUD_PATH, receive_cloud)
