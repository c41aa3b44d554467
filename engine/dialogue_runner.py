"""The batch handler of the product: one claimed batch becomes one dialogue turn.

claim (worker) -> load state -> fill -> transition -> save with compare-and-set, replies
into the outbox in the same step -> send -> ack (worker). A batch whose turn was saved
but whose replies were not all sent (crash, gateway down) is retried by the worker; the
retry sees its own batch id in the state and only sends what is still in the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from engine.batcher import Batch
from engine.clock import Clock
from engine.conversations import ConversationStore, OutboxEntry
from engine.metrics import Metrics, TimedFiller
from engine.recording_backend import RecordingBackend
from engine.redis_conn import REDIS_ERRORS
from states.conversation import Conversation
from states.dialogue import Dialogue, TurnInput, TurnResult
from states.faq import SalonFaq
from states.masking import mask_phone
from states.ports import DeliveryError, Messenger
from states.salon import SalonBackend
from states.slot_fill import SlotFiller
from states.templates import say

log = logging.getLogger(__name__)

SEND_TRIES = 3
SEND_BACKOFF_S = 0.5


class RepliesNotDelivered(Exception):
    """Some replies are still in the outbox; the worker retries the batch later."""


class DialogueRunner:
    def __init__(
        self,
        store: ConversationStore,
        backend: SalonBackend,
        filler: SlotFiller,
        messenger: Messenger,
        clock: Clock,
        timezone: str | None = None,
        metrics: Metrics | None = None,
        send_backoff_s: float = SEND_BACKOFF_S,
        faq: SalonFaq | None = None,
    ) -> None:
        self.store = store
        self.backend = backend
        self.filler = TimedFiller(filler, metrics) if metrics else filler
        self.messenger = messenger
        self.clock = clock
        self.timezone = timezone
        self.metrics = metrics
        self.send_backoff_s = send_backoff_s
        self.faq = faq

    async def handle(self, batch: Batch) -> None:
        started = time.perf_counter()
        try:
            calls, guards = await self._turn(batch)
        except Exception:
            if self.metrics:
                self.metrics.turns.labels("error").inc()
            raise
        if self.metrics:
            self.metrics.observe_turn(time.perf_counter() - started, calls, guards)

    async def _turn(self, batch: Batch) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Run (or finish sending) the batch's turn; the YClients calls and guards it made."""
        conversation = await self.store.load(batch.phone)
        if conversation.last_batch_id == batch.id:
            await self.deliver(batch.phone)  # the turn ran before a crash: only send
            return [], []
        texts = tuple(m.body for m in batch.messages if m.is_text and m.body.strip())
        pushname = next((m.pushname for m in reversed(batch.messages) if m.pushname), None)
        given = TurnInput(
            texts=texts,
            non_text=sum(1 for m in batch.messages if not m.is_text),
            pushname=pushname,
            batch_id=batch.id,
            attempt=batch.attempt,
            now=self.clock.now(),
        )
        recorder = RecordingBackend(self.backend)
        try:
            dialogue = Dialogue(recorder, self.filler, self.timezone, self.faq)
            result = await dialogue.run(conversation, given)
        except REDIS_ERRORS:
            raise  # storage trouble: the worker retries the batch later
        except Exception:
            # A bug must not leave the client unanswered (nor loop through retries):
            # apologise, keep the dialogue where it was, and log it for the engineer.
            log.exception("dialogue turn failed for %s", mask_phone(batch.phone))
            conversation = await self.store.load(batch.phone)
            result = await self._apology(conversation)
        now = self.clock.now()
        conversation.last_batch_id = batch.id
        conversation.updated_at = now.isoformat()
        conversation.add_turn(
            {
                "at": now.isoformat(),
                "batch_id": batch.id,
                "attempt": batch.attempt,
                "batch": [m.body if m.is_text else f"<{m.type}>" for m in batch.messages],
                "llm_fill": result.fill.model_dump(mode="json") if result.fill else {},
                "guards": result.guards,
                "yclients": recorder.calls,
                "replies": result.replies,
            }
        )
        created = self.clock.now_ms()
        outbox = [
            OutboxEntry(f"{batch.id}:{n}", conversation.chat, text, created, n)
            for n, text in enumerate(result.replies)
        ]
        if not await self.store.save(conversation, outbox):
            stored = await self.store.load(batch.phone)
            if stored.last_batch_id != batch.id:
                log.warning("turn for %s lost a save race; dropped", mask_phone(batch.phone))
                return [], []
            # Our own save landed and only its reply was lost (a retried command): go on.
        await self.deliver(batch.phone)
        return recorder.calls, result.guards

    async def _apology(self, conversation: Conversation) -> TurnResult:
        try:
            phone = f": {(await self.backend.company()).phone}"
        except Exception:  # the salon may be what is failing
            phone = ""
        reply = say("internal_error", conversation.language, phone=phone)
        return TurnResult([reply], None, [{"guard": "turn_completed", "ok": False}])

    async def deliver(self, phone: str) -> None:
        """Send what the outbox holds, in order; each reply leaves the outbox once sent."""
        for entry in await self.store.pending_replies(phone):
            if not await self._send(entry):
                raise RepliesNotDelivered(f"reply {entry.id} not delivered yet")
            await self.store.mark_sent(phone, entry)

    async def _send(self, entry: OutboxEntry) -> bool:
        for attempt in range(SEND_TRIES):
            try:
                await self.messenger.send(entry.chat, entry.text)
                self._count_reply("sent")
                return True
            except DeliveryError as error:
                log.warning("reply to %s failed: %s", mask_phone(entry.chat), error)
                if not error.retryable:
                    self._count_reply("rejected")
                    return True  # the gateway will never take it; do not block the outbox
                self._count_reply("failed")
                await asyncio.sleep(self.send_backoff_s * 2**attempt)
        return False

    def _count_reply(self, outcome: str) -> None:
        if self.metrics:
            self.metrics.replies.labels(outcome).inc()
