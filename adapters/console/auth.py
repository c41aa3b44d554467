"""Who may use the console: login with ADMIN_TOKEN, the session cookie, CSRF on every
action, and the headers that keep the pages in their own origin.

Without ADMIN_TOKEN the console refuses every page (never open). Without a valid session a
page redirects to the login and an action answers 401; an action without the session's
CSRF token, or posted from another origin, answers 403.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from adapters.console.context import CATALOGUE, PREFIX, SESSIONS, SID, THROTTLE, session_id
from adapters.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalogue
from adapters.console.render import page, problem
from adapters.console.session import COOKIE, SESSION_TTL_S
from states.ports import StorageUnavailable

LANG_COOKIE = "ai_admin_console_lang"
PUBLIC_ROUTES = {"login_form", "login", "static"}
SECURITY_HEADERS = {
    # No script at all: auto-refresh is a meta refresh; styles come from our own file.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: with it a browser sends `Origin: null` on our own form posts.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # the pages carry clients' messages
}


def _language(request: web.Request) -> tuple[str, bool]:
    """(language, whether it was asked for now and should be remembered)."""
    asked = request.query.get("lang")
    if asked in LANGUAGES:
        return asked, True
    kept = request.cookies.get(LANG_COOKIE)
    return (kept if kept in LANGUAGES else DEFAULT_LANGUAGE), False


def _https(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def _same_origin(request: web.Request) -> bool:
    """A browser names the page a form was posted from; it must be this console's host."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not sent by every client; the CSRF token still has to match
    if origin == "null":
        return False
    hosts = {request.host.lower(), request.headers.get("X-Forwarded-Host", "").lower()}
    return URL(origin).raw_authority.lower() in hosts


def safe_next(value: object) -> str:
    """Where to go after the login: a console path only (no open redirect)."""
    text = value if isinstance(value, str) else ""
    inside = text == PREFIX or text.startswith(f"{PREFIX}/") or text.startswith(f"{PREFIX}?")
    if not inside or "//" in text or "\\" in text:
        return f"{PREFIX}/"
    return text


async def _admit(request: web.Request, handler: Handler) -> web.StreamResponse:
    sessions = request.app.get(SESSIONS)
    name = request.match_info.route.name
    if name == "static":
        return await handler(request)
    if sessions is None:
        return problem(request, 503, "refused")
    sid = sessions.session_of(request.cookies.get(COOKIE))
    if sid is not None:
        request[SID] = sid
    if request.method == "POST" and not _same_origin(request):
        return problem(request, 403, "forbidden")
    if name in PUBLIC_ROUTES:
        return await handler(request)
    if sid is None:
        if request.method in ("GET", "HEAD"):
            login = URL(f"{PREFIX}/login").with_query(next=request.path_qs)
            raise web.HTTPSeeOther(location=str(login))
        return problem(request, 401, "unauthorized")
    if request.method == "POST" and not sessions.csrf_ok(sid, (await request.post()).get("csrf")):
        return problem(request, 403, "forbidden")
    return await handler(request)


@web.middleware
async def console_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    language, asked = _language(request)
    request[CATALOGUE] = Catalogue(language)
    try:
        response = await _admit(request, handler)
    except web.HTTPNotFound:
        response = problem(request, 404, "not_found")
    except StorageUnavailable:
        response = problem(request, 503, "storage", refresh=True)
    except web.HTTPException as exc:  # redirects and refusals keep the same headers
        exc.headers.update(SECURITY_HEADERS)
        if asked:
            _remember_language(exc, language, request)
        raise
    response.headers.update(SECURITY_HEADERS)
    if asked:
        _remember_language(response, language, request)
    return response


def _remember_language(response: web.StreamResponse, language: str, request: web.Request) -> None:
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=_https(request),
    )


async def login_form(request: web.Request) -> web.StreamResponse:
    target = safe_next(request.query.get("next"))
    if session_id(request) is not None:
        raise web.HTTPSeeOther(location=target)
    return page(request, "login.html", next=target, error=None)


async def login(request: web.Request) -> web.StreamResponse:
    sessions = request.app[SESSIONS]
    throttle = request.app[THROTTLE]
    who = request.remote or "unknown"
    form = await request.post()
    target = safe_next(form.get("next"))
    if throttle.blocked(who):
        return page(request, "login.html", status=429, next=target, error="login_throttled")
    token = form.get("token")
    if not isinstance(token, str) or not sessions.token_matches(token):
        throttle.failed(who)
        return page(request, "login.html", status=401, next=target, error="login_wrong")
    response = web.HTTPSeeOther(location=target)
    response.set_cookie(
        COOKIE,
        sessions.issue(),
        max_age=SESSION_TTL_S,
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=_https(request),
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther(location=f"{PREFIX}/login")
    response.del_cookie(COOKIE, path=PREFIX)
    raise response
