"""The console's application keys and per-request values, declared in one place."""

from __future__ import annotations

from aiohttp import web

from adapters.console.i18n import Catalogue
from adapters.console.session import LoginThrottle, SessionKeys
from states.console import ConsoleData

PREFIX = "/admin"

DATA = web.AppKey("console_data", ConsoleData)
SESSIONS = web.AppKey("console_sessions", SessionKeys)  # absent: ADMIN_TOKEN unset
THROTTLE = web.AppKey("console_throttle", LoginThrottle)


def catalogue(request: web.Request) -> Catalogue:
    found = request.get("catalogue")
    return found if isinstance(found, Catalogue) else Catalogue("ru")


def session_id(request: web.Request) -> str | None:
    sid = request.get("sid")
    return sid if isinstance(sid, str) else None
