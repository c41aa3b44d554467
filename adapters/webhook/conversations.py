"""State inspection and takeover behind `ADMIN_TOKEN`: `GET`/`DELETE /conversations/{phone}`,
`POST /conversations/{phone}/pause` (optional JSON `{"for_s": N}`) and `…/resume`, both
answering `{"paused_until": iso | null}` (issue 17)."""

from __future__ import annotations

import json

from aiohttp import web

from adapters.webhook.auth import require_admin_token
from adapters.webhook.body import BodyRefused, parse_json, read_body
from adapters.webhook.context import CONFIG, INSPECTOR, TAKEOVER
from adapters.webhook.routes import json_error
from states.errors import PayloadError
from states.messages import is_conversation_key
from states.ports import MAX_PAUSE_S, StorageUnavailable


def _phone(request: web.Request) -> str:
    require_admin_token(request, request.app[CONFIG].admin_token)
    phone = request.match_info["phone"]
    if not is_conversation_key(phone):
        raise web.HTTPBadRequest(
            text='{"error": "phone must be digits, as in 79161234567"}',
            content_type="application/json",
        )
    return phone


async def show(request: web.Request) -> web.Response:
    phone = _phone(request)
    try:
        view = await request.app[INSPECTOR].view(phone)
    except StorageUnavailable:
        return web.json_response({"error": "state store unavailable"}, status=503)
    if view is None:
        return web.json_response({"error": "no conversation with this phone"}, status=404)
    return web.json_response(view, dumps=_dumps)


async def reset(request: web.Request) -> web.Response:
    phone = _phone(request)
    try:
        await request.app[INSPECTOR].reset(phone)
    except StorageUnavailable:
        return web.json_response({"error": "state store unavailable"}, status=503)
    return web.json_response({"reset": True})


async def _pause_for(request: web.Request) -> int | None:
    """`for_s` of an optional JSON body; PayloadError for anything else."""
    raw = await read_body(request, request.app[CONFIG].read_timeout_s)
    if not raw.strip():
        return None
    body = parse_json(raw)
    if not isinstance(body, dict) or set(body) - {"for_s"}:
        raise PayloadError('body must be {"for_s": seconds} or empty')
    for_s = body.get("for_s")
    if for_s is None:
        return None
    if isinstance(for_s, bool) or not isinstance(for_s, int) or not 1 <= for_s <= MAX_PAUSE_S:
        raise PayloadError(f"for_s: whole seconds from 1 to {MAX_PAUSE_S}")
    return for_s


async def pause(request: web.Request) -> web.Response:
    phone = _phone(request)
    try:
        for_s = await _pause_for(request)
    except BodyRefused as exc:
        return json_error(exc.status, exc.message)
    except PayloadError as exc:
        return json_error(400, str(exc))
    try:
        until = await request.app[TAKEOVER].pause(phone, for_s)
    except StorageUnavailable:
        return json_error(503, "state store unavailable")
    return web.json_response({"paused_until": until.isoformat()})


async def resume(request: web.Request) -> web.Response:
    phone = _phone(request)
    try:
        await request.app[TAKEOVER].resume(phone)
    except StorageUnavailable:
        return json_error(503, "state store unavailable")
    return web.json_response({"paused_until": None})


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # readable Cyrillic for the engineer


def add_conversation_routes(app: web.Application) -> None:
    app.router.add_get("/conversations/{phone}", show)
    app.router.add_delete("/conversations/{phone}", reset)
    if TAKEOVER in app:
        app.router.add_post("/conversations/{phone}/pause", pause)
        app.router.add_post("/conversations/{phone}/resume", resume)
