"""The console as an aiohttp sub-application, mounted at `/admin` of the webhook app."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from adapters.console import actions, auth, pages
from adapters.console.context import DATA, PREFIX, SESSIONS, THROTTLE
from adapters.console.session import LoginThrottle, SessionKeys
from states.console import ConsoleData

MAX_FORM_BYTES = 64 * 1024
_CSS = (Path(__file__).parent / "static" / "console.css").read_bytes()


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(
        body=_CSS, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
    )


def build_console_app(data: ConsoleData, admin_token: str | None) -> web.Application:
    """The console's routes; without `admin_token` every page refuses (503)."""
    app = web.Application(client_max_size=MAX_FORM_BYTES, middlewares=[auth.console_guard])
    app[DATA] = data
    if admin_token:
        app[SESSIONS] = SessionKeys(admin_token)
    app[THROTTLE] = LoginThrottle()
    r = app.router
    r.add_get("/static/console.css", stylesheet, name="static")
    r.add_get("/login", auth.login_form, name="login_form")
    r.add_post("/login", auth.login, name="login")
    r.add_post("/logout", auth.logout, name="logout")
    r.add_get("", pages.conversations, name="root")
    r.add_get("/", pages.conversations, name="conversations")
    r.add_get("/c/{phone}", pages.conversation, name="conversation")
    r.add_post("/c/{phone}/reset", actions.reset, name="reset")
    r.add_post("/c/{phone}/pause", actions.pause, name="pause")
    r.add_post("/c/{phone}/resume", actions.resume, name="resume")
    r.add_post("/c/{phone}/send", actions.send, name="send")
    r.add_get("/handoffs", pages.handoffs, name="handoffs")
    r.add_get("/health", pages.health, name="health")
    r.add_post("/dead/{letter}/requeue", actions.requeue, name="requeue")
    return app


def mount_console(app: web.Application, data: ConsoleData, admin_token: str | None) -> None:
    """Serve the console under `/admin` of `app` (the webhook application)."""
    app.add_subapp(PREFIX, build_console_app(data, admin_token))
