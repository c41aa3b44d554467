"""Small commands on the runtime: `ai-admin inspect`, `pause`, `resume`."""

from __future__ import annotations

import json
import sys

from engine.app import conversation_store, runtime
from engine.echoes import SentTexts
from engine.inspection import Inspector
from engine.pauses import PauseStore
from engine.settings import Settings
from engine.takeover import Takeovers


async def inspect_phone(settings: Settings, phone: str) -> int:
    async with runtime(settings) as batcher:
        view = await Inspector(conversation_store(settings, batcher), batcher).view(phone)
    if view is None:
        print(f"ai-admin: no conversation with {phone}", file=sys.stderr)
        return 1
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0


async def take_over(settings: Settings, phone: str, command: str, for_s: int | None) -> int:
    """`pause` or `resume` one chat, as the admin API does; prints {"paused_until": …}."""
    async with runtime(settings) as batcher:
        store = conversation_store(settings, batcher)
        pauses = PauseStore(batcher.redis, batcher.keys, batcher.clock, settings.handoff_pause_s)
        takeover = Takeovers(pauses, SentTexts(batcher.redis, batcher.keys), store.activity)
        if command == "pause":
            until = (await takeover.pause(phone, for_s)).isoformat()
        else:
            await takeover.resume(phone)
            until = None
    print(json.dumps({"paused_until": until}))
    return 0
