"""`ai-admin serve` (or `webhook`) as a real child process, driven over real HTTP.

Its logs go to a file the test can read; every wait is bounded; `close()` ends it
(SIGTERM, then SIGKILL) if the test did not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[2]
# What the test's own environment must not leak into the service.
_FOREIGN = ("REDIS_", "YCLIENTS_", "OPENAI_", "WHATSAPP_", "VENOM_", "MESSENGER", "HOST", "PORT")
_FOREIGN_NAMES = ("WEBHOOK_TOKEN", "ADMIN_TOKEN", "AI_ADMIN_INSECURE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_FOREIGN) and k not in _FOREIGN_NAMES
    }
    env.update(PORT=str(port), AI_ADMIN_DATA_DIR=str(data_dir), BATCH_TIMEOUT_MS="300")
    env.update(extra)
    return env


class ServeProcess:
    def __init__(self, folder: Path, command: str = "serve", **env: str) -> None:
        self.folder = folder
        self.data_dir = folder / "data"
        self.command = command
        self.port = free_port()
        self.env = service_env(self.data_dir, self.port, **env)
        self.log_path = folder / f"{command}-{self.port}.log"
        self.proc: Process | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    async def start(self, timeout_s: float = 60.0) -> None:
        """Start it and return once `/healthz` answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "engine", self.command,
                cwd=self.folder, env=self.env, stdout=log, stderr=log,
            )  # fmt: skip
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            assert self.proc.returncode is None, f"it ended at start: {self.log()[-2000:]}"
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                status, _ = await self.request("GET", "/healthz", timeout_s=2)
                if status == 200:
                    return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.command} did not answer /healthz in {timeout_s} s")

    async def request(
        self, method: str, path: str, body: Any = None, timeout_s: float = 10.0
    ) -> tuple[int, Any]:
        """(status, JSON or text) of one request; a TimeoutError after `timeout_s`."""
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(method, self.base + path, json=body) as response,
        ):
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def stop(self, timeout_s: float = 20.0) -> float:
        """SIGTERM; the seconds it took to end (SIGKILL and an AssertionError past the bound)."""
        assert self.proc is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=timeout_s)
        except TimeoutError:
            self.proc.kill()
            await asyncio.wait_for(self.proc.wait(), timeout=10)
            raise AssertionError(f"{self.command} did not stop within {timeout_s} s") from None
        return loop.time() - started

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        await asyncio.wait_for(self.proc.wait(), timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(AssertionError):
                await self.stop(timeout_s=10)
