"""Controls of the sandbox (not YClients): the record webhooks, and the salon administrator
creating, moving and deleting visits "in the YClients interface".

- `GET /_sandbox/webhooks`: `{"config": {...}, "deliveries": [...]}`; `POST` changes the
  config (`url`, `update_copies`, `max_delay_s`, `partial`, `seed`); `DELETE` clears the log
- `POST /_sandbox/admin/records` `{"phone", "name", "staff_id", "service_ids", "datetime",
  "attendance"}`: a visit booked by the administrator (201, the record)
- `PUT /_sandbox/admin/records/{record_id}` with any of `datetime`, `staff_id`,
  `service_ids`, `attendance`: the administrator moves or changes it
- `DELETE /_sandbox/admin/records/{record_id}`: the administrator deletes it
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.yclients.sandbox import record_changes, views
from adapters.yclients.sandbox.answers import SandboxFailure, json_response
from adapters.yclients.sandbox.http_common import SALON, WEBHOOKS
from adapters.yclients.sandbox.salon import SandboxRecord, SandboxSalon

Handler = Callable[[web.Request], Awaitable[web.Response]]


async def _body(request: web.Request) -> Any:
    try:
        return json.loads(await request.text()) if request.body_exists else None
    except ValueError:
        raise SandboxFailure.message(400, "JSON body expected") from None


def _record(salon: SandboxSalon, request: web.Request) -> SandboxRecord:
    try:
        return salon.live_record(int(request.match_info["record_id"]))
    except ValueError:
        raise SandboxFailure.message(404, "Запись не найдена.") from None


def _answers_failures(handler: Handler) -> Handler:
    # Control routes bypass the API middleware: refusals are answered here.
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except SandboxFailure as failure:
            return json_response(failure.body, status=failure.status)

    return wrapped


@_answers_failures
async def webhooks(request: web.Request) -> web.Response:
    hooks = request.app[WEBHOOKS]
    if request.method == "DELETE":
        hooks.deliveries.clear()
    elif request.method == "POST":
        body = await _body(request)
        try:
            if not isinstance(body, dict):
                raise ValueError("a JSON object of settings expected")
            hooks.configure(**body)
        except (TypeError, ValueError) as exc:
            return json_response({"error": str(exc)}, status=400)
    return json_response(
        {
            "config": dataclasses.asdict(hooks.config),
            "deliveries": [dataclasses.asdict(d) for d in hooks.deliveries],
        }
    )


@_answers_failures
async def admin_create(request: web.Request) -> web.Response:
    salon = request.app[SALON]
    record = record_changes.admin_create(salon, await _body(request))
    return json_response(views.record(salon, record), status=201)


@_answers_failures
async def admin_move(request: web.Request) -> web.Response:
    salon = request.app[SALON]
    record = record_changes.admin_move(salon, _record(salon, request), await _body(request))
    return json_response(views.record(salon, record))


@_answers_failures
async def admin_delete(request: web.Request) -> web.Response:
    salon = request.app[SALON]
    record = _record(salon, request)
    record_changes.delete(salon, record)
    return json_response({"deleted": record.id})


def add_control_admin_routes(app: web.Application) -> None:
    r = app.router
    for method in ("GET", "POST", "DELETE"):
        r.add_route(method, "/_sandbox/webhooks", webhooks)
    r.add_post("/_sandbox/admin/records", admin_create)
    r.add_put("/_sandbox/admin/records/{record_id}", admin_move)
    r.add_delete("/_sandbox/admin/records/{record_id}", admin_delete)
