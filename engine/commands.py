"""Small commands on the runtime: `ai-admin inspect`."""

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
