"""Where the webhook's time goes: py-spy samples the real webhook process of benchmark 1
under the same load, and this prints the top functions as JSON.

py-spy is a profiler, not a dependency of the service: install it into the venv first
(`.venv/bin/pip install py-spy`). Needs ptrace on the server process (root, or
`kernel.yama.ptrace_scope` 0).

    .venv/bin/python -m benchmarks.ingest_profile [--requests 20000] [--top 25] [--raw FILE]

"self" counts samples whose innermost Python frame is the function; "inclusive" counts
samples with the function anywhere on the stack (once per sample); "areas" sorts every
sample by its innermost frame that belongs to one of `AREAS` (our code counts as the area
of the library it called into). py-spy leaves idle samples (the event loop waiting in
`select`) out, so percentages are of the time the process was busy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_REDIS_URL, bench_prefix, command_line, delete_prefix, report
from benchmarks.ingest import PATH, body_for
from benchmarks.load import run_load
from benchmarks.servers import REPO, children, free_port

# (area, a substring of the frame's file path), first match from the innermost frame wins.
AREAS = (
    ("pydantic", "/pydantic"),
    ("redis client", "/redis/"),
    ("aiohttp", "/aiohttp/"),
    ("json (stdlib)", "/json/"),
    ("asyncio (stdlib)", "/asyncio/"),
    ("other libraries", "/site-packages/"),
    ("ai-admin", str(REPO)),
    ("other stdlib", "/python3."),
)


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy not found: .venv/bin/pip install py-spy")
    return found


def _function(frame: str) -> str:
    """`name (/path/to/pkg/file.py:123)` -> `name (pkg/file.py)`: lines of one function
    merged."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(path.split('/')[-2:])})"


def _area(stack: list[str]) -> str:
    for frame in reversed(stack):
        for area, marker in AREAS:
            if marker in frame.partition(" (")[2]:
                return area
    return "other"


def summarize(collapsed: str, top: int) -> dict[str, Any]:
    """Top-N self / inclusive functions and the areas of a py-spy `--format raw` file."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    busy = 0
    for line in collapsed.splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        count = int(count_text)
        stack = [f for f in stack_text.split(";") if "(" in f]  # thread/process names out
        if not stack:
            continue
        busy += count
        own[_function(stack[-1])] += count
        for name in {_function(f) for f in stack}:
            inclusive[name] += count
        areas[_area(stack)] += count

    def share(counter: Counter[str]) -> list[list[Any]]:
        return [[name, round(100 * n / busy, 1)] for name, n in counter.most_common(top)]

    return {
        "samples_busy": busy,
        "areas_pct": share(areas),
        "self_pct": share(own),
        "inclusive_pct": share(inclusive),
    }


async def load(args: argparse.Namespace, url: str, start: int) -> dict[str, Any]:
    result = await run_load([url], args.requests, args.concurrency, 120, body_for(args), start)
    result.pop("latencies_ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=("webhook", "bare"), default="webhook")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--phones", type=int, default=5_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--raw", help="keep py-spy's collapsed stacks in this file")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    prefix = bench_prefix("ingest-profile")
    raw = Path(args.raw or tempfile.mkstemp(suffix=".txt", prefix="ingest-profile-")[1])
    try:
        with children() as procs:
            port = free_port()
            server = procs.start(
                "benchmarks.ingest_server", args.kind, str(port), prefix, args.redis_url
            )
            url = f"http://127.0.0.1:{port}{PATH}"
            asyncio.run(run_load([url], args.warmup, args.concurrency, 60, body_for(args)))
            spy = subprocess.Popen(
                [py_spy(), "record", "--pid", str(server.pid), "--rate", str(args.rate),
                 "--format", "raw", "--output", str(raw), "--nonblocking", "--full-filenames"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                result = asyncio.run(load(args, url, args.warmup))
            finally:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
                spy.wait(timeout=60)
            profile = summarize(raw.read_text(encoding="utf-8"), args.top)
            # Busy samples are at `rate` per second: the busy time of one request.
            busy_us = profile["samples_busy"] / args.rate * 1e6 / result["requests"]
            profile["busy_us_per_request"] = round(busy_us, 1)
    finally:
        delete_prefix(args.redis_url, prefix)
        if args.raw is None and raw.exists():
            os.unlink(raw)
    report(
        "ingest_profile",
        command_line("benchmarks.ingest_profile"),
        {"server": args.kind, "load": result, "profile": profile},
    )


if __name__ == "__main__":
    main()
