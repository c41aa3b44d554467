"""`ai-admin chat [--phone P]`: talk to the bot in the terminal.

The same runtime as the service (`open_runtime`): the same Redis (so `ai-admin inspect P`
shows the conversation afterwards), salon (the demo sandbox or YClients), filler and
dialogue. Only two things differ: every line is one batch, flushed at once (quiet window
0), and replies are printed instead of sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from typing import TextIO

from engine.runtime import Overrides, Runtime, open_runtime
from engine.settings import Settings
from states.masking import mask_phone
from states.messages import InboundMessage

DEFAULT_PHONE = "79990000000"
QUIT = "/quit"


class PrintingMessenger:
    """The chat's WhatsApp: each reply is printed, continuation lines indented."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def send(self, chat: str, text: str) -> None:
        print("bot> " + text.replace("\n", "\n     "), file=self.out, flush=True)


def _enable_line_editing() -> None:
    # Importing readline is what gives input() history and cursor keys; not on every OS.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401


async def _read_line(prompt: str, stdin: TextIO) -> str | None:
    """The next line, or None at end of input; read in a thread so the in-process demo
    sandbox (same event loop) is never blocked by a waiting terminal."""

    def read() -> str | None:
        if stdin is sys.stdin and stdin.isatty():
            try:
                return input(prompt)
            except EOFError:
                return None
        line = stdin.readline()
        return line.rstrip("\n") if line else None

    return await asyncio.to_thread(read)


async def chat(
    settings: Settings,
    phone: str = DEFAULT_PHONE,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    _enable_line_editing()
    # A quiet window of 0 makes each typed line a batch that is due at once.
    at_once = settings.model_copy(update={"batch_timeout_ms": 0, "batch_max_wait_ms": 0})
    async with open_runtime(at_once, Overrides(messenger=PrintingMessenger(out))) as runtime:
        salon = "demo salon" if settings.demo else "YClients"
        print(
            f"chat as {mask_phone(phone)} with the {salon}; {QUIT} or Ctrl-D ends it",
            file=out,
            flush=True,
        )
        await _converse(phone, runtime, stdin)
    return 0


async def _converse(phone: str, runtime: Runtime, stdin: TextIO) -> None:
    while (line := await _read_line("you> ", stdin)) is not None:
        text = line.strip()
        if text == QUIT:
            return
        if not text:
            continue
        message = InboundMessage(
            id=f"chat-{uuid.uuid4().hex}",
            chat=f"{phone}@c.us",
            type="chat",
            body=text,
            timestamp_s=runtime.clock.now_ms() / 1000,
        )
        await runtime.batcher.append(phone, message)
        await runtime.worker.run_once()
