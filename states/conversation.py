"""The persisted dialogue of one phone: state, slots with their sources, and the last turns.

Plain dataclasses inside; `to_dict` / `from_dict` are the JSON shape stored in Redis and
shown by `GET /conversations/{phone}` (interface contract: `slots` keys are fixed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from states.plain import AsDict

TRACE_TURNS = 5  # how many past turns `GET /conversations/{phone}` shows
# Conversations saved before issue 14 kept what the bot awaited in `expecting`.
_AWAITING_BEFORE = {"confirmation": "yes_no", "time": "option"}


@dataclasses.dataclass
class Slots(AsDict):
    """What the client asked for so far, resolved to YClients ids; None while unknown."""

    service_ids: list[int] | None = None
    staff_id: int | None = None
    date: str | None = None  # YYYY-MM-DD, salon zone
    time: str | None = None  # HH:MM, salon zone


@dataclasses.dataclass
class Option(AsDict):
    """One alternative offered to the client, exactly as YClients reported it free."""

    date: str
    time: str
    staff_id: int
    master: str
    datetime_iso: str


@dataclasses.dataclass
class Choice(AsDict):
    """One numbered choice that is not a slot: a service, a master, a day, a detail to
    change. `value` is the id or ISO date it stands for; `label` is how it was listed."""

    kind: str  # "service" | "master" | "any_master" | "date" | "change"
    value: str
    label: str


@dataclasses.dataclass
class Prompt(AsDict):
    """The last question the bot sent, so the next turn never sends it again word for
    word: `level` 0 is the plain question, 1 the one with numbered choices, 2 a hand-off."""

    text: str
    level: int = 0


@dataclasses.dataclass
class Booking(AsDict):
    """A visit YClients confirmed with 201 (or found again by its api_id)."""

    record_id: int
    record_hash: str | None
    staff_id: int
    service_ids: list[int]
    date: str
    time: str
    datetime_iso: str
    api_id: str

    @classmethod
    def of_record(
        cls,
        record_id: int,
        staff_id: int,
        service_ids: Sequence[int],
        start: datetime,
        api_id: str,
        zone: tzinfo | None = None,
    ) -> Booking:
        """A visit found in YClients (not booked by this conversation): date and time in
        `zone` (else as given)."""
        local = start.astimezone(zone) if zone else start
        return cls(
            record_id=record_id,
            record_hash=None,
            staff_id=staff_id,
            service_ids=list(service_ids),
            date=local.date().isoformat(),
            time=local.strftime("%H:%M"),
            datetime_iso=local.isoformat(),
            api_id=api_id,
        )


@dataclasses.dataclass
class Conversation:
    phone: str  # conversation key: digits, or "lid<digits>"
    chat: str  # raw chat id to reply to
    state: str = "idle"
    version: int = 0
    slots: Slots = dataclasses.field(default_factory=Slots)
    slot_sources: dict[str, str] = dataclasses.field(default_factory=dict)
    # "named" | "any" | "same_as_last": with "any" the staff_id is one free master we chose.
    master_choice: str | None = None
    time_window: list[str] | None = None  # ["17:00", "21:00"] for "вечером"
    client_name: str | None = None
    client_phone: str | None = None  # digits; for an @lid sender, what they told us
    language: str = "ru"
    # What the bot awaits (the machine's sub-state): "service", "master", "date",
    # "option", "yes_no", "name", "phone", "change"; None when it awaits nothing.
    awaiting: str | None = None
    mode: str = "book"  # "reschedule": the slots describe the new time of `booking`
    offered: list[Option] = dataclasses.field(default_factory=list)
    choices: list[Choice] = dataclasses.field(default_factory=list)  # numbered, not slots
    chosen: Option | None = None  # the verified free slot being confirmed
    booking: Booking | None = None  # the last visit booked through us
    no_progress: int = 0  # turns in a row that moved nothing (re-prompt ladder)
    prompt: Prompt | None = None  # the last question sent
    # What the client's last question was about ({"staff_id": …, "date": …}): "когда Бари
    # свободен?" then "тогда в пятницу в 17" means Бари. Used by the next request only.
    topic: dict[str, object] | None = None
    # What goes on once a name or phone asked for in `collecting` arrives: "book" (YClients
    # refused the one given), "cancel" or "reschedule" (an @lid sender's visit to find).
    after_contact: str | None = None
    # A person was asked to take over: {"reason": "ask_human"|"complaint"|"ladder", "at": iso,
    # "batch": the turn's batch id}. The engine pauses the bot and notifies the salon on it
    # (issue 17); the first turn the bot answers again clears it.
    handoff: dict[str, str] | None = None
    last_batch_id: str | None = None
    # The salon's own changes to the client's visits already applied here (YClients record
    # webhook events, newest last; issue 16): a retried event is not applied twice.
    followed: list[str] = dataclasses.field(default_factory=list)
    turns: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    updated_at: str | None = None

    def reset(self) -> None:
        """Back to `idle`, keeping who the client is and their last booking."""
        keep = (self.client_name, self.client_phone, self.language, self.booking, self.handoff)
        fresh = Conversation(phone=self.phone, chat=self.chat, version=self.version)
        fresh.turns, fresh.last_batch_id = self.turns, self.last_batch_id
        fresh.followed = self.followed
        self.__dict__.update(fresh.__dict__)
        self.client_name, self.client_phone, self.language, self.booking, self.handoff = keep

    def clear_request(self) -> None:
        """Forget the visit being asked for (after booking or cancelling)."""
        self.slots = Slots()
        self.slot_sources = {}
        self.master_choice = None
        self.time_window = None
        self.offered = []
        self.choices = []
        self.chosen = None
        self.mode = "book"
        self.no_progress = 0

    def add_turn(self, trace: dict[str, Any]) -> None:
        self.turns = [*self.turns, trace][-TRACE_TURNS:]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["last_turn"] = self.turns[-1] if self.turns else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["slots"] = Slots(**data.get("slots") or {})
        values["offered"] = [Option(**o) for o in data.get("offered") or []]
        values["choices"] = [Choice(**o) for o in data.get("choices") or []]
        values["prompt"] = Prompt(**data["prompt"]) if data.get("prompt") else None
        if "awaiting" not in data and data.get("expecting"):
            values["awaiting"] = _AWAITING_BEFORE.get(data["expecting"], data["expecting"])
        values["chosen"] = Option(**data["chosen"]) if data.get("chosen") else None
        values["booking"] = Booking(**data["booking"]) if data.get("booking") else None
        return cls(**values)
