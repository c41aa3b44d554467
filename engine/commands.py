"""Small commands on the runtime: `ai-admin inspect`."""

from __future__ import annotations

import json
import sys

from engine.app import conversation_store, runtime
from engine.inspection import Inspector
from engine.settings import Settings


async def inspect_phone(settings: Settings, phone: str) -> int:
    async with runtime(settings) as batcher:
        view = await Inspector(conversation_store(settings, batcher), batcher).view(phone)
    if view is None:
        print(f"ai-admin: no conversation with {phone}", file=sys.stderr)
        return 1
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0
