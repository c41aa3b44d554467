"""Child Python processes for tests: start one that prints `ready`, stop it, await its end.

Every wait is bounded; a child left running at the end of a test is terminated (then
killed) by `ChildProcesses.close`, never by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from asyncio.subprocess import Process
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class ChildProcesses:
    def __init__(self) -> None:
        self.children: list[Process] = []

    async def start(self, module: str, *args: str, ready_timeout_s: float = 30.0) -> Process:
        """Run `python -m module args...` from the repo root; return once it printed `ready`."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *args, cwd=REPO, stdout=asyncio.subprocess.PIPE
        )
        self.children.append(proc)
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=ready_timeout_s)
        assert line.strip() == b"ready", f"{module} did not start: {line!r}"
        return proc

    @staticmethod
    async def ended(proc: Process, timeout_s: float) -> int:
        """The exit status once the process ends (negative: killed by that signal)."""
        return await asyncio.wait_for(proc.wait(), timeout=timeout_s)

    @staticmethod
    async def stop(proc: Process, timeout_s: float = 10.0) -> int:
        """SIGTERM (the product's graceful stop), then SIGKILL if it does not end in time."""
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                return await asyncio.wait_for(proc.wait(), timeout=timeout_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
        return await asyncio.wait_for(proc.wait(), timeout=timeout_s)

    async def close(self) -> None:
        for proc in self.children:
            await self.stop(proc)
        self.children.clear()
