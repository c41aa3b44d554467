"""A SalonBackend that notes every call and its outcome, for the turn's trace."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from engine.fencing import Fence
from engine.visit import Visit
from engine.visit_tracking import TurnVisits
from states.salon import (
    Appointment,
    BookingConfirmation,
    BookingRequest,
    ClientInfo,
    ClientRecord,
    Company,
    FreeSlot,
    Master,
    SalonBackend,
    Service,
)
from states.salon_errors import SalonError

T = TypeVar("T")


class RecordingBackend:
    """`fence`, when given, is checked right before each YClients write (book, cancel,
    reschedule, confirm_visit), and stops it when the turn's claim is lost (ClaimLost,
    `engine.fencing`)."""

    def __init__(
        self,
        inner: SalonBackend,
        fence: Fence | None = None,
        visits: TurnVisits | None = None,
    ) -> None:
        self.inner = inner
        self.fence = fence
        # The record log and the reminders learn of each write (issue 16).
        self.visits = visits
        self.calls: list[dict[str, Any]] = []

    async def _write(
        self, name: str, run: Callable[[], Awaitable[T]], fenced: bool = False, **detail: Any
    ) -> T:
        """`fenced`: the fence was checked in the last round trip already (`_expect`)."""
        if self.fence is not None and not fenced:
            await self.fence.check()
        return await self._call(name, run, **detail)

    async def _call(self, name: str, run: Callable[[], Awaitable[T]], **detail: Any) -> T:
        started = time.perf_counter()
        entry: dict[str, Any] = {"call": name, **detail}
        try:
            result = await run()
        except SalonError as error:
            entry.update(ok=False, error=type(error).__name__, status=error.status, code=error.code)
            raise
        else:
            entry["ok"] = True
            return result
        finally:
            entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
            self.calls.append(entry)

    async def company(self) -> Company:
        return await self.inner.company()  # cached catalogue reads are not worth a trace line

    async def services(self) -> tuple[Service, ...]:
        return await self.inner.services()

    async def masters(self, service_ids: Sequence[int] | None = None) -> tuple[Master, ...]:
        return await self.inner.masters(service_ids)

    async def free_slots(
        self, staff_id: int, day: date, service_ids: Sequence[int]
    ) -> tuple[FreeSlot, ...]:
        return await self._call(
            "book_times",
            lambda: self.inner.free_slots(staff_id, day, service_ids),
            staff_id=staff_id,
            date=day.isoformat(),
            service_ids=list(service_ids),
        )

    async def bookable_dates(
        self, service_ids: Sequence[int], staff_id: int, date_from: date, date_to: date
    ) -> tuple[date, ...]:
        return await self._call(
            "book_dates",
            lambda: self.inner.bookable_dates(service_ids, staff_id, date_from, date_to),
            staff_id=staff_id,
        )

    async def working_dates(
        self, staff_id: int, date_from: date, date_to: date
    ) -> tuple[date, ...]:
        return await self._call(
            "book_dates",
            lambda: self.inner.working_dates(staff_id, date_from, date_to),
            staff_id=staff_id,
            working=True,
        )

    async def check_booking(self, appointments: Sequence[Appointment]) -> None:
        await self._call("book_check", lambda: self.inner.check_booking(appointments))

    async def book(self, request: BookingRequest) -> BookingConfirmation:
        appointment = request.appointments[0]
        confirmation = await self._write(
            "book_record",
            lambda: self.inner.book(request),
            staff_id=appointment.staff_id,
            datetime=appointment.datetime_iso,
            api_id=request.api_id,
        )
        if self.visits is not None:
            await self.visits.booked(request, confirmation)
        return confirmation

    async def find_booking(self, request: BookingRequest) -> BookingConfirmation | None:
        found = await self._call("find_booking", lambda: self.inner.find_booking(request))
        if found is not None and self.visits is not None:
            await self.visits.booked(request, found)  # a retried turn: the same booking
        return found

    async def find_client(self, phone: str) -> ClientInfo | None:
        return await self._call("clients_search", lambda: self.inner.find_client(phone))

    async def client_records(self, client_id: int) -> tuple[ClientRecord, ...]:
        return await self._call("records", lambda: self.inner.client_records(client_id))

    async def cancel(self, record_id: int) -> None:
        target = await self._expect(record_id, deleted=True)
        await self._write(
            "delete_record",
            lambda: self.inner.cancel(record_id),
            fenced=target is not None,
            record_id=record_id,
        )
        if self.visits is not None:
            await self.visits.changed(target)

    async def reschedule(self, record_id: int, datetime_iso: str) -> ClientRecord:
        target = await self._expect(record_id, start=datetime.fromisoformat(datetime_iso))
        record = await self._write(
            "reschedule",
            lambda: self.inner.reschedule(record_id, datetime_iso),
            fenced=target is not None,
            record_id=record_id,
            datetime=datetime_iso,
        )
        if self.visits is not None:
            await self.visits.changed(target, start=record.datetime)
        return record

    async def confirm_visit(self, record_id: int) -> ClientRecord:
        target = await self._expect(record_id, attendance=2)
        record = await self._write(
            "confirm_visit",
            lambda: self.inner.confirm_visit(record_id),
            fenced=target is not None,
            record_id=record_id,
        )
        if self.visits is not None:
            await self.visits.changed(target)
        return record

    async def _expect(self, record_id: int, **change: Any) -> Visit | None:
        """Announce the change (`TurnVisits.changing`, which checks the fence with the
        log's read and with the announcement: a target returned means the fence was the
        last round trip, and the write follows at once)."""
        if self.visits is None:
            return None
        return await self.visits.changing(record_id, fence=self.fence, **change)
