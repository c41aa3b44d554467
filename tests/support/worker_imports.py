"""`python -m tests.support.worker_imports MODULE...`: the product's `ai-admin worker`, run
through its own command line with the environment it is given, until it has started and
its offline filler has read one message; then one JSON line on stdout — which of the
MODULEs were in `sys.modules` at start (`started`) and after the reading (`imported`) —
and the worker is stopped as SIGTERM stops it.

The moment "started" is the worker's own log line `ai-admin worker starting`, written
once the runtime (Redis, salon client, filler, worker) is built.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from datetime import UTC, datetime

from adapters.fillers import OfflineFiller
from engine.cli import main
from states.slot_fill import Catalogue, FillRequest

SAMPLE = FillRequest(
    text="Запишите на стрижку завтра в 18:00 к Бари",
    state="idle",
    catalogue=Catalogue.of(["Мужская стрижка"], ["Бари"]),
    now=datetime(2025, 7, 23, 12, 0, tzinfo=UTC),
    timezone="Europe/Moscow",
)


class OnStart(logging.Handler):
    """Reports the modules once the worker says it is starting (on its event loop)."""

    def __init__(self, modules: list[str]) -> None:
        super().__init__()
        self.modules = modules
        self.task: asyncio.Task[None] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.task is None and record.getMessage().startswith("ai-admin worker starting"):
            self.task = asyncio.get_running_loop().create_task(self.report())

    def modules_in(self) -> dict[str, bool]:
        return {m: m in sys.modules for m in self.modules}

    async def report(self) -> None:
        started = self.modules_in()
        fill = await OfflineFiller().fill(SAMPLE)  # as a turn reads, in a filler thread
        report = {"read": fill.time, "started": started, "imported": self.modules_in()}
        print(json.dumps(report), flush=True)
        os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    logging.getLogger("ai_admin").addHandler(OnStart(sys.argv[1:]))
    sys.exit(main(["worker"]))
