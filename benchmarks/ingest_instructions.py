"""Benchmark 1 counted, not timed: CPU instructions per request of the webhook and of the
floor (bare aiohttp + one INCR), under valgrind's callgrind.

Each app serves an aiohttp client in its own process (one process per app, the client
included: its share is the same for both apps); after 200 warm-up requests callgrind is
switched on for `--requests` more (`callgrind_control`), so start-up and imports are not
counted. Instruction counts do not move with the load of a shared machine as requests/s
and CPU time do. Python and its C extensions only: the kernel's socket work and Redis
are not counted. Needs valgrind (`apt-get install valgrind`).

    .venv/bin/python -m benchmarks.ingest_instructions [--requests 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

from benchmarks.common import (
    DEFAULT_REDIS_URL,
    bench_prefix,
    command_line,
    delete_prefix,
    report,
)
from benchmarks.ingest import PATH
from benchmarks.ingest_server import bare_app, webhook_app
from benchmarks.load import venom_body
from benchmarks.servers import REPO
from engine.redis_conn import connect

WARMUP = 200
CLIENTS = 8


async def serve_and_load(kind: str, requests: int, prefix: str, url: str) -> None:
    """The app and its client in this process; waits on stdin before and after the
    counted requests (the parent switches callgrind on and off meanwhile)."""
    redis = await connect(url)
    app = bare_app(redis, prefix) if kind == "bare" else webhook_app(redis, prefix)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    target = f"http://127.0.0.1:{port}{PATH}"
    async with ClientSession() as session:

        async def client(first: int, end: int) -> None:
            for n in range(first, end, CLIENTS):
                headers = {"Content-Type": "application/json"}
                async with session.post(target, data=venom_body(n, 5000), headers=headers) as r:
                    assert r.status == 200, r.status
                    await r.read()

        async def load(first: int, count: int) -> None:
            end = first + count
            await asyncio.gather(*(client(first + c, end) for c in range(CLIENTS)))

        await load(0, WARMUP)
        for step in ("ready", "done"):
            if step == "done":
                await load(WARMUP, requests)
            print(step, flush=True)
            await asyncio.to_thread(sys.stdin.readline)
    await runner.cleanup()
    await redis.aclose()


def count(kind: str, requests: int, url: str) -> int:
    """Instructions of `requests` requests of the app `kind`, client included."""
    prefix = bench_prefix(f"instructions-{kind}")
    out = Path(tempfile.mkdtemp(prefix="callgrind-")) / "callgrind.out"
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
        sys.executable, "-m", "benchmarks.ingest_instructions", "--serve", kind,
        "--requests", str(requests), "--prefix", prefix, "--redis-url", url,
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for step, switch in (("ready", "on"), ("done", "off")):
            line = proc.stdout.readline().strip()
            if line != step:
                raise RuntimeError(f"the {kind} app under valgrind said {line!r}")
            subprocess.run(["callgrind_control", "-i", switch, str(proc.pid)], check=True,
                           capture_output=True)  # fmt: skip
            proc.stdin.write("\n")
            proc.stdin.flush()
        proc.wait(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
        delete_prefix(url, prefix)
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="counted, per app")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--serve", choices=("bare", "webhook"), help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve_and_load(args.serve, args.requests, args.prefix, args.redis_url))
        return
    per_request: dict[str, Any] = {
        kind: round(count(kind, args.requests, args.redis_url) / args.requests)
        for kind in ("bare", "webhook")
    }
    report(
        "ingest_instructions",
        command_line("benchmarks.ingest_instructions"),
        {
            "requests": args.requests,
            "instructions_per_request": per_request,
            "webhook_adds_per_request": per_request["webhook"] - per_request["bare"],
            "ratio_webhook_over_bare": round(per_request["webhook"] / per_request["bare"], 3),
        },
    )


if __name__ == "__main__":
    main()
