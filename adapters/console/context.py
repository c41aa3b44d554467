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
CATALOGUE = web.RequestKey("console_catalogue", Catalogue)  # the words of the request's language
SID = web.RequestKey("console_sid", str)  # the session id, once the cookie is checked


def catalogue(request: web.Request) -> Catalogue:
    return request.get(CATALOGUE) or Catalogue("ru")


def session_id(request: web.Request) -> str | None:
    return request.get(SID)
