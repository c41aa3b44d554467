"""`SalonBackend` on top of the raw YClients client: pydantic in, plain dataclasses out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.yclients.client import YClientsClient
from adapters.yclients.models import (
    AppointmentPayload,
    BookedModel,
    BookRecordPayload,
    CompanyModel,
    RecordModel,
)
from adapters.yclients.record_edit import CONFIRMED, attendance_body
from adapters.yclients.record_webhook import change_from_record
from states.record_change import RecordChange
from states.salon import (
    Appointment,
    BookedRecord,
    BookingConfirmation,
    BookingRequest,
    ClientInfo,
    ClientRecord,
    Company,
    FreeSlot,
    Master,
    Service,
)
from states.salon_errors import (
    BookingOutcomeUnknown,
    SalonError,
    SalonNotFound,
    ScheduleUnavailable,
    SlotTaken,
)

log = logging.getLogger(__name__)


def timezone_of(company: CompanyModel, default: str = "Europe/Moscow") -> str:
    """[A.4] `timezone_name` if present, else `timezone` as a name or an hours offset."""
    candidates: list[str] = []
    if company.timezone_name:
        candidates.append(company.timezone_name)
    if isinstance(company.timezone, str) and company.timezone:
        candidates.append(company.timezone)
    elif isinstance(company.timezone, float | int) and float(company.timezone).is_integer():
        hours = int(company.timezone)
        # POSIX Etc zones have the sign inverted: UTC+3 is "Etc/GMT-3".
        candidates.append("Etc/GMT" + (f"{-hours:+d}" if hours else ""))
    for name in candidates:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return default


def _payloads(appointments: Sequence[Appointment]) -> list[AppointmentPayload]:
    return [
        AppointmentPayload(
            id=i, services=list(a.service_ids), staff_id=a.staff_id, datetime=a.datetime_iso
        )
        for i, a in enumerate(appointments, start=1)
    ]


class YClientsBackend:
    """The dialogue's view of one YClients branch."""

    def __init__(
        self,
        client: YClientsClient,
        *,
        default_timezone: str = "Europe/Moscow",
        today: Callable[[], date] = date.today,
        history_days: int = 730,
    ) -> None:
        self.client = client
        self._timezone = ZoneInfo(default_timezone)
        self._default_timezone = default_timezone
        self._today = today
        self.history_days = history_days

    def __repr__(self) -> str:
        return f"YClientsBackend({self.client!r})"

    async def company(self) -> Company:
        model = await self.client.company()
        timezone = timezone_of(model, self._default_timezone)
        self._timezone = ZoneInfo(timezone)
        return Company(
            model.id, model.title, model.address, model.phone, timezone, model.schedule.strip()
        )

    async def services(self) -> tuple[Service, ...]:
        catalogue = await self.client.book_services()
        titles = {c.id: c.title for c in [*catalogue.category, *catalogue.categories]}
        lengths = await self._seance_lengths()
        return tuple(
            Service(
                id=s.id,
                title=s.title,
                price_min=s.price_min,
                price_max=s.price_max,
                duration_s=s.seance_length or lengths.get(s.id),
                category=titles.get(s.category_id, ""),
                bookable=s.active,
            )
            for s in catalogue.services
        )

    async def _seance_lengths(self) -> dict[int, int]:
        """[APIB] `seance_length` comes only with a staff filter: take each service's from
        the first master who does it (the same cached calls `masters` makes)."""
        staff = await self.client.book_staff(())
        catalogues = await asyncio.gather(*(self.client.book_services(s.id) for s in staff))
        lengths: dict[int, int] = {}
        for catalogue in catalogues:
            for s in catalogue.services:
                if s.seance_length:
                    lengths.setdefault(s.id, s.seance_length)
        return lengths

    async def masters(self, service_ids: Sequence[int] | None = None) -> tuple[Master, ...]:
        staff = await self.client.book_staff(service_ids or ())
        # book_staff does not list a master's services; book_services?staff_id does [APIB].
        # Both are cached, so a dialogue turn pays for this once a minute at most.
        catalogues = await asyncio.gather(*(self.client.book_services(s.id) for s in staff))
        return tuple(
            Master(
                id=s.id,
                name=s.name,
                specialization=s.specialization,
                service_ids=frozenset(x.id for x in catalogue.services),
                bookable=s.bookable,
            )
            for s, catalogue in zip(staff, catalogues, strict=True)
        )

    async def free_slots(
        self, staff_id: int, day: date, service_ids: Sequence[int]
    ) -> tuple[FreeSlot, ...]:
        seances = await self.client.book_times(staff_id, day, service_ids)
        return tuple(FreeSlot(staff_id, s.time, s.datetime, s.seance_length) for s in seances)

    async def bookable_dates(
        self, service_ids: Sequence[int], staff_id: int, date_from: date, date_to: date
    ) -> tuple[date, ...]:
        answer = await self.client.book_dates(service_ids, staff_id, date_from, date_to)
        days = sorted({date.fromisoformat(d[:10]) for d in answer.booking_dates})
        return tuple(d for d in days if date_from <= d <= date_to)

    async def working_dates(
        self, staff_id: int, date_from: date, date_to: date
    ) -> tuple[date, ...]:
        answer = await self.client.book_dates((), staff_id, date_from, date_to)
        days = sorted({date.fromisoformat(d[:10]) for d in answer.working_dates})
        return tuple(d for d in days if date_from <= d <= date_to)

    async def check_booking(self, appointments: Sequence[Appointment]) -> None:
        await self.client.book_check(_payloads(appointments))

    def _payload(self, request: BookingRequest) -> BookRecordPayload:
        return BookRecordPayload(
            phone=request.phone,
            fullname=request.fullname,
            email=request.email,
            comment=request.comment,
            api_id=request.api_id,
            appointments=_payloads(request.appointments),
        )

    async def book(self, request: BookingRequest) -> BookingConfirmation:
        """Create the booking once. `book_record` is not idempotent ([RUBY] never retries
        POST): after an unclear outcome (timeout, 5xx) the booking is looked up by its
        `api_id` in the client's records before it is sent again."""
        payload = self._payload(request)
        unclear: ScheduleUnavailable | None = None
        for _ in range(2):
            try:
                booked = await self.client.book_record(payload)
            except SlotTaken:
                # Sent twice (a turn replayed after a crash)? The slot is then taken by
                # this very booking: answer with it instead of "slot taken".
                found = await self._find_quietly(request)
                if found is None:
                    raise
                return found
            except ScheduleUnavailable as exc:
                if exc.status == 429:
                    raise  # refused before it was processed: clear, nothing was created
                unclear = exc
                log.warning(
                    "book_record api_id=%s unclear (%s); looking it up", request.api_id, exc.message
                )
                found = await self._lookup_after(request, exc)
                if found is not None:
                    return found
                continue
            return BookingConfirmation(request.api_id, _booked(booked))
        raise BookingOutcomeUnknown(
            f"book_record api_id={request.api_id}: no clear answer twice, none found",
            status=unclear.status if unclear else None,
        )

    async def _lookup_after(
        self, request: BookingRequest, cause: SalonError
    ) -> BookingConfirmation | None:
        try:
            return await self.find_booking(request)
        except SalonError as exc:
            raise BookingOutcomeUnknown(
                f"book_record api_id={request.api_id}: outcome unclear ({cause.message}) "
                f"and the lookup failed ({exc.message})",
                status=cause.status,
            ) from exc

    async def _find_quietly(self, request: BookingRequest) -> BookingConfirmation | None:
        try:
            return await self.find_booking(request)
        except SalonError:
            return None

    async def find_booking(self, request: BookingRequest) -> BookingConfirmation | None:
        """The records created for `request.api_id`, or None (needs the user token)."""
        days = [self._parse(a.datetime_iso).date() for a in request.appointments]
        matches: list[RecordModel] = []
        for client in await self.client.search_clients(request.phone):
            records = await self.client.records(
                client_id=client.id, start_date=min(days), end_date=max(days)
            )
            matches += [r for r in records if r.api_id == request.api_id and not r.deleted]
        if not matches:
            return None
        matches.sort(key=lambda r: self._when(r))
        booked = tuple(BookedRecord(i, r.id, None) for i, r in enumerate(matches, start=1))
        return BookingConfirmation(request.api_id, booked, recovered=True)

    async def find_client(self, phone: str) -> ClientInfo | None:
        found = await self.client.search_clients(phone)
        return ClientInfo(found[0].id, found[0].name, found[0].phone) if found else None

    async def client_records(self, client_id: int) -> tuple[ClientRecord, ...]:
        today = self._today()
        records = await self.client.records(
            client_id=client_id,
            start_date=today - timedelta(days=self.history_days),
            end_date=today + timedelta(days=365),
        )
        return tuple(sorted((self._record(r) for r in records), key=lambda r: r.datetime))

    async def cancel(self, record_id: int) -> None:
        await self.client.delete_record(record_id)

    async def reschedule(self, record_id: int, datetime_iso: str) -> ClientRecord:
        return self._record(await self.client.reschedule(record_id, datetime_iso))

    async def confirm_visit(self, record_id: int) -> ClientRecord:
        """Mark the visit confirmed (attendance 2), as a client's "да" to a reminder does
        (needs the user token). The record is read and sent back whole: the edit call
        requires every field; only the attendance changes."""
        record = await self.client.record(record_id)
        if record.deleted:
            raise SalonNotFound(f"record {record_id} is deleted", status=404)
        body = attendance_body(record, CONFIRMED)
        return self._record(await self.client.update_record(record_id, body))

    async def record_change(self, record_id: int) -> RecordChange | None:
        """The record as an event (`states.record_change.RecordReader`); None when YClients
        has no such record. Needs the user token, like `GET /record`."""
        try:
            record = await self.client.record(record_id)
        except SalonNotFound:
            return None
        return change_from_record(record)

    def _parse(self, text: str) -> datetime:
        # [A.4] naive values are branch-local time.
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=self._timezone)

    def _when(self, record: RecordModel) -> datetime:
        return self._parse(record.datetime or record.date)

    def _record(self, record: RecordModel) -> ClientRecord:
        staff_id = record.staff_id or (record.staff.id if record.staff else 0)
        return ClientRecord(
            id=record.id,
            staff_id=staff_id,
            service_ids=tuple(s.id for s in record.services),
            datetime=self._when(record),
            attendance=record.attendance,
            master_request=record.master_request,
            deleted=record.deleted,
            api_id=record.api_id,
        )


def _booked(booked: list[BookedModel]) -> tuple[BookedRecord, ...]:
    return tuple(BookedRecord(b.id, b.record_id, b.record_hash or None) for b in booked)
