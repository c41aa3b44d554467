"""Benchmark 7b: what a turn reading three 64 KiB messages costs everybody else.

The real `ai-admin serve` in a subprocess (demo salon, embedded Redis, offline filler), as
`tests/adapters/fillers/test_serve_long_messages.py` runs it: another phone's webhook call
and `/healthz` are timed over one keep-alive connection every ~10 ms, first with nothing
else going on, then while one phone's batch of three 64 KiB messages is read.

    .venv/bin/python -m benchmarks.filler_serve [--probes 60]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import command_line, percentiles, report
from tests.adapters.fillers.test_serve_long_messages import Probe, long_body
from tests.test_serve_demo import Service, start_service


def _probe(service: Service, probe: Probe, first: int, count: int) -> list[float]:
    latencies: list[float] = []
    for n in range(first, first + count):
        ping = {"id": f"p{n}", "from": "79990005566@c.us", "body": "Здравствуйте",
                "timestamp": time.time()}  # fmt: skip
        latencies.append(probe.timed("POST", "/webhook/whatsapp/batched", ping) * 1000)
        latencies.append(probe.timed("GET", "/healthz") * 1000)
        time.sleep(0.01)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probes", type=int, default=60, help="probe rounds per phase")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        run = start_service(Path(tmp))
        service = next(run)
        try:
            probe = Probe(service.base)
            results["idle"] = percentiles(_probe(service, probe, 0, args.probes))
            for i in range(3):
                message = {"id": f"long-{i}", "from": "79990003344@c.us", "body": long_body(i),
                           "timestamp": time.time()}  # fmt: skip
                service.call("POST", "/webhook/whatsapp/batched", message)
            results["during_long_turn"] = percentiles(_probe(service, probe, 10_000, args.probes))
        finally:
            next(run, None)  # stops the service
    report("filler_serve", command_line("benchmarks.filler_serve"), results)


if __name__ == "__main__":
    main()
