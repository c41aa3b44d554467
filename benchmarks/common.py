"""What every benchmark shares: percentiles, the machine, the JSON report, clean-up."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import redis

DEFAULT_REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50/p90/p99/max (nearest rank) and the mean, in ms, rounded to 0.01 ms."""
    if not samples_ms:
        return {"n": 0}
    ordered = sorted(samples_ms)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": round(rank(50), 2),
        "p90_ms": round(rank(90), 2),
        "p99_ms": round(rank(99), 2),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "redis": redis_version(DEFAULT_REDIS_URL),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def redis_version(url: str) -> str:
    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        version = str(client.info("server").get("redis_version", "?"))
        client.close()
        return version
    except redis.exceptions.RedisError:
        return "unreachable"


def bench_prefix(name: str) -> str:
    """A key prefix of its own, so a benchmark never touches anyone's data."""
    return f"bench-{name}-{uuid.uuid4().hex[:8]}"


def delete_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=10)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)
    client.close()


def report(name: str, command: str, results: dict[str, Any]) -> None:
    """Print the benchmark's JSON document (one object) on stdout."""
    document = {"benchmark": name, "command": command, "machine": machine(), **results}
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def command_line(module: str) -> str:
    """The command as run, for the report (`module` is e.g. "benchmarks.ingest")."""
    return " ".join([".venv/bin/python -m", module, *sys.argv[1:]])
