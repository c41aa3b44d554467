"""`SandboxSalon`: the demo salon's state and schedule, without HTTP.

The schedule is built relative to an injectable clock, in the salon's timezone: working
hours per weekday, a slot grid (`slot_step`), and time taken by client records and busy
slots. A start is free when the whole service fits inside the hours, overlaps nothing and
is not in the past.
"""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from adapters.yclients.sandbox.answers import BRANCH_NOT_FOUND, SandboxFailure
from adapters.yclients.sandbox.fixture import (
    FixtureService,
    FixtureStaff,
    SalonFixture,
    load_fixture,
)

Clock = Callable[[], datetime]
# Told of every change to a record after it is made: ("create" | "update" | "delete",
# the record, the names of the fields that changed). The record webhooks listen here.
RecordListener = Callable[[str, "SandboxRecord", frozenset[str]], None]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass
class SandboxClient:
    id: int
    name: str
    phone: str  # stored as YClients shows it: "+79161234567"
    email: str = ""


@dataclasses.dataclass
class SandboxRecord:
    id: int
    client_id: int
    staff_id: int
    service_ids: tuple[int, ...]
    start: datetime  # aware, salon zone
    length_s: int
    attendance: int = 0
    master_request: int = 1
    deleted: bool = False
    api_id: str | None = None
    comment: str = ""
    record_hash: str = dataclasses.field(default_factory=lambda: secrets.token_hex(6))
    created: datetime | None = None
    changed: datetime | None = None

    def __post_init__(self) -> None:
        # A record nobody has changed yet was last changed when it was made.
        if self.changed is None:
            self.changed = self.created

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.length_s)


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class SandboxSalon:
    """State and rules of the demo salon. Call `reset()` to start over."""

    def __init__(self, fixture: SalonFixture | None = None, clock: Clock = system_clock) -> None:
        self.fixture = fixture or load_fixture()
        self.clock = clock
        # The branch and the tokens it accepts: the fixture's, fixed for the salon's life.
        self.company_id = self.fixture.company_id
        self.partner_token = self.fixture.partner_token
        self.user_token = self.fixture.user_token
        self.tz = self.fixture.timezone
        self.services = {s.id: s for s in self.fixture.services}
        self.staff = {s.id: s for s in self.fixture.staff}
        self.clients: dict[int, SandboxClient] = {}
        self.records: dict[int, SandboxRecord] = {}
        self.busy: list[tuple[int, datetime, datetime]] = []
        self.listeners: list[RecordListener] = []
        self.reset()

    # ---- identity ---------------------------------------------------------------------

    def require_company(self, raw_id: str) -> None:
        if raw_id != str(self.company_id):
            raise SandboxFailure.message(404, BRANCH_NOT_FOUND)

    # ---- time -------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def local(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz)

    def parse_moment(self, text: object) -> datetime | None:
        """ISO 8601 with or without offset; [A.4] a naive value is branch-local time."""
        if not isinstance(text, str):
            return None
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            return None
        return moment.astimezone(self.tz) if moment.tzinfo else moment.replace(tzinfo=self.tz)

    # ---- state ------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the fixture: its clients and records placed relative to today."""
        self._ids = itertools.count(600_000_001)
        self._client_ids = itertools.count(4_250_001)
        self.clients = {}
        self.records = {}
        today = self.today()
        for fc in self.fixture.clients:
            self.clients[fc.id] = SandboxClient(fc.id, fc.name, fc.phone)
            for fr in fc.records:
                self.create_record(
                    client_id=fc.id,
                    staff_id=fr.staff_id,
                    service_ids=fr.services,
                    start=self.local(today + timedelta(days=fr.days), fr.time),
                    attendance=fr.attendance,
                    master_request=fr.master_request,
                )
        self.busy = [
            (b.staff_id, start, start + timedelta(seconds=b.seconds))
            for b in self.fixture.busy
            for start in [self.local(today + timedelta(days=b.days), b.time)]
        ]

    def notify(self, status: str, record: SandboxRecord, changed: frozenset[str]) -> None:
        """A record was created, changed or deleted through the API or by the administrator
        (fixture records placed by `reset` are not news)."""
        for listener in self.listeners:
            listener(status, record, changed)

    def client_by_phone(self, phone: str) -> SandboxClient | None:
        wanted = digits(phone)
        return next((c for c in self.clients.values() if digits(c.phone) == wanted), None)

    def add_client(self, name: str, phone: str, email: str = "") -> SandboxClient:
        client = SandboxClient(next(self._client_ids), name, "+" + digits(phone), email)
        self.clients[client.id] = client
        return client

    def create_record(
        self,
        client_id: int,
        staff_id: int,
        service_ids: Sequence[int],
        start: datetime,
        *,
        attendance: int = 0,
        master_request: int = 1,
        api_id: str | None = None,
        comment: str = "",
    ) -> SandboxRecord:
        record = SandboxRecord(
            id=next(self._ids),
            client_id=client_id,
            staff_id=staff_id,
            service_ids=tuple(service_ids),
            start=start,
            length_s=self.length(service_ids),
            attendance=attendance,
            master_request=master_request,
            api_id=api_id,
            comment=comment,
            created=self.now(),
        )
        self.records[record.id] = record
        return record

    def live_record(self, record_id: int) -> SandboxRecord:
        record = self.records.get(record_id)
        if record is None or record.deleted:
            raise SandboxFailure.message(404, "Запись не найдена.")
        return record

    # ---- schedule ---------------------------------------------------------------------

    def length(self, service_ids: Sequence[int]) -> int:
        known = [self.services[s].seance_length for s in service_ids if s in self.services]
        return sum(known) if known else self.fixture.slot_step

    def does(self, staff: FixtureStaff, service_ids: Sequence[int]) -> bool:
        return all(s in staff.services for s in service_ids)

    def active(self, service_ids: Sequence[int]) -> bool:
        found: list[FixtureService | None] = [self.services.get(s) for s in service_ids]
        return all(s is not None and s.active for s in found)

    def staff_for(self, service_ids: Sequence[int]) -> list[FixtureStaff]:
        return [s for s in self.fixture.staff if self.does(s, service_ids)]

    def occupied(
        self, staff_id: int, exclude: int | None = None
    ) -> list[tuple[datetime, datetime]]:
        taken = [
            (r.start, r.end)
            for r in self.records.values()
            if r.staff_id == staff_id and not r.deleted and r.id != exclude
        ]
        return taken + [(a, b) for sid, a, b in self.busy if sid == staff_id]

    def hours(self, staff: FixtureStaff, day: date) -> tuple[datetime, datetime] | None:
        span = staff.hours.get(day.isoweekday())
        return (self.local(day, span[0]), self.local(day, span[1])) if span else None

    def fits(
        self, staff: FixtureStaff, start: datetime, length_s: int, exclude: int | None = None
    ) -> bool:
        """Inside the hours, not in the past, overlapping no record or busy slot."""
        span = self.hours(staff, start.astimezone(self.tz).date())
        end = start + timedelta(seconds=length_s)
        if span is None or start < span[0] or end > span[1] or start < self.now():
            return False
        return all(not (start < b and a < end) for a, b in self.occupied(staff.id, exclude))

    def free_starts(self, staff_id: int, day: date, service_ids: Sequence[int]) -> list[datetime]:
        """[APIB] book_times: starts on the slot grid where the whole visit fits;
        `staff_id` 0 means any master who does every service."""
        if not self.active(service_ids):
            return []
        if staff_id == 0:
            candidates = self.staff_for(service_ids)
        else:
            one = self.staff.get(staff_id)
            candidates = [one] if one is not None and self.does(one, service_ids) else []
        length = self.length(service_ids)
        step = timedelta(seconds=self.fixture.slot_step)
        starts: set[datetime] = set()
        for staff in candidates:
            span = self.hours(staff, day)
            moment = span[0] if span else None
            while span and moment and moment + timedelta(seconds=length) <= span[1]:
                if self.fits(staff, moment, length):
                    starts.add(moment)
                moment += step
        return sorted(starts)

    def working_dates(self, staff_id: int, days: Sequence[date]) -> list[date]:
        staff = [self.staff[staff_id]] if staff_id in self.staff else list(self.fixture.staff)
        return [d for d in days if any(s.hours.get(d.isoweekday()) for s in staff)]
