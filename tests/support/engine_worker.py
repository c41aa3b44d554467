"""One real worker process running the real dialogue engine, with an optional self-SIGKILL.

usage: python -m tests.support.engine_worker REDIS_URL PREFIX SANDBOX_URL SEND_URL
           [--kill-at claim|book|send|handled] [--arm-body TEXT] [--lease-ms N]
           [--quiet-ms N] [--no-rate-limit] [--report-lags]   (the last three: benchmarks)

Everything is the product's runtime (`engine.runtime.open_runtime`): Batcher and Worker on
the system clock, the conversation store, the dialogue, the YClients client against the
sandbox served by the test process, the venom messenger POSTing to the test's recording
server, the offline filler. The dialogue
reads dates on a frozen clock (the demo salon's `START`), so "завтра" is always the 24th.

The kill switch sits at one boundary of a turn and fires only in a turn whose batch holds
a message with body `--arm-body` (so earlier turns of the conversation run normally):

- `claim`: the batch is claimed, nothing of the turn has run;
- `book`: `book_record` returned (the record exists in YClients), the turn is not saved;
- `send`: the first reply reached the gateway, it is still in the outbox (not marked sent);
- `handled`: the turn is saved and every reply sent, the batch is not acked yet.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp

from adapters.fillers import OfflineFiller
from adapters.messengers.venom import VenomMessenger
from adapters.yclients import YClientsBackend
from adapters.yclients.sandbox import load_fixture
from engine.batcher import Batch, BatchPolicy
from engine.clock import Clock, SystemClock, VirtualClock
from engine.dialogue_runner import DialogueRunner
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, connect
from engine.runtime import Overrides, YClientsLimits, open_runtime
from engine.settings import Settings
from engine.worker import Worker
from states.menus import Menu
from states.ports import WithoutReceipts
from states.salon import BookingConfirmation, BookingRequest

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday, 15:00 in Moscow
KILL_POINTS = ("claim", "book", "send", "handled")


class KillSwitch:
    """Armed for the turn whose batch holds the arming text; kills this process at a point."""

    def __init__(self, point: str | None, arm_body: str | None) -> None:
        self.point = point
        self.arm_body = arm_body
        self.armed = False

    def arm_for(self, batch: Batch) -> None:
        self.armed = any(m.body == self.arm_body for m in batch.messages)

    def at(self, point: str) -> None:
        if self.armed and self.point == point:
            os.kill(os.getpid(), signal.SIGKILL)


class KillingBackend(YClientsBackend):
    """The real YClients backend over the runtime's client; dies right after `book_record`
    answered."""

    def __init__(self, built: YClientsBackend, switch: KillSwitch, clock: Clock) -> None:
        super().__init__(built.client, today=lambda: clock.now().date())
        self.switch = switch

    async def book(self, request: BookingRequest) -> BookingConfirmation:
        confirmation = await super().book(request)
        self.switch.at("book")
        return confirmation


class KillingMessenger(WithoutReceipts):
    """The real venom messenger; dies right after a reply reached the gateway."""

    def __init__(self, inner: VenomMessenger, switch: KillSwitch) -> None:
        self.inner = inner
        self.switch = switch

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        await self.inner.send(chat, text, menu)
        self.switch.at("send")


class KillingHandler:
    """The dialogue runner as the worker's handler, with the `claim` and `handled` points."""

    def __init__(self, inner: DialogueRunner, switch: KillSwitch) -> None:
        self.inner = inner
        self.switch = switch

    async def handle(self, batch: Batch) -> None:
        self.switch.arm_for(batch)
        self.switch.at("claim")
        await self.inner.handle(batch)
        self.switch.at("handled")


def worker_settings(sandbox_url: str, policy: BatchPolicy) -> Settings:
    """The demo salon's branch of the sandbox at `sandbox_url`, reached as YClients is,
    and the batching limits of `policy`."""
    salon = load_fixture()  # the demo salon's company id and tokens
    return Settings.from_mapping(
        {
            "YCLIENTS_BASE_URL": sandbox_url,
            "YCLIENTS_PARTNER_TOKEN": salon.partner_token,
            "YCLIENTS_USER_TOKEN": salon.user_token,
            "YCLIENTS_COMPANY_ID": str(salon.company_id),
            "BATCH_TIMEOUT_MS": str(policy.quiet_ms),
            "BATCH_MAX_SIZE": str(policy.max_size),
            "BATCH_MAX_WAIT_MS": str(policy.max_wait_ms),
            "BATCH_LEASE_MS": str(policy.lease_ms),
        }
    )


@contextlib.asynccontextmanager
async def engine_worker(
    redis: AsyncRedis,
    prefix: str,
    sandbox_url: str,
    send_url: str,
    policy: BatchPolicy,
    switch: KillSwitch | None = None,
    rate_limit: bool = True,
) -> AsyncIterator[Worker]:
    """The product's runtime (`open_runtime`) with the kill switch's wrappers; batches on
    the system clock, dialogue dates on the demo salon's frozen day (in-process use too)."""
    frozen = VirtualClock(START)
    switch = switch or KillSwitch(None, None)
    async with aiohttp.ClientSession() as session:
        overrides = Overrides(
            clock=SystemClock(),
            dialogue_clock=frozen,
            redis=redis,
            keys=Keys(prefix),
            filler=OfflineFiller(),
            messenger=KillingMessenger(VenomMessenger(session, send_url), switch),
            # Benchmarks open the client's 5-requests-per-second limit, which would dominate.
            yclients=YClientsLimits() if rate_limit else YClientsLimits.lifted(),
            backend=lambda built: KillingBackend(built, switch, frozen),
            handler=lambda runner: KillingHandler(runner, switch),
        )
        async with open_runtime(worker_settings(sandbox_url, policy), overrides) as runtime:
            yield runtime.worker


async def main(args: argparse.Namespace) -> None:
    redis = await connect(args.redis_url)
    policy = BatchPolicy(
        quiet_ms=args.quiet_ms, max_wait_ms=args.quiet_ms * 10, lease_ms=args.lease_ms
    )
    switch = KillSwitch(args.kill_at, args.arm_body)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with engine_worker(
        redis, args.prefix, args.sandbox_url, args.send_url, policy, switch,
        rate_limit=not args.no_rate_limit,
    ) as worker:  # fmt: skip
        lags: list[int] = []
        observe = worker.on_flush_lag

        def record(lag_ms: int) -> None:
            lags.append(lag_ms)
            if observe is not None:
                observe(lag_ms)

        worker.on_flush_lag = record
        print("ready", flush=True)
        await worker.run(stop, drain_timeout_s=5)
        if args.report_lags:  # benchmarks.scale_out reads each batch's flush lag
            print(json.dumps({"lags_ms": lags}), flush=True)
    await redis.aclose()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("redis_url")
    parser.add_argument("prefix")
    parser.add_argument("sandbox_url")
    parser.add_argument("send_url")
    parser.add_argument("--kill-at", choices=KILL_POINTS)
    parser.add_argument("--arm-body")
    parser.add_argument("--lease-ms", type=int, default=1000)
    parser.add_argument("--quiet-ms", type=int, default=100)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--report-lags", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="engine_worker %(levelname)s %(message)s")
    asyncio.run(main(parse()))
