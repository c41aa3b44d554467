"""Real `redis-server` processes under a test's control: one node, or a 3-node Cluster.

Loopback only, free ports, no persistence: what the reliability and cluster suites need
to stop Redis under a running service, or to run the batching suite against a Cluster.
These are the Debian `redis-server` / `redis-cli` binaries on PATH; if they are missing
the caller fails loudly (CI runs on a machine that has them).
"""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


class RedisBinaryMissing(RuntimeError):
    """`redis-server` or `redis-cli` is not on PATH."""


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RedisBinaryMissing(f"{name} is not on PATH; install redis-server (Debian: redis)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too; Redis needs it <= 55535."""
    for _ in range(200):
        port = random.randint(20_000, 55_000)
        if _bindable(port) and _bindable(port + 10_000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def answers(port: int, timeout_s: float = 0.5) -> bool:
    """True when something accepts a TCP connection and replies PONG on the port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One `redis-server` on 127.0.0.1:`port`, started and stopped on demand (same port)."""

    def __init__(self, port: int, workdir: Path, *extra: str) -> None:
        self.port = port
        self.workdir = workdir
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 10.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [require_binary("redis-server"), "--port", str(self.port)]
        args += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--daemonize", "no", "--dir", str(self.workdir), *self.extra]
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} exited at start")
            if answers(self.port):
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer in {timeout_s} s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait until the port is free."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


class LocalCluster:
    """Three master nodes with `--cluster-enabled yes`, joined by `redis-cli --cluster create`."""

    def __init__(self, workdir: Path, nodes: int = 3) -> None:
        self.servers = [self._node(free_cluster_port(), workdir) for _ in range(nodes)]

    @staticmethod
    def _node(port: int, workdir: Path) -> RedisServer:
        cluster_args = ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"]
        cluster_args += ["--cluster-config-file", f"nodes-{port}.conf"]
        return RedisServer(port, workdir / f"node-{port}", *cluster_args)

    @property
    def url(self) -> str:
        """Any node's URL: the client discovers the others (`engine.redis_conn`)."""
        return f"redis://127.0.0.1:{self.servers[0].port}/0"

    def start(self, timeout_s: float = 30.0) -> None:
        for server in self.servers:
            server.start()
        addresses = [f"127.0.0.1:{s.port}" for s in self.servers]
        cli = require_binary("redis-cli")
        subprocess.run(
            [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=timeout_s,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(self._state_ok(cli, s.port) for s in self.servers):
                return
            time.sleep(0.1)
        raise RuntimeError("redis cluster did not reach cluster_state:ok")

    @staticmethod
    def _state_ok(cli: str, port: int) -> bool:
        out = subprocess.run(
            [cli, "-p", str(port), "cluster", "info"], capture_output=True, text=True, timeout=5
        ).stdout
        return "cluster_state:ok" in out

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@contextlib.contextmanager
def running_cluster(workdir: Path) -> Iterator[LocalCluster]:
    cluster = LocalCluster(workdir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@contextlib.contextmanager
def running_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
