"""The console's actions (POST): each one checked for its CSRF token by the middleware,
then answered with a redirect back to a page that says what happened (POST/redirect/GET)."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from adapters.console.context import DATA, PREFIX
from adapters.console.pages import phone_of
from states.console import NotAvailableYet
from states.ports import DeliveryError

MAX_TEXT = 4096  # a WhatsApp message the salon writes by hand
PAUSE_HOURS = (1, 168)


def _back(path: str, **query: str) -> web.HTTPSeeOther:
    location = URL(f"{PREFIX}{path}").with_query(query)
    return web.HTTPSeeOther(location=str(location))


async def reset(request: web.Request) -> web.StreamResponse:
    phone = phone_of(request)
    await request.app[DATA].reset(phone)
    raise _back(f"/c/{phone}", notice="reset")


async def pause(request: web.Request) -> web.StreamResponse:
    phone = phone_of(request)
    form = await request.post()
    hours_text = str(form.get("hours", "12"))
    hours = int(hours_text) if hours_text.isdigit() else 12
    hours = min(max(hours, PAUSE_HOURS[0]), PAUSE_HOURS[1])
    try:
        await request.app[DATA].pause(phone, hours * 3600)
    except NotAvailableYet as missing:
        raise _back(f"/c/{phone}", unavailable=missing.operation) from None
    raise _back(f"/c/{phone}", notice="paused")


async def resume(request: web.Request) -> web.StreamResponse:
    phone = phone_of(request)
    try:
        await request.app[DATA].resume(phone)
    except NotAvailableYet as missing:
        raise _back(f"/c/{phone}", unavailable=missing.operation) from None
    raise _back(f"/c/{phone}", notice="resumed")


async def send(request: web.Request) -> web.StreamResponse:
    phone = phone_of(request)
    text = str((await request.post()).get("text", "")).strip()
    if not text:
        raise _back(f"/c/{phone}", notice="empty_text")
    if len(text) > MAX_TEXT:
        raise web.HTTPBadRequest(text=f"a message is at most {MAX_TEXT} characters")
    try:
        await request.app[DATA].send_as_salon(phone, text)
    except NotAvailableYet as missing:
        raise _back(f"/c/{phone}", unavailable=missing.operation) from None
    except DeliveryError:
        raise _back(f"/c/{phone}", notice="send_failed") from None
    raise _back(f"/c/{phone}", notice="sent")


async def requeue(request: web.Request) -> web.StreamResponse:
    done = await request.app[DATA].requeue(request.match_info["letter"])
    raise _back("/health", notice="requeued" if done else "requeue_gone")
