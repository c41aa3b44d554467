"""Rendering the console's pages: one jinja2 environment, autoescaped, with the helpers
every template uses (words, times in the salon's zone, masked phones, the CSRF token)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from adapters.console.context import DATA, PREFIX, SESSIONS, catalogue, session_id
from states.masking import mask_phone

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("adapters.console", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# Pages that show live figures reload themselves (no JavaScript: a meta refresh).
REFRESH_S = 15


def _local(zone: ZoneInfo, now: datetime) -> Any:
    def local(moment: datetime | None) -> str:
        if moment is None:
            return ""
        here = moment.astimezone(zone)
        if here.date() == now.astimezone(zone).date():
            return here.strftime("%H:%M")
        return here.strftime("%d.%m %H:%M")

    return local


def _compact(value: object) -> str:
    """A trace value in one readable line (ids, lists, dicts)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    words = catalogue(request)
    data = request.app.get(DATA)
    zone = ZoneInfo(data.timezone if data is not None else "UTC")
    sid = session_id(request)
    sessions = request.app.get(SESSIONS)
    html = ENV.get_template(template).render(
        t=words,
        lang=words.language,
        prefix=PREFIX,
        switch_url=str(request.rel_url.update_query(lang=words("lang_switch_code"))),
        csrf=sessions.csrf(sid) if sessions is not None and sid is not None else "",
        logged_in=sid is not None,
        local=_local(zone, datetime.now(zone)),
        mask=mask_phone,
        compact=_compact,
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def problem(request: web.Request, status: int, name: str, refresh: bool = False) -> web.Response:
    """A short page for a refusal or an outage: `<name>_title` and `<name>_text`."""
    return page(request, "problem.html", status=status, name=name, refresh=refresh)
