"""The sandbox as an aiohttp app: YClients endpoints plus `/_sandbox/*` controls.

Controls (JSON):
- `GET|POST|DELETE /_sandbox/faults`: list, add (one object or a list, see `Fault`), clear
- `POST /_sandbox/reset`: state back to the fixture, faults and request log cleared
- `GET|DELETE /_sandbox/requests`: the log of received API requests, or clear it
- `GET|POST /_sandbox/clock`: `{"now": "2025-07-23T15:00:00+03:00"}` freezes the clock,
  `{"now": null}` goes back to the real one
- `/_sandbox/webhooks` and `/_sandbox/admin/records`: see `routes_control_admin`
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from adapters.yclients.sandbox.answers import SandboxFailure, json_response
from adapters.yclients.sandbox.control import Fault, LoggedRequest, SandboxControl
from adapters.yclients.sandbox.http_common import CONTROL, SALON, WEBHOOKS, described_headers
from adapters.yclients.sandbox.routes_admin import add_admin_routes
from adapters.yclients.sandbox.routes_booking import add_booking_routes
from adapters.yclients.sandbox.routes_control_admin import add_control_admin_routes
from adapters.yclients.sandbox.salon import SandboxSalon, system_clock
from adapters.yclients.sandbox.webhooks import RecordWebhooks

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _fault_response(fault: Fault) -> web.Response:
    assert fault.status is not None
    if fault.raw is not None:
        return web.Response(status=fault.status, text=fault.raw, headers=fault.headers)
    if fault.json_body is None:
        return web.Response(status=fault.status, headers=fault.headers)
    return json_response(fault.json_body, status=fault.status, headers=fault.headers)


async def _logged_body(request: web.Request) -> Any:
    if not request.body_exists:
        return None
    text = await request.text()  # aiohttp keeps the body: handlers can read it again
    try:
        return json.loads(text)
    except ValueError:
        return text


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_sandbox"):
        return await handler(request)
    control = request.app[CONTROL]
    route_handler = request.match_info.handler
    endpoint = None if request.match_info.http_exception else route_handler.__name__
    control.log(
        LoggedRequest(
            at=time.time(),
            method=request.method,
            path=request.path,
            query={k: request.query.getall(k) for k in request.query},
            json=await _logged_body(request),
            endpoint=endpoint,
            headers=described_headers(request),
        )
    )
    fault = control.take_fault(endpoint, request.method) if endpoint else None
    if fault is not None and fault.status is not None and not fault.process:
        await asyncio.sleep(fault.delay_s)
        return _fault_response(fault)
    try:
        response = await handler(request)
    except SandboxFailure as failure:
        response = json_response(failure.body, status=failure.status)
    except web.HTTPNotFound:
        response = json_response(
            {"success": False, "data": None, "meta": {"message": "Not found"}}, status=404
        )
    if fault is not None:
        # The real work is done (e.g. the record exists); only the answer is late or lost.
        await asyncio.sleep(fault.delay_s)
        if fault.status is not None:
            return _fault_response(fault)
    return response


async def _faults(request: web.Request) -> web.Response:
    control = request.app[CONTROL]
    if request.method == "DELETE":
        control.faults.clear()
    elif request.method == "POST":
        try:
            body = json.loads(await request.text())
            for item in body if isinstance(body, list) else [body]:
                control.add_fault(item)
        except (ValidationError, ValueError, TypeError) as exc:  # JSON or Fault errors
            return json_response({"error": str(exc)}, status=400)
    return json_response({"faults": [f.model_dump(by_alias=True) for f in control.faults]})


async def _reset(request: web.Request) -> web.Response:
    request.app[SALON].reset()
    request.app[CONTROL].clear()
    request.app[WEBHOOKS].deliveries.clear()
    return json_response({"reset": True})


async def _requests(request: web.Request) -> web.Response:
    control = request.app[CONTROL]
    if request.method == "DELETE":
        control.requests.clear()
    return json_response({"requests": [r.to_json() for r in control.requests]})


async def _clock(request: web.Request) -> web.Response:
    salon = request.app[SALON]
    if request.method == "POST":
        try:
            body = json.loads(await request.text())
        except ValueError:
            return json_response({"error": "JSON body expected"}, status=400)
        raw = body.get("now") if isinstance(body, dict) else None
        if raw is None:
            salon.clock = system_clock
        else:
            try:
                frozen = datetime.fromisoformat(str(raw))
            except ValueError:
                return json_response({"error": "now: ISO 8601 expected"}, status=400)
            if frozen.tzinfo is None:
                frozen = frozen.replace(tzinfo=salon.tz)
            salon.clock = lambda: frozen
    return json_response({"now": salon.now().isoformat()})


async def _close_webhooks(app: web.Application) -> None:
    await app[WEBHOOKS].close()


def build_sandbox_app(
    salon: SandboxSalon | None = None,
    control: SandboxControl | None = None,
    webhooks: RecordWebhooks | None = None,
) -> web.Application:
    """The sandbox over `salon` (the demo salon with the real clock by default)."""
    app = web.Application(middlewares=[sandbox_middleware])
    app[SALON] = salon = salon or SandboxSalon()
    app[CONTROL] = control or SandboxControl()
    app[WEBHOOKS] = webhooks or RecordWebhooks(salon)
    app.on_cleanup.append(_close_webhooks)
    add_booking_routes(app)
    add_admin_routes(app)
    add_control_admin_routes(app)
    for method in ("GET", "POST", "DELETE"):
        app.router.add_route(method, "/_sandbox/faults", _faults)
    app.router.add_post("/_sandbox/reset", _reset)
    app.router.add_get("/_sandbox/requests", _requests)
    app.router.add_delete("/_sandbox/requests", _requests)
    app.router.add_get("/_sandbox/clock", _clock)
    app.router.add_post("/_sandbox/clock", _clock)
    return app
