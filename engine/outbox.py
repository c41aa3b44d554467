"""Sending what a phone's outbox holds: replies of turns, and notices about the salon's own
changes to a visit (issue 16). Each message leaves the outbox once the gateway took it, so
a crash in between sends it again — the one duplicate allowed (at-least-once delivery).
"""

from __future__ import annotations

import dataclasses
import logging

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from engine.clock import Clock
from engine.conversations import ConversationStore, OutboxEntry
from engine.echoes import SENT_KEEP_S, EchoNotingMessenger, fingerprint
from engine.fencing import ClaimLost, Fence
from engine.metrics import Metrics
from engine.pauses import PauseStore
from states.masking import mask_phone
from states.menus import Menu
from states.messages import ChatId
from states.ports import DeliveryError, Messenger

log = logging.getLogger(__name__)

SEND_TRIES = 3
SEND_BACKOFF_S = 0.5


class RepliesNotDelivered(Exception):
    """Some replies are still in the outbox; the worker retries the batch later."""


@dataclasses.dataclass
class OutboxSender:
    store: ConversationStore
    messenger: Messenger
    metrics: Metrics | None = None
    send_backoff_s: float = SEND_BACKOFF_S
    pauses: PauseStore | None = None  # a person's takeover holds what the bot wrote (issue 17)
    clock: Clock | None = None  # None: the store's

    @property
    def now_ms(self) -> int:
        return (self.clock or self.store.clock).now_ms()

    async def deliver(
        self,
        phone: str,
        fence: Fence | None = None,
        only: str = "",
        entries: list[OutboxEntry] | None = None,
        checked: tuple[str, int] | None = None,
    ) -> None:
        """Send what the outbox holds (entries whose id starts with `only`), in order; each
        leaves the outbox once sent. With a fence, each is sent only while the turn still
        holds its claim. RepliesNotDelivered when the gateway could not take one now.
        `entries`: the outbox as the turn's save just read it (one round trip fewer);
        `checked`: (entry id, outbox_ready.lua's answer) as the save gave it just now."""
        if entries is None:
            entries = await self.store.pending_replies(phone)
        for entry in entries:
            if not entry.id.startswith(only):
                continue
            noted = self._notes_here(phone, entry)
            # The save's answer stands for the first entry sent only: the check has to be
            # the last Redis call before the send, and a send already happened before any
            # later one.
            verdict = checked[1] if checked is not None and checked[0] == entry.id else None
            checked = None
            if verdict is None:
                verdict = await self._verdict(phone, entry, fence)
            if not self._may_send(verdict, phone, fence):
                log.info("a person took %s over: a reply is not sent", mask_phone(phone))
                self._count("held")
                await self.store.mark_sent(phone, entry)
                continue
            if not await self._send(entry, noted):
                raise RepliesNotDelivered(f"reply {entry.id} not delivered yet")
            await self.store.mark_sent(phone, entry)

    def _notes_here(self, phone: str, entry: OutboxEntry) -> bool:
        """Whether the echo note goes into the ready script (the chat's note is in the
        phone's slot) instead of the echo-noting messenger's own round trip."""
        chat = ChatId.parse(entry.chat)
        noting = isinstance(self.messenger, EchoNotingMessenger)
        return noting and chat is not None and chat.key == phone

    def ready_args(self, phone: str, entry: OutboxEntry, fence: Fence | None) -> list[str | int]:
        """outbox_ready.lua's ARGV for `entry` (a turn's save runs it for its first reply)."""
        return [
            fence.token if fence else "",
            self.now_ms if self.pauses else "",
            entry.id,
            fingerprint(entry.text) if self._notes_here(phone, entry) else "",
            SENT_KEEP_S,
        ]

    async def _verdict(self, phone: str, entry: OutboxEntry, fence: Fence | None) -> int:
        """outbox_ready.lua: -1 the turn's claim is gone; 0 a person took the chat after
        this reply was written (the hand-off turn's own replies, which tell the client a
        person will answer, do go); 1 send it, the text noted for its echo."""
        k = self.store.keys.phone_keys(phone)
        args = self.ready_args(phone, entry, fence)
        return int(await self.store.script("outbox_ready")([k.claim, k.takeover, k.sent], args))

    @staticmethod
    def _may_send(verdict: int, phone: str, fence: Fence | None) -> bool:
        """ClaimLost when the turn's claim is gone; else whether the reply goes."""
        if verdict == -1:
            assert fence is not None
            raise ClaimLost(f"the batch of {mask_phone(phone)} was claimed by another worker")
        return verdict == 1

    async def _send(self, entry: OutboxEntry, noted: bool) -> bool:
        """True once the reply is sent, or refused for good (it must not block the outbox);
        False when the gateway kept failing (the batch is retried later)."""
        menu = Menu.from_dict(entry.menu) if entry.menu else None
        retrying = AsyncRetrying(
            stop=stop_after_attempt(SEND_TRIES),
            wait=wait_exponential(multiplier=self.send_backoff_s),
            retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        if noted and isinstance(self.messenger, EchoNotingMessenger):
                            await self.messenger.send_noted(entry.chat, entry.text, menu)
                        else:
                            await self.messenger.send(entry.chat, entry.text, menu)
                    except DeliveryError as error:
                        log.warning("reply to %s failed: %s", mask_phone(entry.chat), error)
                        self._count("failed" if error.retryable else "rejected")
                        raise
        except DeliveryError as error:
            return not error.retryable
        self._count("sent")
        return True

    def _count(self, outcome: str) -> None:
        if self.metrics:
            self.metrics.replies.labels(outcome).inc()
