"""Benchmark 6: scale-out — ingest with 1 and 2 processes, turns with 1, 2 and 4 workers
against a three-node Redis Cluster.

- Ingest: 1 or 2 webhook processes (`benchmarks.ingest_server webhook`), the load spread
  round-robin over them by the same aiohttp client as in `benchmarks.ingest`, on the
  single Redis of `--redis-url` (`--skip-ingest` leaves it out).
- Turns: 1, 2 or 4 real worker processes (`tests.support.engine_worker`: Worker,
  DialogueRunner, offline filler; the sandbox salon in its own process) against a local
  three-node Redis Cluster started here (`tests.support.redis_servers.LocalCluster`;
  `--turns-redis-url` points them at another Redis instead), N phones whose booking
  request is appended at once; throughput is turns over the time from the first batch
  falling due to the last one processed, and each batch's flush lag as its worker saw it.

On this 2-core machine the load generator, Redis and the sandbox share the cores with
the processes under test, so more processes can add little; the figures say how much.

    .venv/bin/python -m benchmarks.scale_out [--requests 20000] [--phones 600] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis

from benchmarks import common
from benchmarks.common import DEFAULT_REDIS_URL, bench_prefix, command_line, delete_prefix, report
from benchmarks.engine_setup import (
    CountingGateway,
    first_message,
    start_sandbox,
    start_worker,
    wait_processed,
)
from benchmarks.load import run_load, venom_body
from benchmarks.servers import children, free_port
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import connect
from tests.support.redis_servers import LocalCluster

QUIET_MS = 2000


def ingest(url: str, processes: int, requests: int, concurrency: int) -> dict[str, Any]:
    prefix = bench_prefix("scale-ingest")
    try:
        with children() as procs:
            urls = []
            for _ in range(processes):
                port = free_port()
                procs.start("benchmarks.ingest_server", "webhook", str(port), prefix, url)
                urls.append(f"http://127.0.0.1:{port}/webhook/whatsapp/batched")
            asyncio.run(run_load(urls, 2000, concurrency, 30, lambda n: venom_body(n, 5000)))
            result = asyncio.run(
                run_load(urls, requests, concurrency, 60, lambda n: venom_body(n, 5000), 2000)
            )
    finally:
        delete_prefix(url, prefix)
    result.pop("latencies_ms")
    return {"processes": processes, **result}


async def push_and_wait(url: str, prefix: str, phones: int) -> dict[str, Any]:
    client = await connect(url)  # a cluster client on a Cluster
    batcher = Batcher(client, Keys(prefix), BatchPolicy(quiet_ms=QUIET_MS), SystemClock())
    gate = asyncio.Semaphore(64)

    async def append(n: int) -> None:
        async with gate:
            for attempt in range(3):
                try:
                    await batcher.append(*first_message(n))
                    return
                except (redis.exceptions.RedisError, AttributeError):
                    # redis-py's cluster client can lose a connection while it connects
                    # on a starved machine (AttributeError from its writer); an append
                    # is deduped by message id, so it is sent again.
                    if attempt == 2:
                        raise
                    await asyncio.sleep(0.2)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(append(n) for n in range(phones)))
        outcome = await wait_processed(batcher, phones, timeout_s=240)
        busy_s = time.perf_counter() - started - QUIET_MS / 1000  # from the first due time
    finally:
        await client.aclose()
    return {**outcome, "seconds": round(busy_s, 2), "turns_per_s": round(phones / busy_s, 1)}


def turns(url: str, processes: int, phones: int) -> dict[str, Any]:
    prefix = bench_prefix("scale-turns")

    async def run(sandbox: str, procs: Any) -> dict[str, Any]:
        async with CountingGateway().running() as gateway:
            workers = [
                start_worker(procs, url, prefix, sandbox, gateway.url, "--report-lags")
                for _ in range(processes)
            ]
            # Per-turn costs for the capacity model in BENCHMARKS.md, section 6: the
            # workers' CPU during the run (start-up left out) and the Redis masters' CPU
            # during the run, less what they spend idle (cluster bus, cron) in that time.
            idle_us_per_s = await redis_idle_us_per_s(url)
            workers_before = sum(cpu_seconds(w.pid) for w in workers)
            redis_before, started = redis_cpu_us(url), time.perf_counter()
            result = await push_and_wait(url, prefix, phones)
            busy_us = float(redis_cpu_us(url) - redis_before)
            busy_us -= idle_us_per_s * (time.perf_counter() - started)
            worker_s = sum(cpu_seconds(w.pid) for w in workers) - workers_before
            result["replies_sent"] = gateway.replies
            result["flush_lag"] = common.percentiles(stop_for_lags(workers))
            result["worker_cpu_ms_per_turn"] = round(1000 * worker_s / phones, 2)
            result["redis_cpu_us_per_turn"] = round(max(0.0, busy_us) / phones, 1)
            result["redis_idle_cpu_us_per_s"] = round(idle_us_per_s)
            return result

    try:
        with children() as procs:
            sandbox = start_sandbox(procs)
            result = asyncio.run(run(sandbox, procs))
    finally:
        delete_keys(url, prefix)
    return {"processes": processes, "phones": phones, **result}


def stop_for_lags(workers: list[subprocess.Popen[str]]) -> list[float]:
    """Stop the workers (SIGTERM); every flush lag they reported, in ms."""
    for worker in workers:
        worker.terminate()
    lags: list[float] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=30)
        for line in out.splitlines():
            if line.startswith("{"):
                lags += [float(ms) for ms in json.loads(line)["lags_ms"]]
    return lags


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_cpu_us(url: str) -> int:
    """CPU microseconds of the Redis server processes so far, summed over every master
    (`INFO cpu`: commandstats would count a script's inner commands twice)."""
    total = 0.0
    for node_url in master_urls(url):
        client = redis.Redis.from_url(node_url, socket_timeout=10)
        try:
            cpu = client.info("cpu")
        finally:
            client.close()
        total += float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
    return int(total * 1_000_000)


async def redis_idle_us_per_s(url: str, seconds: float = 3.0) -> float:
    """The masters' CPU per second with the workers idle (no batch pending)."""
    before = redis_cpu_us(url)
    await asyncio.sleep(seconds)
    return (redis_cpu_us(url) - before) / seconds


def master_urls(url: str) -> list[str]:
    """`url` itself on a single server; every master's URL on a Cluster."""
    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        nodes = client.cluster("nodes") if client.info("cluster").get("cluster_enabled") else {}
    finally:
        client.close()
    masters = [address for address, node in nodes.items() if "master" in node["flags"]]
    return [f"redis://{a.split('@')[0]}/0" for a in masters] or [url]


def delete_keys(url: str, prefix: str) -> None:
    """The benchmark's keys, on a single Redis or on every master of a Cluster."""
    for node_url in master_urls(url):
        delete_prefix(node_url, prefix)


@contextlib.contextmanager
def turns_redis(url: str | None) -> Iterator[str]:
    """`url`, or a three-node Cluster of our own, stopped (and its files removed) after."""
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="scale-out-cluster-") as workdir:
        cluster = LocalCluster(Path(workdir))
        cluster.start()
        try:
            yield cluster.url
        finally:
            cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--phones", type=int, default=600)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--turns-redis-url", default=None)
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if not args.skip_ingest:
        url = args.redis_url
        ingest_runs = [ingest(url, n, args.requests, args.concurrency) for n in (1, 2)]
        results["ingest"] = ingest_runs
        results["ingest_speedup_2_over_1"] = round(ingest_runs[1]["rps"] / ingest_runs[0]["rps"], 2)
    with turns_redis(args.turns_redis_url) as url:
        turn_runs = [turns(url, n, args.phones) for n in args.workers]
    results["turns_redis"] = "given" if args.turns_redis_url else "local three-node cluster"
    results["turns"] = turn_runs
    base = turn_runs[0]["turns_per_s"]
    results["turns_speedup"] = {
        str(run["processes"]): round(run["turns_per_s"] / base, 2) for run in turn_runs
    }
    report("scale_out", command_line("benchmarks.scale_out"), results)


if __name__ == "__main__":
    main()
