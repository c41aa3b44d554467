"""One real record-follower process, with an optional self-SIGKILL while applying an event.

usage: python -m tests.support.record_worker REDIS_URL PREFIX SEND_URL
           [--kill-at after_log|after_save|after_send|before_done] [--lease-ms N]

The product's parts: `RecordEvents`, `RecordSync` over `RecordLog`, `ReminderStore`,
`ConversationStore` and the outbox on the system clock, the venom messenger POSTing to the
test's recording gateway, run by `RecordFollower.run`. Kill points:

- `after_log`: the record log took the change (the effect is decided), nothing else;
- `after_save`: the conversation and the notice in its outbox are saved, nothing sent;
- `after_send`: the gateway took the notice, it is still in the outbox (the allowed
  duplicate);
- `before_done`: all applied and sent; the event is not dropped yet.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from typing import Any

import aiohttp

from adapters.messengers.venom import VenomMessenger
from engine.clock import SystemClock
from engine.conversations import ConversationStore
from engine.keys import Keys
from engine.outbox import OutboxSender
from engine.record_sync import RecordLog, RecordSync
from engine.record_sync.effects import RecordEffect
from engine.record_sync.events import RecordEvent, RecordEvents
from engine.record_sync.follower import RecordFollower
from engine.redis_conn import connect
from engine.reminders.store import ReminderStore
from engine.reminders.text import SalonInfo
from engine.reminders.timing import ReminderPolicy
from states.menus import Menu
from states.record_change import RecordChange

POLICY = ReminderPolicy.parse(offsets="24h,2h", quiet="off", timezone="Europe/Moscow")
SALON = SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow")
KILL_POINTS = ("after_log", "after_save", "after_send", "before_done")


def die_if(point: str | None, here: str) -> None:
    if point == here:
        os.kill(os.getpid(), signal.SIGKILL)


class KillingSync(RecordSync):
    point: str | None = None

    async def handle(self, change: RecordChange, event_id: str = "") -> RecordEffect:
        effect = await super().handle(change, event_id)
        die_if(self.point, "after_log")
        return effect


class KillingStore(ConversationStore):
    point: str | None = None

    async def save_between_turns(self, *args: Any, **kwargs: Any) -> Any:
        saved = await super().save_between_turns(*args, **kwargs)
        die_if(self.point, "after_save")
        return saved


class KillingMessenger(VenomMessenger):
    point: str | None = None

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        await super().send(chat, text, menu)
        die_if(self.point, "after_send")


class KillingEvents(RecordEvents):
    point: str | None = None

    async def finish(self, event: RecordEvent, outcome: Any, due_ms: int = 0) -> bool:
        if outcome == "done":
            die_if(self.point, "before_done")
        return await super().finish(event, outcome, due_ms)


async def main(args: argparse.Namespace) -> None:
    redis = await connect(args.redis_url)
    clock = SystemClock()
    keys = Keys(args.prefix)
    for killing in (KillingSync, KillingStore, KillingMessenger, KillingEvents):
        killing.point = args.kill_at
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with aiohttp.ClientSession() as session:
        store = KillingStore(redis, keys, clock, idle_ttl_s=7 * 24 * 3600)
        follower = RecordFollower(
            KillingEvents(redis, keys, clock, lease_ms=args.lease_ms),
            KillingSync(RecordLog(redis, keys, clock), "Europe/Moscow", clock),
            ReminderStore(redis, keys, clock),
            POLICY,
            store,
            OutboxSender(store, KillingMessenger(session, args.send_url), None, 0.05),
            SALON,
            clock,
            max_idle_s=0.1,
        )
        print("ready", flush=True)
        await follower.run(stop, drain_timeout_s=5)
    await redis.aclose()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("redis_url")
    parser.add_argument("prefix")
    parser.add_argument("send_url")
    parser.add_argument("--kill-at", choices=KILL_POINTS)
    parser.add_argument("--lease-ms", type=int, default=1000)
    return parser.parse_args()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="record_worker %(levelname)s %(message)s")
    asyncio.run(main(parse()))
