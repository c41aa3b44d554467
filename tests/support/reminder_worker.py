"""One real reminder-sender process, with an optional self-SIGKILL around the send.

usage: python -m tests.support.reminder_worker REDIS_URL PREFIX SEND_URL
           [--kill-at before_send|after_send|after_mark] [--lease-ms N]

The product's parts: `ReminderStore` and `ReminderSender` on the system clock, the venom
messenger POSTing to the test's recording gateway. Reminders go 2 h before a visit, with no
quiet hours (the test runs at any time of day). Kill points:

- `before_send`: the reminder is claimed, the gateway has not been called;
- `after_send`: the gateway took it, it is not marked sent yet (the allowed duplicate);
- `after_mark`: it is marked sent.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

import aiohttp

from adapters.messengers.venom import VenomMessenger
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import connect
from engine.reminders.delivery import TextDelivery
from engine.reminders.sender import Event, ReminderSender
from engine.reminders.store import ClaimedReminder, ReminderStore
from engine.reminders.text import SalonInfo
from engine.reminders.timing import ReminderPolicy
from engine.visit import Visit

POLICY = ReminderPolicy.parse(offsets="2h", quiet="off", timezone="Europe/Moscow")
SALON = SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow")
KILL_POINTS = ("before_send", "after_send", "after_mark")


def die_if(point: str | None, here: str) -> None:
    if point == here:
        os.kill(os.getpid(), signal.SIGKILL)


class KillingDelivery(TextDelivery):
    def __init__(self, inner: TextDelivery, point: str | None) -> None:
        super().__init__(inner.messenger, inner.salon, inner.clock)
        self.point = point

    async def deliver(self, visit: Visit, ask: bool) -> None:
        die_if(self.point, "before_send")
        await super().deliver(visit, ask)
        die_if(self.point, "after_send")


async def main(args: argparse.Namespace) -> None:
    redis = await connect(args.redis_url)
    clock = SystemClock()
    store = ReminderStore(redis, Keys(args.prefix), clock, lease_ms=args.lease_ms)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def on_event(event: Event, claim: ClaimedReminder) -> None:
        if event == "sent":
            die_if(args.kill_at, "after_mark")

    async with aiohttp.ClientSession() as session:
        text = TextDelivery(VenomMessenger(session, args.send_url), SALON, clock)
        delivery = KillingDelivery(text, args.kill_at)
        sender = ReminderSender(store, delivery, POLICY, clock, on_event=on_event, max_idle_s=0.1)
        print("ready", flush=True)
        await sender.run(stop, drain_timeout_s=5)
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
    logging.basicConfig(level=logging.WARNING, format="reminder_worker %(levelname)s %(message)s")
    asyncio.run(main(parse()))
