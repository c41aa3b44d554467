"""`ai-admin serve` with no configuration: demo salon, embedded Redis, offline filler.

The real command in a subprocess, driven over HTTP like venom-bot would drive it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    def __init__(self, port: int, proc: subprocess.Popen[str]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.proc = proc

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def wait_for_state(self, phone: str, state: str, timeout_s: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        view: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                view = self.call("GET", f"/conversations/{phone}")
                if view["state"] == state:
                    return view
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"state {state!r} not reached; last view: {view}")


def sandbox_url(tmp_path: Path) -> str:
    """Where the demo's sandbox salon listens, as the service's log says."""
    for line in (tmp_path / "serve.log").read_text(encoding="utf-8").splitlines():
        if line.startswith("{") and "demo salon sandbox at" in (msg := json.loads(line)["msg"]):
            return str(msg.split(" at ")[1].split()[0])
    raise AssertionError("the log does not say where the sandbox is")


def wait_for(
    service: Service, phone: str, ready: Callable[[dict[str, Any]], bool], timeout_s: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        view = service.call("GET", f"/conversations/{phone}")
        if ready(view):
            return view
        time.sleep(0.2)
    raise AssertionError(f"not reached; last view: {view}")


def start_service(tmp_path: Path, **env_overrides: str) -> Iterator[Service]:
    """`ai-admin serve` with no configuration in a subprocess; stopped when resumed."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "YCLIENTS_"))}
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        BATCH_TIMEOUT_MS="300",
        AI_ADMIN_DATA_DIR=str(tmp_path / "data"),
    )
    env.update(env_overrides)
    env.pop("OPENAI_API_KEY", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve"], cwd=tmp_path, env=env, stderr=log, text=True
    )
    service = Service(port, proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            service.call("GET", "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    yield service
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    yield from start_service(tmp_path)


def test_serve_without_configuration_books_in_the_demo_salon(
    service: Service, tmp_path: Path
) -> None:
    assert service.call("GET", "/healthz") == {"status": "ok", "redis": "ok", "demo": True}
    phone = "79990001122"
    # Any master is robust on every weekday: someone works tomorrow at 18:00.
    for i, piece in enumerate(["Запишите на стрижку", "на завтра", "в 18:00", "к любому мастеру"]):
        body = {
            "id": f"m{i}",
            "from": f"{phone}@c.us",
            "body": piece,
            "timestamp": time.time(),
            "sender": {"pushname": "Николай"},
        }
        assert service.call("POST", "/webhook/whatsapp/batched", body)["status"] == "queued"
    view = service.wait_for_state(phone, "confirming")
    assert view["slots"]["time"] == "18:00" and isinstance(view["slots"]["staff_id"], int)
    assert len(view["turns"]) == 1  # four pieces, one turn
    yes = {"id": "m-yes", "from": f"{phone}@c.us", "body": "да", "timestamp": time.time()}
    service.call("POST", "/webhook/whatsapp/batched", yes)
    view = service.wait_for_state(phone, "booked")
    assert "записаны" in view["last_turn"]["replies"][0]
    assert [c["call"] for c in view["last_turn"]["yclients"]] == ["book_check", "book_record"]
    # Issue 16: the visit's reminders are scheduled (the 24 h one only while it is ahead)…
    assert {r["kind"] for r in view["reminders"]} <= {"24h", "2h"} and view["reminders"]
    assert all(r["status"] == "scheduled" for r in view["reminders"])
    booking = view["booking"]
    assert booking["datetime"] and booking["time"] == "18:00"
    # …and the demo's sandbox salon posts its record webhooks to this service: the
    # administrator moves the visit, the client is told and the booking follows.
    move = {"datetime": f"{booking['date']}T12:00:00+03:00"}
    admin = Request(
        f"{sandbox_url(tmp_path)}/_sandbox/admin/records/{booking['record_id']}",
        data=json.dumps(move).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urlopen(admin, timeout=10) as response:
        assert response.status == 200
    view = wait_for(service, phone, lambda v: (v.get("booking") or {}).get("time") == "12:00")
    assert view["last_turn"]["salon_change"]["kind"] == "moved"
    assert "перенёс" in view["last_turn"]["replies"][0]
    service.proc.terminate()
    service.proc.wait(timeout=20)
    lines = (tmp_path / "serve.log").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert any("DEMO MODE" in e["msg"] for e in entries)
    assert not any(phone in line for line in lines)  # masked everywhere
