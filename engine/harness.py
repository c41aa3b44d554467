"""The whole engine on a virtual clock: real Redis, the sandbox over HTTP, the real worker.

Used by the integration tests, the transcript runner and `ai-admin chat`: client messages
go in through the batcher exactly as the webhook puts them, time moves only when told,
and every reply the messenger would send is collected per chat.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import AsyncIterator
from datetime import datetime

from adapters.yclients.limiter import RateLimiter
from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, running_sandbox
from adapters.yclients.sandbox.fixture import DEMO_FAQ, SalonFixture
from adapters.yclients.transport import RetryPolicy
from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.dialogue_runner import DialogueRunner
from engine.echoes import EchoNotingMessenger, SentTexts
from engine.handoff_webhook import HandoffWebhook
from engine.handoffs import HandOffs
from engine.keys import Keys
from engine.pauses import DEFAULT_PAUSE_S, PauseStore
from engine.redis_conn import AsyncRedis
from engine.salon_notice import SalonNotifier
from engine.settings import read_salon_faq
from engine.takeover import Takeovers
from engine.wiring import yclients_backend
from engine.worker import Worker
from states.conversation import Conversation
from states.faq import SalonFaq
from states.menus import Menu
from states.messages import InboundMessage
from states.slot_fill import SlotFiller

ADMIN_CHAT = "79990000099@c.us"  # the salon administrators' chat in tests and transcripts


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
    clock: VirtualClock
    batcher: Batcher
    worker: Worker
    store: ConversationStore
    messenger: CollectingMessenger
    sandbox: RunningSandbox
    takeover: Takeovers
    admin_chat: str | None = None  # where hand-offs are told (ADMIN_CHAT)
    _ids: itertools.count[int] = dataclasses.field(default_factory=itertools.count)

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
        """Let every batch become due and run; returns how many turns ran."""
        turns = 0
        while True:
            ran = await self.worker.run_once()
            if ran:
                turns += ran
                continue
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

    def notices(self) -> list[str]:
        """What the salon's people were told in ADMIN_CHAT."""
        return self.messenger.to(self.admin_chat) if self.admin_chat else []


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
    admin_chat: str | None = ADMIN_CHAT,
    pause_s: int = DEFAULT_PAUSE_S,
    handoff_webhook: HandoffWebhook | None = None,
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
            sent = SentTexts(redis, keys)
            noting = EchoNotingMessenger(messenger, sent)
            pauses = PauseStore(redis, keys, clock, pause_s)
            notifier = SalonNotifier(noting, admin_chat, backoff_s=0)
            handoffs = HandOffs(pauses, notifier, handoff_webhook, "Europe/Moscow")
            salon_faq = faq if faq is not None else read_salon_faq(DEMO_FAQ)
            runner = DialogueRunner(
                store,
                backend,
                filler,
                noting,
                clock,
                faq=salon_faq,
                pauses=pauses,
                handoffs=handoffs,
            )
            batcher = Batcher(redis, keys, policy or BatchPolicy(), clock)
            worker = Worker(batcher, runner, clock)
            takeover = Takeovers(pauses, sent, store.activity, noting)
            yield Harness(clock, batcher, worker, store, messenger, sandbox, takeover, admin_chat)
        finally:
            await backend.client.close()
