"""Sending what a phone's outbox holds: replies of turns, and notices about the salon's own
changes to a visit (issue 16). Each message leaves the outbox once the gateway took it, so
a crash in between sends it again — the one duplicate allowed (at-least-once delivery).
"""

from __future__ import annotations

import logging

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from engine.conversations import ConversationStore, OutboxEntry
from engine.fencing import Fence
from engine.metrics import Metrics
from states.masking import mask_phone
from states.ports import DeliveryError, Messenger

log = logging.getLogger(__name__)

SEND_TRIES = 3
SEND_BACKOFF_S = 0.5


class RepliesNotDelivered(Exception):
    """Some replies are still in the outbox; the worker retries the batch later."""


class OutboxSender:
    def __init__(
        self,
        store: ConversationStore,
        messenger: Messenger,
        metrics: Metrics | None = None,
        send_backoff_s: float = SEND_BACKOFF_S,
    ) -> None:
        self.store = store
        self.messenger = messenger
        self.metrics = metrics
        self.send_backoff_s = send_backoff_s

    async def deliver(self, phone: str, fence: Fence | None = None, only: str = "") -> None:
        """Send what the outbox holds (entries whose id starts with `only`), in order; each
        leaves the outbox once sent. With a fence, each is sent only while the turn still
        holds its claim. RepliesNotDelivered when the gateway could not take one now."""
        for entry in await self.store.pending_replies(phone):
            if not entry.id.startswith(only):
                continue
            if fence is not None:
                await fence.check()
            if not await self._send(entry):
                raise RepliesNotDelivered(f"reply {entry.id} not delivered yet")
            await self.store.mark_sent(phone, entry)

    async def _send(self, entry: OutboxEntry) -> bool:
        """True once the reply is sent, or refused for good (it must not block the outbox);
        False when the gateway kept failing (the batch is retried later)."""
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
                        await self.messenger.send(entry.chat, entry.text)
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
