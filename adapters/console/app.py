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


# Every route but two is named after its handler.
_PAGES = (
    ("/login", auth.login_form),
    ("/", pages.conversations),
    ("/c/{phone}", pages.conversation),
    ("/handoffs", pages.handoffs),
    ("/health", pages.health),
)
_FORMS = (
    ("/login", auth.login),
    ("/logout", auth.logout),
    ("/dead/{letter}/requeue", actions.requeue),
)
# What the operator does to one conversation: POST /c/{phone}/<the handler's name>.
_CONVERSATION_ACTIONS = (actions.reset, actions.pause, actions.resume, actions.send)


def build_console_app(data: ConsoleData, admin_token: str | None) -> web.Application:
    """The console's routes; without `admin_token` every page refuses (503)."""
    app = web.Application(client_max_size=MAX_FORM_BYTES, middlewares=[auth.console_guard])
    app[DATA] = data
    if admin_token:
        app[SESSIONS] = SessionKeys(admin_token)
    app[THROTTLE] = LoginThrottle()
    app.add_routes(
        [
            web.get("/static/console.css", stylesheet, name="static"),
            web.get("", pages.conversations, name="root"),
            *(web.get(path, page, name=page.__name__) for path, page in _PAGES),
            *(web.post(path, form, name=form.__name__) for path, form in _FORMS),
            *(
                web.post(f"/c/{{phone}}/{act.__name__}", act, name=act.__name__)
                for act in _CONVERSATION_ACTIONS
            ),
        ]
    )
    return app


def mount_console(app: web.Application, data: ConsoleData, admin_token: str | None) -> None:
    """Serve the console under `/admin` of `app` (the webhook application)."""
    app.add_subapp(PREFIX, build_console_app(data, admin_token))
