"""`ai-admin webhook` serves the console at /admin (the same wiring as `serve`)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.redis_servers import free_port
from tests.support.waiting import eventually

TOKEN = "served-console-token"


@pytest.fixture
async def webhook(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "YCLIENTS_"))}
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        ADMIN_TOKEN=TOKEN,
        AI_ADMIN_DATA_DIR=str(tmp_path / "data"),
    )
    with (tmp_path / "webhook.log").open("w") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "engine", "webhook", cwd=tmp_path, env=env, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await eventually(lambda: _answers(f"{base}/healthz"), 30, "the webhook listening")
            yield base
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 20)


async def _answers(url: str) -> bool:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def test_the_webhook_process_serves_the_console_behind_the_login(webhook: str) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # cookies of 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(f"{webhook}/admin/", allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/admin/login?next=/admin/"
        login = {"token": TOKEN, "next": "/admin/health"}
        async with session.post(f"{webhook}/admin/login", data=login) as response:
            assert response.status == 200 and str(response.url).endswith("/admin/health")
            page = await response.text()
        assert "Состояние сервиса" in page and "отвечает за" in page  # Redis answers
        async with session.get(f"{webhook}/admin/?lang=en") as response:
            assert "No conversations." in await response.text()
