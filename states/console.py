"""The operator console's port: what the salon's administrator sees and steers in a browser.

The console (`adapters/console`) knows only this protocol; `engine/console_data.py`
implements it over Redis. Operations that other parts of the product provide later raise
`NotAvailableYet`, which the console shows as "not available yet" instead of failing.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from typing import Any, Literal, Protocol

from states.errors import AiAdminError


class NotAvailableYet(AiAdminError):
    """An operation this deployment cannot do yet (another issue provides it)."""

    def __init__(self, operation: str, issue: int) -> None:
        """`operation` is a short code ("pause", "send", "reminders", …) the console names."""
        super().__init__(f"{operation} is not available yet (issue {issue})")
        self.operation = operation
        self.issue = issue


class ListView(enum.StrEnum):
    """The filters of the conversations list."""

    ALL = "all"
    NEEDS_PERSON = "person"  # handed off to a person, or a batch the bot gave up on
    BOOKED_TODAY = "booked"  # the bot booked a visit today (salon's day)
    ERRORS = "errors"  # a failed batch, or a last turn that ended in an apology


@dataclasses.dataclass(frozen=True)
class ConversationRow:
    """One line of the conversations list."""

    phone: str  # conversation key: digits, or "lid<digits>"
    client_name: str | None
    state: str
    awaiting: str | None  # what the bot asked for last ("service", "name", …)
    last_activity: datetime  # the last turn (or operator action) saved
    pending_messages: int  # messages waiting for the next turn
    paused_until: datetime | None  # a person took over until then
    handoff_reason: str | None  # handed off to a person, and why
    failed_batches: int  # batches of this phone in the dead letters
    turn_failed: bool  # the last turn ended in an apology (a bug or an outage)
    booking: dict[str, Any] | None  # the visit the bot knows (record_id, date, time, …)
    booked_at: datetime | None  # when the bot last booked a visit for this phone

    @property
    def paused(self) -> bool:
        return self.paused_until is not None

    @property
    def needs_person(self) -> bool:
        return self.handoff_reason is not None or self.failed_batches > 0

    @property
    def has_errors(self) -> bool:
        return self.failed_batches > 0 or self.turn_failed


@dataclasses.dataclass(frozen=True)
class TurnRecord:
    """One batch and what the bot did with it, as the worker traced it."""

    at: datetime
    batch_id: str
    attempt: int
    messages: list[str]  # the client's messages of the batch, in order
    fill: dict[str, Any]  # what the slot filler proposed
    guards: list[dict[str, Any]]  # {"guard": name, "ok": bool, …}
    calls: list[dict[str, Any]]  # YClients calls: {"call", "ok", "ms", "status", …}
    replies: list[str]
    state: str | None  # the dialogue state after the turn


@dataclasses.dataclass(frozen=True)
class OperatorAction:
    """Something a person did to the conversation (reset, requeue, …)."""

    at: datetime
    action: str
    detail: str | None = None


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    kind: Literal["turn", "action"]
    at: datetime
    turn: TurnRecord | None = None
    action: OperatorAction | None = None


@dataclasses.dataclass(frozen=True)
class ConversationDetail:
    row: ConversationRow
    slots: dict[str, Any]
    slot_sources: dict[str, str]
    offered: list[dict[str, Any]]  # alternatives offered to the client
    chosen: dict[str, Any] | None  # the free slot being confirmed
    language: str
    timeline: list[TimelineEntry]  # oldest first
    waiting: list[str]  # messages queued for the next turn, in order


@dataclasses.dataclass(frozen=True)
class ReminderView:
    at: datetime
    kind: str  # "24h", "2h", …
    status: str  # scheduled | sent | confirmed | declined | unanswered | …


@dataclasses.dataclass(frozen=True)
class HandoffItem:
    phone: str
    client_name: str | None
    reason: str
    since: datetime


@dataclasses.dataclass(frozen=True)
class DeadLetter:
    """A batch given up after too many failed attempts."""

    id: str  # stable while the letter exists; what `requeue` takes
    phone: str
    failed_at: datetime
    messages: list[str]


@dataclasses.dataclass(frozen=True)
class WorkerSeen:
    """A batch worker as its last heartbeat shows it: `alive` while it is within the
    silence the health check allows."""

    id: str
    seconds_ago: float
    alive: bool


@dataclasses.dataclass(frozen=True)
class HealthView:
    redis_ok: bool
    redis_ms: float | None
    workers: list[WorkerSeen]
    pending_batches: int
    pending_messages: int
    oldest_pending_age_ms: int
    processed_batches: int
    failed_batches: int
    degraded: list[str]  # why the service works but not well, or []


@dataclasses.dataclass(frozen=True)
class DayCount:
    day: date  # the salon's calendar day
    bookings: int
    handoffs: int | None  # None: hand-offs are not counted yet


class ConsoleData(Protocol):
    """Everything the console reads and does. Storage trouble raises `StorageUnavailable`."""

    @property
    def timezone(self) -> str:
        """The salon's zone (IANA name): the console shows times and days in it."""
        ...

    async def conversations(self, view: ListView, limit: int) -> list[ConversationRow]:
        """The most recently active conversations first, filtered by `view`."""
        ...

    async def conversation(self, phone: str) -> ConversationDetail | None:
        """One conversation with its timeline; None for a phone never seen."""
        ...

    async def reset(self, phone: str) -> None:
        """Back to `idle`, keeping the client's name and last booking."""
        ...

    async def pause(self, phone: str, for_s: int | None) -> datetime:
        """A person takes over: the bot stores the client's messages but does not answer
        until the returned moment (`HANDOFF_PAUSE` when `for_s` is None). Issue 17."""
        ...

    async def resume(self, phone: str) -> None:
        """Hand the chat back to the bot; it continues from the saved state. Issue 17."""
        ...

    async def send_as_salon(self, phone: str, text: str) -> None:
        """Send `text` to the client through the messenger as the salon, and pause the bot
        like a takeover. Issue 17."""
        ...

    async def handoffs(self) -> list[HandoffItem]:
        """Chats waiting for a person, oldest first, with the reason. Issues 14 and 17."""
        ...

    async def reminders(self, phone: str) -> list[ReminderView]:
        """The phone's visit reminders and their status, by time."""
        ...

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        """Batches given up after too many failed attempts, newest first."""
        ...

    async def requeue(self, letter_id: str) -> bool:
        """Put a dead letter back in its phone's queue, due at once; False if it is gone."""
        ...

    async def health(self) -> HealthView:
        """Redis, the workers, the batch queue. Never raises for Redis being down."""
        ...

    async def daily_counts(self, days: int) -> list[DayCount]:
        """Bookings (and hand-offs, once counted) per salon day, the last `days` days."""
        ...
