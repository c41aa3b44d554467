"""The product's own worker for a benchmark: `ai-admin worker` in a subprocess, configured
only through its environment, as an operator runs it.

No OpenAI key (the offline filler), a real YClients account's settings pointed at the
sandbox (another process, `ai-admin sandbox`), replies POSTed to a venom gateway. It runs
in an empty directory of its own, so no `.env` file adds settings, and its Redis holds
nothing else: the worker uses the product's key prefix (`Keys()`), which a shared Redis
must not be asked to lend.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from adapters.yclients.sandbox import load_fixture

CLI = Path(sys.executable).with_name("ai-admin")  # the console script pip installed
STARTED = "ai-admin worker starting"  # its log line once the runtime is built


def worker_environment(redis_url: str, sandbox_url: str, send_url: str) -> dict[str, str]:
    """This environment without any ai-admin setting, plus a real account's: the demo
    salon's company and tokens at `sandbox_url`."""
    salon = load_fixture()
    ours = ("OPENAI_", "YCLIENTS_", "REDIS_", "BATCH_", "WHATSAPP_", "VENOM_", "MESSENGER")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environ.update(
        REDIS_URL=redis_url,
        YCLIENTS_BASE_URL=sandbox_url,
        YCLIENTS_PARTNER_TOKEN=salon.partner_token,
        YCLIENTS_USER_TOKEN=salon.user_token,
        YCLIENTS_COMPANY_ID=str(salon.company_id),
        VENOM_SEND_URL=send_url,
        LOG_LEVEL="INFO",
    )
    return environ


@contextlib.contextmanager
def product_worker(
    redis_url: str, sandbox_url: str, send_url: str, timeout_s: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """`ai-admin worker`, once it says it is starting; SIGTERM (then SIGKILL) at the end.
    Its log goes to a file (a pipe nobody reads would fill up and stop it)."""
    with tempfile.TemporaryDirectory(prefix="ai-admin-worker-") as workdir:
        log_path = Path(workdir) / "worker.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [str(CLI), "worker"],
                cwd=workdir,
                env=worker_environment(redis_url, sandbox_url, send_url),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + timeout_s
            while STARTED not in log_path.read_text(encoding="utf-8", errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise RuntimeError(f"ai-admin worker did not start: {tail}")
                time.sleep(0.05)
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
