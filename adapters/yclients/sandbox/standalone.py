"""`ai-admin sandbox`: serve the demo salon on its own until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from adapters.yclients.sandbox.runner import running_sandbox


async def serve_until_stopped(host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # e.g. Windows
            loop.add_signal_handler(signum, stop.set)
    async with running_sandbox(host=host, port=port) as sandbox:
        # The first stdout line is part of the external interface (interface.md).
        sys.stdout.write(sandbox.banner() + "\n")
        sys.stdout.flush()
        await stop.wait()


def run_standalone(host: str, port: int) -> None:
    """Blocking; port 0 picks a free port (the banner says which)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_until_stopped(host, port))


if __name__ == "__main__":  # python -m adapters.yclients.sandbox.standalone [port]
    run_standalone("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8900)
