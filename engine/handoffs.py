"""A hand-off, carried out: the bot goes quiet for the chat and the salon is told (issue 17).

The dialogue decides to hand off (a complaint, "позовите администратора", the re-prompt
ladder's last step) and records `handoff` with its turn's batch id. Once that turn is
saved and its replies are sent — the client is told a person will answer, and when — the
runner calls `settle`: the chat is paused for `HANDOFF_PAUSE` and queued for a person
(once per hand-off, whatever retries), then the salon gets a WhatsApp message in
`ADMIN_CHAT` and/or a signed POST to `HANDOFF_WEBHOOK_URL` with the phone, the last
messages and the state. A notice that fails for now raises `NoticesPending`: the worker
retries the batch, whose retry only sends what was not sent (each channel is marked once
delivered), and gives up into the dead letters after five attempts like any batch.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.handoff_webhook import HandoffWebhook
from engine.pauses import PauseState, PauseStore, Reason
from engine.salon_notice import Outcome, SalonNotifier
from states.conversation import Conversation
from states.masking import mask_phone
from states.messages import ChatId

log = logging.getLogger(__name__)

LAST_MESSAGES = 10  # the last messages of the chat a notice carries
SHOWN_CHARS = 300  # each cut to this in the WhatsApp notice

_WHY = {
    Reason.ASK_HUMAN: "клиент просит администратора",
    Reason.COMPLAINT: "жалоба клиента",
    Reason.LADDER: "бот не смог понять клиента",
}
_STATES = {
    "idle": "ничего не оформляется",
    "collecting": "собирает запись",
    "suggesting": "предложил варианты времени",
    "confirming": "ждёт подтверждения записи",
    "booked": "клиент записан",
    "cancelling": "спросил, отменить ли визит",
    "rescheduling": "переносит визит",
}


class NoticesPending(Exception):
    """A hand-off notice did not go out yet; the batch is retried later."""


def last_messages(c: Conversation) -> list[dict[str, str]]:
    """The chat's last messages, client's and bot's, oldest first, from the kept turns."""
    said: list[dict[str, str]] = []
    for turn in c.turns:
        at = str(turn.get("at", ""))
        said += [{"at": at, "from": "client", "text": str(m)} for m in turn.get("batch", [])]
        said += [{"at": at, "from": "bot", "text": str(r)} for r in turn.get("replies", [])]
    return said[-LAST_MESSAGES:]


def handoff_event(c: Conversation, state: PauseState, reason: str) -> dict[str, Any]:
    """The JSON POSTed to HANDOFF_WEBHOOK_URL."""
    chat = ChatId.from_key(c.phone)
    until = state.until_ms / 1000
    return {
        "event": "handoff",
        "id": f"{c.phone}:{state.handoff_id}",
        "reason": reason,
        "at": (c.handoff or {}).get("at"),
        "phone": chat.phone or c.client_phone,
        "chat": c.chat,
        "client_name": c.client_name,
        "paused_until": datetime.fromtimestamp(until, UTC).isoformat(),
        "state": {
            "state": c.state,
            "awaiting": c.awaiting,
            "slots": c.slots.as_dict(),
            "offered": [o.as_dict() for o in c.offered],
            "chosen": c.chosen.as_dict() if c.chosen else None,
            "booking": c.booking.as_dict() if c.booking else None,
            "language": c.language,
        },
        "last_messages": last_messages(c),
    }


def handoff_text(c: Conversation, state: PauseState, reason: str, zone: ZoneInfo) -> str:
    """The WhatsApp message to ADMIN_CHAT: who, why, where the bot stopped, what was said."""
    phone = ChatId.from_key(c.phone).phone or c.client_phone
    who = f"+{phone}" if phone else "номер скрыт WhatsApp"
    until = datetime.fromtimestamp(state.until_ms / 1000, zone)
    lines = [
        f"🙋 Нужен администратор: {_WHY.get(Reason(reason), reason)}.",
        f"Клиент: {c.client_name or 'без имени'}, {who}.",
        f"Бот: {_STATES.get(c.state, c.state)}.",
        "Последние сообщения:",
    ]
    for said in last_messages(c):
        text = (
            said["text"] if len(said["text"]) <= SHOWN_CHARS else said["text"][:SHOWN_CHARS] + "…"
        )
        lines.append(("👤 " if said["from"] == "client" else "🤖 ") + text)
    lines.append(
        f"Бот не отвечает этому клиенту до {until:%d.%m %H:%M}. Ответьте ему из WhatsApp "
        f"салона или в консоли; вернуть чат боту: ai-admin resume {c.phone}."
    )
    return "\n".join(lines)


class HandOffs:
    def __init__(
        self,
        pauses: PauseStore,
        notifier: SalonNotifier | None,
        webhook: HandoffWebhook | None,
        timezone: str,
    ) -> None:
        self.pauses = pauses
        self.notifier = notifier
        self.webhook = webhook
        self.zone = ZoneInfo(timezone)

    async def settle(self, c: Conversation, batch_id: str) -> bool:
        """Carry out the hand-off the turn of `batch_id` recorded, if it did; True when a
        pause began here (not on a retry). NoticesPending when a notice must be retried."""
        handoff = c.handoff
        if not handoff or handoff.get("batch") != batch_id:
            return False
        reason = handoff.get("reason", Reason.LADDER.value)
        kind = Reason(reason) if reason in Reason.__members__.values() else Reason.LADDER
        applied = await self.pauses.hand_off(c.phone, kind, batch_id)
        state = await self.pauses.state(c.phone)
        if state.handoff_id != batch_id:
            return False  # a newer hand-off owns the notices
        pending = []
        for channel in ("chat", "hook"):
            if channel in state.notified:
                continue
            outcome = await self._notify(channel, c, state, kind.value)
            if outcome.done:
                await self.pauses.mark_notified(c.phone, channel)
            else:
                pending.append(channel)
        if pending:
            raise NoticesPending(f"hand-off of {mask_phone(c.phone)}: {', '.join(pending)} pending")
        return applied.started and applied.applied

    async def _notify(
        self, channel: str, c: Conversation, state: PauseState, reason: str
    ) -> Outcome:
        if channel == "chat":
            if self.notifier is None:
                return Outcome.OFF
            return await self.notifier.notify(handoff_text(c, state, reason, self.zone))
        if self.webhook is None:
            return Outcome.OFF
        return await self.webhook.post(handoff_event(c, state, reason))
