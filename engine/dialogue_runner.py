"""The batch handler of the product: one claimed batch becomes one dialogue turn.

claim (worker) -> load state -> fill -> transition -> save with compare-and-set, replies
into the outbox in the same step -> send -> ack (worker). A batch whose turn was saved
but whose replies were not all sent (crash, gateway down) is retried by the worker; the
retry sees its own batch id in the state and only sends what is still in the outbox.

The turn reads a bounded part of its batch (`engine.turn_reading`), and is fenced on its
claim (`engine.fencing`): once another worker holds the batch, this turn's YClients writes,
state save and replies are refused (ClaimLost) and it ends without a trace.

While a person has the chat (`engine.pauses`, issue 17) a turn only records its messages:
the dialogue does not run, nothing is answered, and a reply still in the outbox when the
person took over is dropped. A turn whose dialogue handed off is carried out once its
replies are sent (`engine.handoffs`). The first turn the bot answers again continues from
the saved state: the messages held meanwhile were the person's to answer, not the bot's.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.batcher import Batch
from engine.clock import Clock
from engine.conversations import ConversationStore, OutboxEntry, TurnWrites
from engine.fencing import ClaimLost, Fence
from engine.handoffs import HandOffs
from engine.metrics import Metrics, TimedFiller
from engine.outbox import SEND_BACKOFF_S, OutboxSender
from engine.pauses import DEFAULT_PAUSE_S, PauseStore
from engine.recording_backend import RecordingBackend
from engine.redis_conn import REDIS_ERRORS
from engine.turn_reading import BatchReading, ReadCaps, read_batch
from engine.visit import Visit
from engine.visit_tracking import VisitTracker
from states.conversation import Conversation
from states.dialogue import DEFAULT_TIMEZONE, Dialogue, TurnInput, TurnResult
from states.faq import SalonFaq
from states.handlers_reminder import ReminderAsk
from states.masking import mask_phone
from states.menus import menu_for
from states.ports import Messenger
from states.salon import SalonBackend
from states.slot_fill import SlotFiller
from states.templates import say

log = logging.getLogger(__name__)


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
        caps: ReadCaps | None = None,
        pauses: PauseStore | None = None,
        handoffs: HandOffs | None = None,
        visits: VisitTracker | None = None,
    ) -> None:
        self.store = store
        self.backend = backend
        self.filler = TimedFiller(filler, metrics) if metrics else filler
        self.messenger = messenger
        self.clock = clock
        self.timezone = timezone
        self.metrics = metrics
        self.faq = faq
        self.caps = caps or ReadCaps()
        self.pauses = pauses or PauseStore(store.redis, store.keys, clock, DEFAULT_PAUSE_S)
        self.outbox = OutboxSender(store, messenger, metrics, send_backoff_s, self.pauses, clock)
        # Without notifiers a hand-off still pauses the chat and queues it in the console.
        self.handoffs = handoffs or HandOffs(self.pauses, None, None, timezone or DEFAULT_TIMEZONE)
        # Visit reminders and the record log follow the turn's writes (issue 16).
        self.visits = visits

    async def handle(self, batch: Batch) -> None:
        started = time.perf_counter()
        try:
            calls, guards = await self._turn(batch)
        except ClaimLost:
            if self.metrics:
                self.metrics.turns.labels("fenced").inc()
            raise
        except Exception:
            if self.metrics:
                self.metrics.turns.labels("error").inc()
            raise
        if self.metrics:
            self.metrics.observe_turn(time.perf_counter() - started, calls, guards)

    async def _turn(self, batch: Batch) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Run (or finish sending) the batch's turn; the YClients calls and guards it made."""
        fence = self.store.fence(batch.phone, batch.token)
        start = batch.start  # what the claim script read for this turn (issue 15)
        if start is not None:
            document = self.store.parse_document(start.state_version, start.state_doc)
            conversation = self.store.conversation_of(batch.phone, document)
        else:
            conversation = await self.store.load(batch.phone)
        if conversation.last_batch_id == batch.id:
            await self.deliver(batch.phone, fence)  # the turn ran before a crash: only send
            await self.handoffs.settle(conversation, batch.id)
            return [], []
        reading = read_batch(batch.messages, self.caps)
        if self.metrics:
            for cap, count in reading.cut.items():
                if count:
                    self.metrics.input_cut.labels(cap).inc(count)
        if start is not None:
            paused_until = self.pauses.until_of(start.paused_until_ms)
        else:
            paused_until = await self.pauses.paused_until(batch.phone)
        if paused_until is not None:
            await self._hold(conversation, batch, reading, paused_until.isoformat(), fence)
            return [], []
        conversation.handoff = None  # the bot has the chat (again)
        last = batch.messages[-1]
        await self.messenger.mark_read(last.chat, last.id)
        given = TurnInput(
            texts=reading.texts,
            non_text=reading.non_text,
            pushname=reading.pushname,
            batch_id=batch.id,
            attempt=batch.attempt,
            now=self.clock.now(),
            choice=reading.choice,
            reminder=await self._reminder_ask(batch),
        )
        turn_visits = None
        if self.visits is not None:
            turn_visits = self.visits.for_turn(self.backend, lambda: conversation.language)
        recorder = RecordingBackend(self.backend, fence=fence, visits=turn_visits)
        answers = self.visits.reminders if self.visits else None
        try:
            dialogue = Dialogue(recorder, self.filler, self.timezone, self.faq, answers)
            result = await dialogue.run(conversation, given)
        except (*REDIS_ERRORS, ClaimLost):
            # Storage trouble (retried later), or the batch is another worker's now: what
            # this turn's YClients writes changed is still so, and is written first.
            if turn_visits is not None:
                await turn_visits.write_alone()
            raise
        except Exception:
            # A bug must not leave the client unanswered (nor loop through retries):
            # apologise, keep the dialogue where it was, and log it for the engineer.
            log.exception("dialogue turn failed for %s", mask_phone(batch.phone))
            conversation = await self.store.load(batch.phone)
            result = await self._apology(conversation)
        if reading.flood_notice:  # once per flood; the held messages get no answer
            result.replies.append(say("flood_notice", conversation.language))
        now = self.clock.now()
        conversation.last_batch_id = batch.id
        conversation.updated_at = now.isoformat()
        conversation.add_turn(
            {
                "at": now.isoformat(),
                "batch_id": batch.id,
                "attempt": batch.attempt,
                "batch": reading.trace,
                "llm_fill": result.fill.model_dump(mode="json") if result.fill else {},
                "guards": result.guards,
                "yclients": recorder.calls,
                "replies": result.replies,
            }
        )
        created = self.clock.now_ms()
        today = now.astimezone(ZoneInfo(self.timezone or DEFAULT_TIMEZONE)).date()
        menu = menu_for(conversation, result.replies[-1] if result.replies else None, today)
        outbox = [
            OutboxEntry(f"{batch.id}:{n}", conversation.chat, text, created, n)
            for n, text in enumerate(result.replies)
        ]
        if menu is not None:
            outbox[-1] = dataclasses.replace(outbox[-1], menu=menu.to_dict())
        # One round trip saves the turn with everything it leaves: the check that clears
        # its first reply, and what follows its YClients writes (the reminders, the
        # record log: `engine.visit_tracking`).
        ready = self.outbox.ready_args(batch.phone, outbox[0], fence) if outbox else None
        writes = (
            turn_visits.writes(conversation.phone, ready)
            if turn_visits
            else TurnWrites(ready=ready)
        )
        try:
            saved = await self.store.save_turn(conversation, outbox, fence, writes)
        except REDIS_ERRORS:
            if turn_visits is not None:
                await turn_visits.write_alone()  # as above: what the writes changed is so
            raise
        if saved is None:
            if not await self._landed(batch):
                return [], []
            await self.outbox.deliver(batch.phone, fence)  # our own save, its answer lost
        else:
            # The save answered with the outbox and its first reply's check: send at once
            # (no Redis call between, so the check is still the last one before the send).
            checked = (outbox[0].id, saved.ready) if outbox and saved.ready is not None else None
            await self.outbox.deliver(batch.phone, fence, entries=saved.entries, checked=checked)
        await self.handoffs.settle(conversation, batch.id)
        return recorder.calls, result.guards

    async def _save(
        self, conversation: Conversation, outbox: list[OutboxEntry], fence: Fence, batch: Batch
    ) -> bool:
        if await self.store.save(conversation, outbox, fence):
            return True
        return await self._landed(batch)

    async def _landed(self, batch: Batch) -> bool:
        """A save that lost its compare-and-set: was it our own, landed already?"""
        stored = await self.store.load(batch.phone)
        if stored.last_batch_id != batch.id:
            log.warning("turn for %s lost a save race; dropped", mask_phone(batch.phone))
            return False
        return True  # our own save landed and only its reply was lost (a retried command)

    async def _hold(
        self,
        conversation: Conversation,
        batch: Batch,
        reading: BatchReading,
        until: str,
        fence: Fence,
    ) -> None:
        """A person has the chat: keep the batch in the conversation's turns (inspection,
        the console's timeline) and answer nothing; the dialogue stays where it was."""
        now = self.clock.now().isoformat()
        conversation.last_batch_id, conversation.updated_at = batch.id, now
        if reading.pushname and not conversation.client_name:
            conversation.client_name = reading.pushname
        guard = {
            "guard": "bot_active",
            "ok": False,
            "detail": f"a person has the chat until {until}",
        }
        trace = {"at": now, "batch_id": batch.id, "attempt": batch.attempt, "batch": reading.trace}
        conversation.add_turn(
            {**trace, "llm_fill": {}, "guards": [guard], "yclients": [], "replies": []}
        )
        await self._save(conversation, [], fence, batch)

    async def _reminder_ask(self, batch: Batch) -> ReminderAsk | None:
        """The visit reminder awaiting this client's answer, if any (answered during an
        earlier attempt of this batch counts: the retried turn sees the same question)."""
        if self.visits is None:
            return None
        store = self.visits.reminders
        since = batch.first_ms
        if batch.start is None:
            asked = await store.awaiting_answer(batch.phone, late=True, answered_since_ms=since)
            visit = await store.visit_of(batch.phone, asked.record_id) if asked else None
        else:
            read = batch.start.reminders
            found = store.reminders_in(batch.phone, read)
            asked = store.awaiting_in(found, late=True, answered_since_ms=since)
            stored_visit = read.get(f"v|{asked.record_id}") if asked else None
            visit = Visit.from_json(stored_visit) if stored_visit else None
        if asked is None or visit is None:
            return None
        zone = ZoneInfo(self.timezone) if self.timezone else None
        sent_at = datetime.fromtimestamp(asked.sent_ms / 1000, UTC)
        return ReminderAsk(asked.record_id, visit.as_booking(zone), sent_at)

    async def _apology(self, conversation: Conversation) -> TurnResult:
        try:
            phone = f": {(await self.backend.company()).phone}"
        except Exception:  # the salon may be what is failing
            phone = ""
        reply = say("internal_error", conversation.language, phone=phone)
        return TurnResult([reply], None, [{"guard": "turn_completed", "ok": False}])

    async def deliver(self, phone: str, fence: Fence | None = None) -> None:
        """Send what the outbox holds, in order (`engine.outbox`)."""
        await self.outbox.deliver(phone, fence)
