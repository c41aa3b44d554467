"""The whole engine on a virtual clock: real Redis, the sandbox over HTTP, the real worker.

Used by the integration tests, the transcript runner and `ai-admin chat`: client messages
go in through the batcher exactly as the webhook puts them, time moves only when told,
and every reply the messenger would send is collected per chat.

Issue 16 runs here too: the reminder sender and the record follower on the virtual clock,
and the webhook route served on loopback, where the sandbox posts its record webhooks (an
administrator's changes, the bot's own) exactly as YClients would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig as WebhookConfig_
from adapters.webhook.context import YClientsWebhookConfig
from adapters.yclients.limiter import RateLimiter
from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, WebhookConfig, running_sandbox
from adapters.yclients.sandbox.fixture import DEMO_FAQ, SalonFixture
from adapters.yclients.transport import RetryPolicy
from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.dialogue_runner import DialogueRunner
from engine.due_scan import DueWork
from engine.follow_up import FollowUp, FollowUpConfig, open_follow_up
from engine.health import RedisHealth
from engine.keys import Keys
from engine.loopback import loopback
from engine.metrics import Metrics
from engine.redis_conn import AsyncRedis
from engine.settings import read_salon_faq
from engine.wiring import yclients_backend
from engine.worker import Worker
from states.conversation import Conversation
from states.faq import SalonFaq
from states.messages import InboundMessage
from states.slot_fill import SlotFiller

HARNESS_WEBHOOK_SECRET = "harness-yclients-hook"


class CollectingMessenger:
    """A messenger that keeps what it sends, per chat (the test's view of WhatsApp)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat: str, text: str) -> None:
        self.sent.append((chat, text))

    def to(self, chat: str) -> list[str]:
        return [text for to, text in self.sent if to == chat]


@dataclasses.dataclass
class Harness:
    clock: VirtualClock
    batcher: Batcher
    worker: Worker
    store: ConversationStore
    messenger: CollectingMessenger
    sandbox: RunningSandbox
    follow_up: FollowUp
    metrics: Metrics
    admin_chat: str | None = None
    _ids: itertools.count[int] = dataclasses.field(default_factory=itertools.count)

    @property
    def due_work(self) -> tuple[DueWork[Any], ...]:
        """Everything a worker process runs, in the order a pass runs it."""
        return (self.follow_up.follower, self.worker, self.follow_up.sender)

    async def run_due_now(self) -> int:
        """Run what is due at the clock's time — record events, turns, reminders — until
        nothing is (a turn's booking posts webhooks; the sandbox's are drained first).
        Returns how many turns ran."""
        turns = 0
        while True:
            await self.sandbox.webhooks.drain()
            ran = 0
            for work in self.due_work:
                done = await work.run_once()
                ran += done
                turns += done if work is self.worker else 0
            if not ran:
                return turns

    async def next_due_ms(self) -> float | None:
        """The earliest due time of any work (None: nothing scheduled)."""
        due = [d for work in self.due_work for _, d in await work.next_due() if d is not None]
        return min(due) if due else None

    async def run_until(self, moment: datetime) -> int:
        """Move the clock to `moment`, running everything that falls due on the way at its
        own time (a reminder at 18:00 goes at 18:00). Returns how many jobs ran."""
        ran = await self.run_due_now()
        target = int(moment.timestamp() * 1000)
        while (due := await self.next_due_ms()) is not None and due <= target:
            self.clock.set(
                datetime.fromtimestamp(max(due, self.clock.now_ms()) / 1000, moment.tzinfo)
            )
            done = await self.run_due_now()
            ran += done
            if not done:
                break  # due but claimed elsewhere (cannot happen here): do not spin
        self.clock.set(max(moment, self.clock.now()))
        return ran + await self.run_due_now()

    async def send(
        self,
        phone: str,
        body: str,
        *,
        type_: str = "chat",
        pushname: str | None = None,
        msg_id: str | None = None,
        chat: str | None = None,
    ) -> bool:
        """One client message, as the webhook would queue it now."""
        message = InboundMessage(
            id=msg_id or f"false_{phone}@c.us_{next(self._ids):08d}",
            chat=chat or f"{phone}@c.us",
            type=type_,
            body=body,
            timestamp_s=self.clock.now_ms() / 1000,
            pushname=pushname,
        )
        return (await self.batcher.append(phone, message)).queued

    async def settle(self) -> int:
        """Let every batch become due and run (with the record events and reminders due by
        then); returns how many turns ran."""
        turns = 0
        while True:
            await self.sandbox.webhooks.drain()
            await self.follow_up.follower.run_once()
            await self.follow_up.sender.run_once()
            ran = await self.worker.run_once()
            if ran:
                turns += ran
                continue
            due = [d for _, d in await self.batcher.next_due() if d is not None]
            if not due:
                await self.run_due_now()
                return turns
            self.clock.set(datetime.fromtimestamp(min(due) / 1000, self.clock.now().tzinfo))

    async def turn(
        self, phone: str, *pieces: str, gap_s: float = 3.0, pushname: str | None = None
    ) -> list[str]:
        """Send the pieces `gap_s` apart, let the batch run, return the replies it caused."""
        before = len(self.messenger.to(f"{phone}@c.us"))
        for i, piece in enumerate(pieces):
            if i:
                self.clock.advance(gap_s)
            await self.send(phone, piece, pushname=pushname)
        await self.settle()
        return self.messenger.to(f"{phone}@c.us")[before:]

    async def conversation(self, phone: str) -> Conversation:
        return await self.store.load(phone)


@contextlib.asynccontextmanager
async def engine_harness(
    redis: AsyncRedis,
    keys: Keys,
    filler: SlotFiller,
    start: datetime,
    policy: BatchPolicy | None = None,
    salon: SandboxSalon | None = None,
    yclients_timeout_s: float | None = None,
    yclients_retry: RetryPolicy | None = None,
    yclients_limiter: RateLimiter | None = None,
    with_user_token: bool = True,
    faq: SalonFaq | None = None,
    salon_fixture: SalonFixture | None = None,
    follow_up: FollowUpConfig | None = None,
    webhooks: WebhookConfig | None = None,
) -> AsyncIterator[Harness]:
    """The `yclients_*` options replace the client's 10 s timeout, its backoff and its
    5-per-second rate limit (real seconds, not virtual ones), so a transcript can show a
    timeout or a retried 5xx, and load the catalogue, in well under a second. Without
    `with_user_token` the salon is reached as with YCLIENTS_PARTNER_TOKEN alone."""
    clock = VirtualClock(start)
    salon = salon or SandboxSalon(salon_fixture, clock=clock.now)
    async with running_sandbox(salon) as sandbox:
        backend = yclients_backend(
            sandbox.base_url,
            sandbox.partner_token,
            sandbox.company_id,
            sandbox.user_token if with_user_token else None,
            "Europe/Moscow",
            clock,
        )
        transport = backend.client.transport
        if yclients_timeout_s is not None:
            transport.timeout_s = yclients_timeout_s
        if yclients_retry is not None:
            transport.retry = yclients_retry
        if yclients_limiter is not None:
            transport.limiter = yclients_limiter
        try:
            store = ConversationStore(redis, keys, clock, idle_ttl_s=7 * 24 * 3600)
            messenger = CollectingMessenger()
            salon_faq = faq if faq is not None else read_salon_faq(DEMO_FAQ)
            batcher = Batcher(redis, keys, policy or BatchPolicy(), clock)
            metrics = Metrics(batcher)
            config = follow_up or FollowUpConfig(timezone="Europe/Moscow")
            follow = await open_follow_up(
                config, redis, keys, clock, store, backend, messenger,
                batcher.last_inbound_ms, metrics,
            )  # fmt: skip
            runner = DialogueRunner(
                store, backend, filler, messenger, clock, faq=salon_faq, metrics=metrics,
                visits=follow.tracker,
            )  # fmt: skip
            worker = Worker(batcher, runner, clock)
            hook = YClientsWebhookConfig(HARNESS_WEBHOOK_SECRET, sandbox.company_id)
            app = build_webhook_app(
                batcher, RedisHealth(redis), WebhookConfig_(yclients=hook), None, metrics,
                follow.events,
            )  # fmt: skip
            async with loopback(app) as base_url:
                sandbox.webhooks.configure(
                    **dataclasses.asdict(webhooks or WebhookConfig(max_delay_s=0.02, seed=1)),
                )
                sandbox.webhooks.configure(
                    url=f"{base_url}/webhook/yclients/{HARNESS_WEBHOOK_SECRET}"
                )
                yield Harness(clock, batcher, worker, store, messenger, sandbox, follow, metrics,
                              config.admin_chat)  # fmt: skip
                await sandbox.webhooks.drain()
        finally:
            await backend.client.close()
