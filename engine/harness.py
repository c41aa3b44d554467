"""The whole engine on a virtual clock: real Redis, the sandbox over HTTP, the real worker.

The product's runtime (`engine.runtime.open_runtime`), with the clock, Redis, filler and
messenger of the test. Used by the integration tests, the transcript runner and the
benchmarks: client messages go in through the batcher exactly as the webhook puts them,
time moves only when told, and every reply the messenger would send is collected per chat.

Issue 16 runs here too: the reminder sender and the record follower on the virtual clock,
and the service's webhook app served on loopback, where the sandbox posts its record
webhooks (an administrator's changes, the bot's own) exactly as YClients would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, WebhookConfig
from adapters.yclients.sandbox.fixture import SalonFixture
from engine.batcher import Batcher
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.due_scan import DueWork
from engine.follow_up import FollowUp
from engine.keys import Keys
from engine.loopback import loopback
from engine.metrics import Metrics
from engine.redis_conn import AsyncRedis
from engine.runtime import Overrides, Runtime, YClientsLimits, open_runtime
from engine.settings import Settings
from engine.takeover import Takeovers
from engine.worker import Worker
from states.conversation import Conversation
from states.faq import SalonFaq
from states.menus import Menu
from states.messages import InboundMessage
from states.slot_fill import SlotFiller

ADMIN_CHAT = "79000000001@c.us"  # the salon administrators' chat in tests and transcripts


class CollectingMessenger:
    """A messenger that keeps what it sends, per chat (the test's view of WhatsApp), with
    the menus a Cloud API messenger would make tappable and the messages marked read."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.menus: list[tuple[str, Menu | None]] = []
        self.read: list[tuple[str, str]] = []

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        self.sent.append((chat, text))
        self.menus.append((chat, menu))

    async def mark_read(self, chat: str, message_id: str) -> None:
        self.read.append((chat, message_id))

    def to(self, chat: str) -> list[str]:
        return [text for to, text in self.sent if to == chat]


@dataclasses.dataclass
class Harness:
    """The runtime on a virtual clock, with the messenger and sandbox a test looks at."""

    runtime: Runtime
    clock: VirtualClock
    messenger: CollectingMessenger
    sandbox: RunningSandbox
    # The runtime's parts a test reaches for most (taken from it).
    batcher: Batcher = dataclasses.field(init=False)
    worker: Worker = dataclasses.field(init=False)
    store: ConversationStore = dataclasses.field(init=False)
    takeover: Takeovers = dataclasses.field(init=False)
    _ids: itertools.count[int] = dataclasses.field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        r = self.runtime
        self.batcher, self.worker = r.batcher, r.worker
        self.store, self.takeover = r.store, r.takeover

    def notices(self) -> list[str]:
        """What the salon's people were told in ADMIN_CHAT."""
        chat = self.runtime.settings.admin_chat
        return self.messenger.to(chat) if chat else []

    @property
    def follow_up(self) -> FollowUp:
        return self.runtime.turns.follow_up

    @property
    def metrics(self) -> Metrics:
        return self.runtime.metrics

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
        own time (a reminder at 18:00 goes at 18:00). Returns how many turns ran."""
        turns = await self.run_due_now()
        target = int(moment.timestamp() * 1000)
        while (due := await self.next_due_ms()) is not None and due <= target:
            before = self.clock.now_ms()
            self.clock.set(datetime.fromtimestamp(max(due, before) / 1000, moment.tzinfo))
            turns += await self.run_due_now()
            if due <= before and await self.next_due_ms() == due:
                break  # due but claimed elsewhere (cannot happen here): do not spin
        self.clock.set(max(moment, self.clock.now()))
        return turns + await self.run_due_now()

    async def send(
        self,
        phone: str,
        body: str,
        *,
        type_: str = "chat",
        pushname: str | None = None,
        msg_id: str | None = None,
        chat: str | None = None,
        choice: str | None = None,
    ) -> bool:
        """One client message, as the webhook would queue it now; with `choice`, a tap on
        a list row or reply button (Cloud API) whose title is `body`."""
        message = InboundMessage(
            id=msg_id or f"false_{phone}@c.us_{next(self._ids):08d}",
            chat=chat or f"{phone}@c.us",
            type=type_,
            body=body,
            timestamp_s=self.clock.now_ms() / 1000,
            pushname=pushname,
            choice=choice,
        )
        return (await self.batcher.append(phone, message)).queued

    async def settle(self) -> int:
        """Let every batch become due and run (with the record events and reminders due by
        then); returns how many turns ran."""
        turns = 0
        while True:
            turns += await self.run_due_now()
            due = [d for _, d in await self.batcher.next_due() if d is not None]
            if not due:
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
    filler: SlotFiller | None,
    start: datetime,
    *,
    settings: Settings | None = None,
    salon: SandboxSalon | SalonFixture | None = None,
    faq: SalonFaq | None = None,
    yclients: YClientsLimits | None = None,
    with_user_token: bool = True,
    webhooks: WebhookConfig | None = None,
) -> AsyncIterator[Harness]:
    """`open_runtime` in demo mode (or `settings`, e.g. other batching limits) on a virtual
    clock starting at `start`. `salon` is the sandbox's salon, or the fixture it serves on
    the harness's clock (the demo salon by default). `yclients` replaces the client's 10 s
    timeout, its backoff and its 5-per-second rate limit (real seconds, not virtual ones),
    so a transcript can show a timeout or a retried 5xx, and load the catalogue, in well
    under a second.
    `filler` None builds the one the settings ask for, as the service does.
    Without `with_user_token` the salon is reached as with YCLIENTS_PARTNER_TOKEN alone.
    The sandbox posts its record webhooks to the service's route, as `webhooks` says
    (four copies of an update, each after up to 20 ms, by default)."""
    clock = VirtualClock(start)
    messenger = CollectingMessenger()
    overrides = Overrides(
        clock=clock,
        redis=redis,
        keys=keys,
        filler=filler,
        messenger=messenger,
        salon=salon if isinstance(salon, SandboxSalon) else SandboxSalon(salon, clock=clock.now),
        sandbox_user_token=with_user_token,
        faq=faq,
        yclients=yclients or YClientsLimits(),
    )
    # Hand-offs are told to ADMIN_CHAT unless the test's settings say otherwise.
    settings = settings or Settings.from_mapping({"ADMIN_CHAT": ADMIN_CHAT})
    async with open_runtime(settings, overrides) as runtime:
        sandbox = runtime.turns.sandbox
        assert sandbox is not None, "the harness runs in demo mode (no YCLIENTS_PARTNER_TOKEN)"
        hooks = webhooks or WebhookConfig(max_delay_s=0.02, seed=1)
        sandbox.webhooks.configure(**dataclasses.asdict(hooks))
        async with loopback(runtime.webhook_app()) as base_url:
            runtime.sandbox_posts_to(base_url)
            yield Harness(runtime, clock, messenger, sandbox)
            await sandbox.webhooks.drain()
