"""Benchmark 1: webhook ingest against the floor, side by side in one run.

The real webhook (`build_webhook_app` + Batcher + the append Lua script) and a bare aiohttp
app doing one Redis INCR per request, each in its own process on loopback, loaded in turn
by the same aiohttp client (this process) at the same concurrency; rounds alternate so
neither gets a warmer machine. Reports requests/s, p50/p99 and the ratio webhook/bare, and
the CPU time each server process spent per request (user + system): on a machine shared
with other jobs the rate moves with their load, the CPU a request costs much less.

    .venv/bin/python -m benchmarks.ingest [--requests 20000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import psutil

from benchmarks.common import (
    DEFAULT_REDIS_URL,
    bench_prefix,
    command_line,
    delete_prefix,
    percentiles,
    report,
)
from benchmarks.load import run_load, venom_body
from benchmarks.servers import children, free_port

PATH = "/webhook/whatsapp/batched"


def pooled(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [x for r in rounds for x in r["latencies_ms"]]
    seconds = sum(r["seconds"] for r in rounds)
    cpu_s = sum(r["server_cpu_s"] for r in rounds)
    statuses: dict[str, int] = {}
    for r in rounds:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / seconds, 1),
        "latency": percentiles(latencies),
        "statuses": statuses,
        "rps_per_round": [r["rps"] for r in rounds],
        "server_cpu_us_per_request": round(cpu_s * 1e6 / len(latencies), 1),
        "server_cpu_us_per_round": [
            round(r["server_cpu_s"] * 1e6 / r["requests"], 1) for r in rounds
        ],
    }


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def measure(
    args: argparse.Namespace, urls: dict[str, str], servers: dict[str, psutil.Process]
) -> dict[str, Any]:
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in urls}
    sent = 0
    for url in urls.values():  # warm-up: connections, caches, the script in Redis
        await run_load([url], args.warmup, args.concurrency, 30, body_for(args), first=sent)
        sent += args.warmup
    for _ in range(args.rounds):
        for name, url in urls.items():
            cpu_before = cpu_seconds(servers[name])
            result = await run_load(
                [url], args.requests, args.concurrency, args.max_seconds, body_for(args), sent
            )
            result["server_cpu_s"] = cpu_seconds(servers[name]) - cpu_before
            sent += args.requests
            rounds[name].append(result)
    return {name: pooled(r) for name, r in rounds.items()}


def body_for(args: argparse.Namespace) -> Any:
    return lambda n: venom_body(n, args.phones)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000, help="per target and round")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--phones", type=int, default=5_000, help="distinct senders")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--max-seconds", type=float, default=40.0, help="cap per round")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    prefix = bench_prefix("ingest")
    try:
        with children() as procs:
            urls, servers = {}, {}
            for kind in ("bare", "webhook"):
                port = free_port()
                proc = procs.start(
                    "benchmarks.ingest_server", kind, str(port), prefix, args.redis_url
                )
                urls[kind] = f"http://127.0.0.1:{port}{PATH}"
                servers[kind] = psutil.Process(proc.pid)
            results = asyncio.run(measure(args, urls, servers))
    finally:
        delete_prefix(args.redis_url, prefix)
    bare, webhook = results["bare"], results["webhook"]
    report(
        "ingest",
        command_line("benchmarks.ingest"),
        {
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "bare_aiohttp_one_incr": bare,
            "webhook": webhook,
            "ratio_rps_webhook_over_bare": round(webhook["rps"] / bare["rps"], 3),
            "ratio_server_cpu_webhook_over_bare": round(
                webhook["server_cpu_us_per_request"] / bare["server_cpu_us_per_request"], 3
            ),
            "ratio_p50_webhook_over_bare": round(
                webhook["latency"]["p50_ms"] / bare["latency"]["p50_ms"], 3
            ),
            "ratio_p99_webhook_over_bare": round(
                webhook["latency"]["p99_ms"] / bare["latency"]["p99_ms"], 3
            ),
        },
    )


if __name__ == "__main__":
    main()
