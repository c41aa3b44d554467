"""The console over HTTP: who may see and do what (sessions, CSRF, origin), the refusal
without ADMIN_TOKEN, languages, headers and errors. Every route of the console's router is
checked, so a route added later is covered without a new test."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.console.app import build_console_app, mount_console
from adapters.console.session import COOKIE, SESSION_TTL_S, SessionKeys
from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.console_data import EngineConsoleData
from engine.conversations import ConversationStore
from engine.harness import Harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for
from states.console import ConsoleData
from states.ports import DeliveryError
from tests.support.console import TIMEZONE, console_of, harness

TOKEN = "adm-token-for-tests"
PHONE = "79990001122"
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
Client = TestClient[Any, Any]
PUBLIC = {"login_form", "login", "static"}


def _routes(method: str) -> list[str]:
    """Every console route of `method` that needs a session, as a concrete /admin path."""
    app = build_console_app(cast(ConsoleData, None), TOKEN)  # only its router is read
    paths = []
    for route in app.router.routes():
        if route.method != method or route.name in PUBLIC:
            continue
        template = route.resource.canonical if route.resource else ""
        paths.append("/admin" + template.format(phone=PHONE, letter="00-0123456789abcdef"))
    assert paths
    return paths


GET_ROUTES = _routes("GET")
POST_ROUTES = _routes("POST")


async def _serve(data: ConsoleData, token: str | None) -> Client:
    app = web.Application()
    mount_console(app, data, token)
    client: Client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def console(redis: AsyncRedis, keys: Keys) -> AsyncIterator[tuple[Client, Harness]]:
    async with harness(redis, keys, START) as h:
        await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
        client = await _serve(console_of(h), TOKEN)
        try:
            yield client, h
        finally:
            await client.close()


async def login(client: Client) -> str:
    """Log in; the CSRF token of the new session."""
    response = await client.post(
        "/admin/login", data={"token": TOKEN, "next": "/admin/"}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    page = await (await client.get("/admin/")).text()
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, page
    return found.group(1)


def _cookie_variants() -> dict[str, str | None]:
    genuine = SessionKeys(TOKEN).issue()
    expires, sid, signature = genuine.split(".")
    stale = SessionKeys(TOKEN, now=lambda: time.time() - SESSION_TTL_S - 60).issue()
    return {
        "none": None,
        "forged signature": f"{expires}.{sid}.{'0' * len(signature)}",
        "extended expiry": f"{int(expires) + 10**6}.{sid}.{signature}",
        "expired": stale,
        "another token": SessionKeys("some-other-token").issue(),
        "garbage": "x.y",
    }


@pytest.mark.parametrize("variant", list(_cookie_variants()))
async def test_without_a_valid_session_pages_redirect_and_actions_answer_401(
    console: tuple[Client, Harness], variant: str
) -> None:
    client, h = console
    cookie = _cookie_variants()[variant]
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    for path in GET_ROUTES:
        response = await client.get(path, headers=headers, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/admin/login?next=/admin"), path
    for path in POST_ROUTES:
        response = await client.post(path, headers=headers, data={"csrf": "0" * 64})
        assert response.status == 401, path
        assert "Нужен вход" in await response.text()
    assert (await h.conversation(PHONE)).state == "confirming"  # nothing was reset


async def test_every_action_needs_the_sessions_csrf_token(
    console: tuple[Client, Harness],
) -> None:
    client, h = console
    csrf = await login(client)
    other = SessionKeys(TOKEN).csrf("another-session")
    for path in POST_ROUTES:
        for forged in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": other}, {"csrf": csrf[:-1]}):
            response = await client.post(path, data=forged, allow_redirects=False)
            assert response.status == 403, (path, forged)
            assert "CSRF" in await response.text()
    assert (await h.conversation(PHONE)).state == "confirming"
    response = await client.post(
        f"/admin/c/{PHONE}/reset", data={"csrf": csrf}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"].endswith("notice=reset")
    assert (await h.conversation(PHONE)).state == "idle"


async def test_a_post_from_another_origin_is_refused(console: tuple[Client, Harness]) -> None:
    client, h = console
    csrf = await login(client)
    for origin in ("http://evil.example", "null"):
        response = await client.post(
            f"/admin/c/{PHONE}/reset", data={"csrf": csrf}, headers={"Origin": origin}
        )
        assert response.status == 403
    response = await client.post(
        "/admin/login", data={"token": TOKEN}, headers={"Origin": "http://evil.example"}
    )
    assert response.status == 403
    assert (await h.conversation(PHONE)).state == "confirming"


async def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(
    console: tuple[Client, Harness],
) -> None:
    client, _ = console
    response = await client.post("/admin/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/"
    set_cookie = response.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/admin", f"Max-Age={SESSION_TTL_S}"):
        assert attribute in set_cookie
    assert TOKEN not in set_cookie
    page = await (await client.get("/admin/")).text()
    csrf = re.findall(r'name="csrf" value="([0-9a-f]+)"', page)[0]
    response = await client.post("/admin/logout", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/login"
    assert (await client.get("/admin/", allow_redirects=False)).status == 303


async def test_a_wrong_token_is_refused_and_guessing_is_throttled(
    console: tuple[Client, Harness],
) -> None:
    client, _ = console
    for guess in ("", "adm", TOKEN + " ", TOKEN.upper()):
        response = await client.post("/admin/login", data={"token": guess})
        assert response.status == 401
        assert "Неверный токен" in await response.text()
    for _ in range(6):
        await client.post("/admin/login", data={"token": "wrong"})
    response = await client.post("/admin/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 429  # ten failures a minute: even the right token waits


@pytest.mark.parametrize(
    ("asked", "landed"),
    [
        ("/admin/c/79990001122?phones=1", "/admin/c/79990001122?phones=1"),
        ("/admin/health", "/admin/health"),
        ("//evil.example/admin/", "/admin/"),
        ("https://evil.example/", "/admin/"),
        ("/admin//evil.example", "/admin/"),
        ("/administrator", "/admin/"),
        ("", "/admin/"),
    ],
)
async def test_after_the_login_only_console_paths_are_followed(
    console: tuple[Client, Harness], asked: str, landed: str
) -> None:
    client, _ = console
    response = await client.post(
        "/admin/login", data={"token": TOKEN, "next": asked}, allow_redirects=False
    )
    assert response.headers["Location"] == landed


async def test_without_admin_token_the_console_refuses_to_serve(
    redis: AsyncRedis, keys: Keys
) -> None:
    async with harness(redis, keys, START) as h:
        client = await _serve(console_of(h), None)
        try:
            for path in ["/admin/login", *GET_ROUTES]:
                response = await client.get(path, allow_redirects=False)
                assert response.status == 503, path
                assert "ADMIN_TOKEN" in await response.text()
            for path in ["/admin/login", *POST_ROUTES]:
                response = await client.post(path, data={"token": "", "csrf": ""})
                assert response.status == 503, path
            assert (await client.get("/admin/static/console.css")).status == 200
        finally:
            await client.close()


async def test_pages_speak_russian_by_default_and_english_when_asked(
    console: tuple[Client, Harness],
) -> None:
    client, _ = console
    await login(client)
    assert "Диалоги" in await (await client.get("/admin/")).text()
    english = await client.get("/admin/?lang=en")
    assert "Conversations" in await english.text()
    assert "Диалоги" not in await english.text()
    assert "Timeline" in await (await client.get(f"/admin/c/{PHONE}")).text()  # remembered
    assert "Ход диалога" in await (await client.get(f"/admin/c/{PHONE}?lang=ru")).text()


async def test_pages_and_redirects_carry_the_security_headers(
    console: tuple[Client, Harness],
) -> None:
    client, _ = console
    redirect = await client.get("/admin/health", allow_redirects=False)
    await login(client)
    for response in (redirect, await client.get("/admin/health"), await client.get("/admin/")):
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"


async def test_the_phone_is_masked_unless_revealed(console: tuple[Client, Harness]) -> None:
    client, _ = console
    await login(client)
    for path in ("/admin/", f"/admin/c/{PHONE}"):
        page = await (await client.get(path)).text()
        assert PHONE not in re.sub(r'(href|action)="[^"]*"', "", page)  # masked; linked in full
        assert "7999*****22" in page
        revealed = await (await client.get(f"{path}?phones=1")).text()
        assert ">79990001122<" in revealed


async def test_unknown_conversations_are_404_and_takeover_actions_say_what_happened(
    console: tuple[Client, Harness],
) -> None:
    client, h = console
    csrf = await login(client)
    for path in ("/admin/c/79990009999", "/admin/c/not-a-phone"):
        response = await client.get(path)
        assert response.status == 404 and "Такого диалога нет" in await response.text()
    for action, word in (("pause", "Бот на паузе"), ("send", "Сообщение отправлено")):
        response = await client.post(
            f"/admin/c/{PHONE}/{action}", data={"csrf": csrf, "text": "Добрый день!"}
        )
        assert response.status == 200 and word in await response.text()
    assert h.messenger.to(f"{PHONE}@c.us")[-1] == "Добрый день!"

    class Refusing:
        async def send(self, chat: str, text: str, menu: object = None) -> None:
            raise DeliveryError("venom gateway answered 400: no such chat", retryable=False)

        async def mark_read(self, chat: str, message_id: str) -> None:
            return None

    h.takeover.messenger = Refusing()
    response = await client.post(f"/admin/c/{PHONE}/send", data={"csrf": csrf, "text": "Алло"})
    assert "Сообщение не отправлено" in await response.text()
    response = await client.get("/admin/handoffs")
    assert "Никто не ждёт" in await response.text()


async def test_storage_down_shows_a_page_that_retries(keys: Keys) -> None:
    down = client_for("redis://127.0.0.1:1/0")
    clock = VirtualClock(START)
    store = ConversationStore(down, keys, clock, 3600)
    data = EngineConsoleData(store, Batcher(down, keys, BatchPolicy(), clock), TIMEZONE)
    client = await _serve(data, TOKEN)
    try:
        await client.post("/admin/login", data={"token": TOKEN})
        response = await client.get("/admin/")
        assert response.status == 503 and "Redis" in await response.text()
        assert 'http-equiv="refresh"' in await response.text()
        health = await client.get("/admin/health")
        assert health.status == 200 and "не отвечает" in await health.text()
    finally:
        await client.close()
        await down.aclose()


async def test_what_clients_write_is_shown_as_text_never_as_markup(
    redis: AsyncRedis, keys: Keys
) -> None:
    evil = '<img src=x onerror="alert(1)">'
    async with harness(redis, keys, START) as h:
        await h.turn(PHONE, f"Стрижка {evil}", pushname="<b>Eve</b>")
        client = await _serve(console_of(h), TOKEN)
        try:
            await login(client)
            for path in ("/admin/", f"/admin/c/{PHONE}"):
                page = await (await client.get(path)).text()
                assert "&lt;b&gt;Eve&lt;/b&gt;" in page and "<b>Eve" not in page
            assert "&lt;img src=x" in page and "<img" not in page
        finally:
            await client.close()
