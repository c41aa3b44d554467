"""State inspection: `GET` and `DELETE /conversations/{phone}` behind `ADMIN_TOKEN`."""

from __future__ import annotations

import json

from aiohttp import web

from adapters.webhook.auth import require_admin_token
from adapters.webhook.context import CONFIG, INSPECTOR
from states.messages import is_conversation_key
from states.ports import StorageUnavailable


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


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # readable Cyrillic for the engineer


def add_conversation_routes(app: web.Application) -> None:
    app.router.add_get("/conversations/{phone}", show)
    app.router.add_delete("/conversations/{phone}", reset)
