"""Small commands on the runtime: `ai-admin inspect`, `pause`, `resume`."""

from __future__ import annotations

import json
import sys

from engine.runtime import open_runtime
from engine.settings import Settings


async def inspect_phone(settings: Settings, phone: str) -> int:
    async with open_runtime(settings, worker=False) as runtime:
        view = await runtime.inspector.view(phone)
    if view is None:
        print(f"ai-admin: no conversation with {phone}", file=sys.stderr)
        return 1
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0


async def take_over(settings: Settings, phone: str, command: str, for_s: int | None) -> int:
    """`pause` or `resume` one chat, as the admin API does; prints {"paused_until": …}."""
    async with open_runtime(settings, worker=False) as runtime:
        if command == "pause":
            until: str | None = (await runtime.takeover.pause(phone, for_s)).isoformat()
        else:
            await runtime.takeover.resume(phone)
            until = None
    print(json.dumps({"paused_until": until}))
    return 0
