"""The salon as the dialogue sees it: plain values and the one protocol it calls.

`states/` never imports `adapters/`; the YClients adapter (and its sandbox) implement
`SalonBackend` and raise the errors of `states.salon_errors`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, runtime_checkable


@dataclasses.dataclass(frozen=True)
class Company:
    id: int
    title: str
    address: str
    phone: str
    timezone: str  # IANA name, e.g. "Europe/Moscow"
    schedule: str = ""  # the salon's hours in its own words, as YClients holds them


@dataclasses.dataclass(frozen=True)
class Service:
    id: int
    title: str
    price_min: float
    price_max: float
    duration_s: int | None  # [APIB] seance_length comes only with a staff filter
    category: str
    bookable: bool


@dataclasses.dataclass(frozen=True)
class Master:
    id: int
    name: str
    specialization: str
    service_ids: frozenset[int]
    bookable: bool


@dataclasses.dataclass(frozen=True)
class FreeSlot:
    staff_id: int  # 0 when the slot was asked for "any master"
    time: str  # "HH:MM", local, for display
    datetime_iso: str  # exactly as YClients sent it: send it back unchanged [APIB]
    duration_s: int


@dataclasses.dataclass(frozen=True)
class ClientInfo:
    """A client card YClients already holds for a phone (what `find_client` returns)."""

    id: int
    name: str
    phone: str


@dataclasses.dataclass(frozen=True)
class ClientRecord:
    id: int
    staff_id: int
    service_ids: tuple[int, ...]
    datetime: datetime  # aware, salon offset
    attendance: int  # 2 confirmed, 1 arrived, 0 pending, -1 no-show [APIB]
    master_request: int  # 0 = the client chose "any master" [APIB]
    deleted: bool
    api_id: str | None


def _require_int(name: str, value: object) -> None:
    # `bool` is an int subclass; a model once produced staff_id "last" (production log).
    if type(value) is not int:
        raise TypeError(f"{name} must be an int, got {value!r}")


@dataclasses.dataclass(frozen=True)
class Appointment:
    staff_id: int  # 0 = any master [APIB]
    service_ids: tuple[int, ...]
    datetime_iso: str  # a FreeSlot.datetime_iso

    def __post_init__(self) -> None:
        _require_int("staff_id", self.staff_id)
        for service_id in self.service_ids:
            _require_int("service_ids[]", service_id)


@dataclasses.dataclass(frozen=True)
class BookingRequest:
    phone: str  # digits, e.g. "79161234567"
    fullname: str
    appointments: tuple[Appointment, ...]
    api_id: str  # our idempotency key: a booking is looked up by it before a retry
    comment: str = ""
    email: str = ""  # [GEN] the key is required; an empty value is sent when unknown


@dataclasses.dataclass(frozen=True)
class BookedRecord:
    appointment_id: int
    record_id: int
    record_hash: str | None  # None when the booking was found by lookup, not created


@dataclasses.dataclass(frozen=True)
class BookingConfirmation:
    api_id: str
    records: tuple[BookedRecord, ...]
    recovered: bool = False  # True: found by api_id after an unclear outcome

    @property
    def record_id(self) -> int:
        return self.records[0].record_id

    @property
    def record_hash(self) -> str | None:
        return self.records[0].record_hash


@runtime_checkable
class SalonBackend(Protocol):
    """What the dialogue asks of the salon. Errors: `states.salon_errors.SalonError`."""

    async def company(self) -> Company: ...

    async def services(self) -> tuple[Service, ...]: ...

    async def masters(self, service_ids: Sequence[int] | None = None) -> tuple[Master, ...]: ...

    async def free_slots(
        self, staff_id: int, day: date, service_ids: Sequence[int]
    ) -> tuple[FreeSlot, ...]: ...

    async def bookable_dates(
        self, service_ids: Sequence[int], staff_id: int, date_from: date, date_to: date
    ) -> tuple[date, ...]: ...

    async def working_dates(
        self, staff_id: int, date_from: date, date_to: date
    ) -> tuple[date, ...]:
        """Days the master works (book_dates `working_dates`), free time or not."""
        ...

    async def check_booking(self, appointments: Sequence[Appointment]) -> None: ...

    async def book(self, request: BookingRequest) -> BookingConfirmation: ...

    async def find_booking(self, request: BookingRequest) -> BookingConfirmation | None: ...

    async def find_client(self, phone: str) -> ClientInfo | None: ...

    async def client_records(self, client_id: int) -> tuple[ClientRecord, ...]: ...

    async def cancel(self, record_id: int) -> None: ...

    async def reschedule(self, record_id: int, datetime_iso: str) -> ClientRecord: ...

    async def confirm_visit(self, record_id: int) -> ClientRecord:
        """Mark the visit confirmed (attendance 2): the client said "да" to a reminder."""
        ...


def last_master_id(records: Sequence[ClientRecord]) -> int | None:
    """The master of the client's latest attended visit ([APIB] attendance 1 = arrived),
    preferring visits where the client chose the master (master_request = 1); deleted,
    pending and no-show records do not count.
    """
    visits = [r for r in records if not r.deleted and r.attendance == 1 and r.staff_id]
    visits.sort(key=lambda r: r.datetime, reverse=True)
    chosen = [r for r in visits if r.master_request == 1]
    pick = chosen or visits
    return pick[0].staff_id if pick else None
