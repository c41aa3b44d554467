"""A conversation as a row of the operator console's lists (`states.console`): what its
stored document says, with who has the chat (the bot, or a person until when)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from engine.console_views import moment, turn_failed
from engine.conversations import ConversationStore
from states.console import ConversationRow


@dataclasses.dataclass(frozen=True)
class Hands:
    """Who has which chats: paused phones (until, ms) and those waiting for a person."""

    paused: dict[str, int]
    waiting: dict[str, str]  # phone -> reason


async def read_rows(
    store: ConversationStore,
    recent: dict[str, int],
    booked: dict[str, int],
    failed: dict[str, int],
    hands: Hands,
) -> list[ConversationRow]:
    """The rows of the `recent` phones (phone -> last activity, ms), in one round trip;
    a phone whose conversation expired is left out unless it failed or waits."""
    phones = list(recent)
    pipe = store.redis.pipeline(transaction=False)
    for phone in phones:
        k = store.keys.phone_keys(phone)
        pipe.hget(k.state, "doc")
        pipe.llen(k.pending)
    raw: list[Any] = await pipe.execute()
    rows = []
    for i, phone in enumerate(phones):
        if raw[2 * i] is None and phone not in failed and phone not in hands.waiting:
            continue  # expired with its retention
        document: dict[str, Any] = (
            json.loads(raw[2 * i]) if raw[2 * i] else store.fresh(phone).to_dict()
        )
        pending = int(raw[2 * i + 1])
        rows.append(
            conversation_row(store, phone, document, recent[phone], pending, booked, failed, hands)
        )
    return rows


def conversation_row(
    store: ConversationStore,
    phone: str,
    document: dict[str, Any],
    active_ms: int,
    pending: int,
    booked: dict[str, int],
    failed: dict[str, int],
    hands: Hands,
) -> ConversationRow:
    until = hands.paused.get(phone)
    state = document.get("state", "idle")
    if store.idle_too_long(document.get("updated_at")):
        state = "idle"  # what the next turn will see (the store's expiry)
    return ConversationRow(
        phone=phone,
        client_name=document.get("client_name"),
        state=state,
        awaiting=document.get("awaiting") or document.get("expecting"),
        last_activity=moment(active_ms),
        pending_messages=pending,
        paused_until=moment(until) if until else None,
        handoff_reason=hands.waiting.get(phone),
        failed_batches=failed.get(phone, 0),
        turn_failed=turn_failed(document.get("turns") or []),
        booking=document.get("booking"),
        booked_at=moment(booked[phone]) if phone in booked else None,
    )
