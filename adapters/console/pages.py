"""The console's pages (GET): conversations, one conversation's timeline, the hand-off
queue, and health. Each reads the runtime only through `ConsoleData`."""

from __future__ import annotations

from aiohttp import web

from adapters.console.chart import daily_chart
from adapters.console.context import DATA, catalogue
from adapters.console.render import REFRESH_S, page
from states.console import ListView, NotAvailableYet, ReminderView
from states.messages import is_conversation_key

LIST_LIMIT = 200
CHART_DAYS = 14
DEAD_SHOWN = 50

_VIEWS = [(view.value, f"filter_{view.value}") for view in ListView]
_NOTICES = {
    "reset",
    "requeued",
    "requeue_gone",
    "sent",
    "empty_text",
    "paused",
    "resumed",
    "send_failed",
}


def notice(request: web.Request) -> str:
    """The word for an action's outcome, carried in the redirect (`?notice=…`)."""
    t = catalogue(request)
    code = request.query.get("notice", "")
    if code in _NOTICES:
        return t(f"notice_{code}")
    unavailable = request.query.get("unavailable", "")
    if unavailable and f"op_{unavailable}" in t.messages:
        return t("not_available", what=t(f"op_{unavailable}"))
    return ""


def phone_of(request: web.Request) -> str:
    phone = request.match_info["phone"]
    if not is_conversation_key(phone):
        raise web.HTTPNotFound()
    return phone


async def conversations(request: web.Request) -> web.Response:
    try:
        view = ListView(request.query.get("view", ListView.ALL.value))
    except ValueError:
        view = ListView.ALL
    rows = await request.app[DATA].conversations(view, LIST_LIMIT)
    return page(
        request,
        "conversations.html",
        rows=rows,
        view=view.value,
        views=_VIEWS,
        reveal=request.query.get("phones") == "1",
        refresh_s=REFRESH_S,
        notice=notice(request),
    )


async def conversation(request: web.Request) -> web.Response:
    phone = phone_of(request)
    data = request.app[DATA]
    detail = await data.conversation(phone)
    if detail is None:
        raise web.HTTPNotFound()
    reminders: list[ReminderView] | None
    try:
        reminders = await data.reminders(phone)
    except NotAvailableYet:
        reminders = None
    # No auto-refresh here: it would wipe a message the operator is typing.
    return page(
        request,
        "conversation.html",
        detail=detail,
        reminders=reminders,
        reveal=request.query.get("phones") == "1",
        notice=notice(request),
    )


async def handoffs(request: web.Request) -> web.Response:
    try:
        items = await request.app[DATA].handoffs()
    except NotAvailableYet:
        items = None
    return page(request, "handoffs.html", items=items, refresh_s=REFRESH_S)


async def health(request: web.Request) -> web.Response:
    data = request.app[DATA]
    report = await data.health()
    letters = await data.dead_letters(DEAD_SHOWN) if report.redis_ok else []
    counts = await data.daily_counts(CHART_DAYS) if report.redis_ok else []
    return page(
        request,
        "health.html",
        health=report,
        letters=letters,
        chart=daily_chart(counts, catalogue(request)),
        refresh_s=REFRESH_S,
        notice=notice(request),
    )
