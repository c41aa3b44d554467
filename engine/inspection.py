"""What `GET /conversations/{phone}` and `ai-admin inspect` show (interface contract)."""

from __future__ import annotations

import dataclasses
from datetime import tzinfo
from typing import Any

from engine.batcher import Batcher
from engine.console_views import moment
from engine.conversations import ConversationStore
from engine.pauses import PauseStore
from engine.redis_conn import storage
from engine.reminders.store import ReminderStore

# Shown first, in this order, as the interface contract lists them; the rest follow.
_CONTRACT_KEYS = ("phone", "state", "version", "slots", "slot_sources")
HELD_SHOWN, HELD_SHOWN_CHARS = 20, 500  # the latest held messages shown, each cut to this


@dataclasses.dataclass
class Inspector:
    store: ConversationStore
    batcher: Batcher
    pauses: PauseStore
    reminders: ReminderStore | None = None
    timezone: str | None = None  # the salon's: reminder times are shown in it

    async def view(self, phone: str) -> dict[str, object] | None:
        with storage():
            document = await self.store.document(phone)
            pending, due_ms = await self.batcher.pending_of(phone)
            held, latest = await self.batcher.held_of(phone, HELD_SHOWN)
            pause = await self.pauses.state(phone)
            reminders = await self.reminders.reminders_of(phone) if self.reminders else []
        paused_until = pause.until(self.batcher.clock.now_ms())
        quiet = not pending and not held and not reminders and paused_until is None
        if document is None and quiet:
            return None
        if document is None:  # messages waiting, no turn yet
            document = self.store.fresh(phone).to_dict()
        elif self.store.idle_too_long(document.get("updated_at")):
            document["state"] = "idle"  # what the next turn will see (the store's expiry)
        view: dict[str, Any] = {key: document.get(key) for key in _CONTRACT_KEYS}
        view["pending_batch"] = {"messages": pending, "flush_at_ms": due_ms}
        # Past the flood limit messages are kept unanswered, for a person to read.
        view["held_messages"] = {
            "count": held,
            "latest": [m.body[:HELD_SHOWN_CHARS] if m.is_text else f"<{m.type}>" for m in latest],
        }
        # A person has the chat until then (issue 17): the bot stores what the client
        # writes (in `turns`) and answers nothing.
        view["paused_until"] = paused_until.isoformat() if paused_until else None
        view["takeover"] = (
            {
                "reason": pause.reason,
                "since": moment(pause.since_ms).isoformat() if pause.since_ms else None,
                "waiting_for_person": pause.waiting is not None,
            }
            if paused_until
            else None
        )
        view["last_turn"] = document.get("last_turn")
        view["updated_at"] = document.get("updated_at")
        extras = (
            "client_name",
            "language",
            "awaiting",
            "mode",
            "master_choice",
            "time_window",
            "offered",
            "choices",
            "chosen",
            "booking",
            "no_progress",
            "prompt",
            "handoff",
            "turns",
        )
        for key in extras:
            view[key] = document.get(key)
        booking = document.get("booking")
        if isinstance(booking, dict):  # the interface names the visit's moment `datetime`
            view["booking"] = {**booking, "datetime": booking.get("datetime_iso")}
        # Issue 16: the visit reminders, scheduled and sent, with what came of them.
        view["reminders"] = [r.view(await self._zone(phone, r.record_id)) for r in reminders]
        return view

    async def _zone(self, phone: str, record_id: int) -> str | tzinfo | None:
        """SALON_TIMEZONE, else the offset of the visit's own time (as YClients gave it)."""
        if self.timezone is not None or self.reminders is None:
            return self.timezone
        visit = await self.reminders.visit_of(phone, record_id)
        return visit.start.tzinfo if visit else None

    async def reset(self, phone: str) -> None:
        with storage():
            await self.store.reset(phone)
