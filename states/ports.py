"""The small protocols through which the edges (webhook, messengers) reach the runtime.

Adapters depend on these, never on `engine`; the composition root in `engine.runtime` wires
the concrete classes in.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Protocol

from states.errors import AiAdminError
from states.menus import Menu
from states.messages import InboundMessage
from states.plain import AsDict
from states.record_change import RecordChange


@dataclasses.dataclass(frozen=True)
class AppendResult:
    queued: bool  # False: a duplicate message id, already queued once
    pending: int
    due_ms: int


@dataclasses.dataclass(frozen=True)
class BatchStats(AsDict):
    pending_batches: int
    pending_messages: int
    oldest_pending_age_ms: int
    processed_batches: int
    processed_messages: int
    failed_batches: int


class StorageUnavailable(AiAdminError):
    """The state store did not answer (the ports raise it; the edges answer 503 and the
    caller retries). Adapters know this, never the store's own errors."""


class MessageQueue(Protocol):
    """Where the webhook puts client messages; the batch worker takes them from there.
    Each raises `StorageUnavailable` when the store does not answer."""

    async def append(self, phone: str, message: InboundMessage) -> AppendResult: ...

    async def drop_pending(self, phone: str) -> int: ...

    async def stats(self) -> BatchStats: ...


class HealthProbe(Protocol):
    async def ping(self) -> None:
        """Return when storage answers; raise when it does not."""
        ...

    async def degraded(self) -> list[str]:
        """Why the service works but not well (batches piling up, no worker), or []."""
        ...


class DeliveryError(AiAdminError):
    """A reply could not be handed to the messenger; `retryable` says whether to try again."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Messenger(Protocol):
    """Sends one text to one chat; raises `DeliveryError` when the gateway did not take it."""

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        """`menu`: the question's choices, for a messenger that can make them tappable
        (the Cloud API); the text lists them too, numbered, for every other one."""
        ...

    async def mark_read(self, chat: str, message_id: str) -> None:
        """Show the client their message was read and a reply is being typed, where the
        messenger can (the Cloud API); never raises."""
        ...


class WithoutReceipts:
    """For a messenger with no read receipts or typing indicator (venom's HTTP gateway
    contract has only `send`, the log has nothing to show)."""

    async def mark_read(self, chat: str, message_id: str) -> None:
        return None


MAX_PAUSE_S = 30 * 24 * 3600  # a pause of a month at most: longer is a mistake


class Takeover(Protocol):
    """A person takes a client's chat over from the bot, and hands it back (issue 17)."""

    async def salon_wrote(self, phone: str, text: str) -> datetime | None:
        """A message from the salon's own number in the client's chat: the bot keeps quiet
        (HANDOFF_PAUSE) — unless it is the gateway's echo of the bot's own reply (None)."""
        ...

    async def pause(self, phone: str, for_s: int | None) -> datetime:
        """Keep the bot quiet for `for_s` seconds (HANDOFF_PAUSE when None); until when."""
        ...

    async def resume(self, phone: str) -> None:
        """The bot has the chat again, from the dialogue's saved state."""
        ...

    async def paused_until(self, phone: str) -> datetime | None: ...


class ConversationInspector(Protocol):
    """State inspection for the engineer on call (`/conversations/{phone}`, `inspect`);
    `StorageUnavailable` when the store does not answer."""

    async def view(self, phone: str) -> dict[str, object] | None:
        """The interface's JSON view of one conversation; None for a phone never seen."""
        ...

    async def reset(self, phone: str) -> None: ...


class WebhookObserver(Protocol):
    """Counts what the edges saw and renders `/metrics`."""

    def request(self, outcome: str) -> None: ...

    def yclients_webhook(self, status: str, outcome: str) -> None:
        """A YClients webhook: its event status (create, update, delete) and the outcome."""
        ...

    async def render(self) -> tuple[bytes, str]:
        """The exposition body and its content type."""
        ...


class ReminderAnswers(Protocol):
    """Where the dialogue records a client's answer to a visit reminder (issue 16)."""

    async def answer(self, phone: str, record_id: int, outcome: str) -> int:
        """`outcome` is "confirmed" or "declined"; how many reminders took it (one no
        longer awaiting an answer is left as it is)."""
        ...


class RecordEventQueue(Protocol):
    """Where the YClients webhook route keeps a record event until a worker applies it."""

    async def add(self, change: RecordChange) -> str:
        """Keep the event; its id. Raises when storage is unavailable."""
        ...
