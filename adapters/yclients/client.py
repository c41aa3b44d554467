"""The raw YClients client: one typed method per endpoint of the booking subset.

Paths, query names and bodies follow the reference (A.5). Array parameters go PHP-style,
`service_ids[]=1&service_ids[]=2` ([CMZ] and production clients).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from cachetools import TTLCache
from pydantic import TypeAdapter, ValidationError

from adapters.yclients.limiter import Monotonic
from adapters.yclients.models import (
    AppointmentPayload,
    BookDatesModel,
    BookedModel,
    BookRecordPayload,
    BookServicesModel,
    ClientModel,
    CompanyModel,
    RecordModel,
    SeanceModel,
    StaffModel,
    StaffSeancesModel,
)
from adapters.yclients.transport import Query, Transport
from states.salon_errors import ScheduleUnavailable

API = "/api/v1"
CATALOGUE_ENTRIES = 256  # distinct catalogue reads cached at once (a few per salon)
_staff_list = TypeAdapter(list[StaffModel])
_seances = TypeAdapter(list[SeanceModel])
_booked = TypeAdapter(list[BookedModel])
_clients = TypeAdapter(list[ClientModel])
_records = TypeAdapter(list[RecordModel])
_record = TypeAdapter(RecordModel)
_company = TypeAdapter(CompanyModel)
_services = TypeAdapter(BookServicesModel)
_dates = TypeAdapter(BookDatesModel)
_staff_seances = TypeAdapter(StaffSeancesModel)

T = TypeVar("T")


def _parse(schema: TypeAdapter[T], data: Any, what: str) -> T:
    """A 2xx body that is not what YClients documents is as useless as a 5xx: the dialogue
    answers "could not reach the schedule", and `book` looks its booking up by api_id."""
    try:
        return schema.validate_python(data)
    except ValidationError as exc:
        raise ScheduleUnavailable(
            f"YClients answered {what} with an unexpected body ({exc.error_count()} errors)"
        ) from exc


def digits(phone: str) -> str:
    """Stored phones may look like "+79112345678" [APIB]: compare digits only."""
    return "".join(ch for ch in phone if ch.isdigit())


def _int_arg(name: str, value: object) -> int:
    if type(value) is not int:  # a path segment in the wrong place gave 404 in production
        raise TypeError(f"{name} must be an int, got {value!r}")
    return value


def _ids(name: str, ids: Sequence[int]) -> list[tuple[str, str]]:
    return [(f"{name}[]", str(_int_arg(name, i))) for i in ids]


def _given(**params: int | date | None) -> list[tuple[str, str]]:
    """Query pairs for the optional parameters given, in order (None: left out): ids
    checked as ints, days as ISO dates."""
    return [
        (name, value.isoformat() if isinstance(value, date) else str(_int_arg(name, value)))
        for name, value in params.items()
        if value is not None
    ]


class YClientsClient:
    """Typed calls for one branch (`company_id`). Catalogue reads are cached `catalogue_ttl_s`."""

    def __init__(
        self,
        transport: Transport,
        company_id: int,
        *,
        catalogue_ttl_s: float = 60.0,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.transport = transport
        self.company_id = _int_arg("company_id", company_id)
        # The catalogue (services, masters, company) changes rarely: read it once a minute.
        self._catalogue: TTLCache[tuple[str, tuple[tuple[str, str], ...]], Any] = TTLCache(
            maxsize=CATALOGUE_ENTRIES, ttl=catalogue_ttl_s, timer=clock
        )

    def __repr__(self) -> str:
        return f"YClientsClient(company_id={self.company_id}, {self.transport!r})"

    async def close(self) -> None:
        await self.transport.close()

    async def __aenter__(self) -> YClientsClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _cached_get(self, path: str, query: Query) -> Any:
        key = (path, tuple(query))
        cached = self._catalogue.get(key)
        if cached is not None:
            return cached
        data = (await self.transport.call("GET", path, query=query)).data
        self._catalogue[key] = data
        return data

    # ---- partner-token endpoints [APIB] ------------------------------------------

    async def company(self) -> CompanyModel:
        # Cached with the catalogue: the branch's name and zone do not change mid-dialogue.
        data = await self._cached_get(f"{API}/company/{self.company_id}", ())
        return _parse(_company, data, "company")

    async def book_services(
        self, staff_id: int | None = None, service_ids: Sequence[int] = ()
    ) -> BookServicesModel:
        query = _ids("service_ids", service_ids)
        if staff_id is not None:
            query.insert(0, ("staff_id", str(_int_arg("staff_id", staff_id))))
        data = await self._cached_get(f"{API}/book_services/{self.company_id}", query)
        return _parse(_services, data or {}, "book_services")

    async def book_staff(self, service_ids: Sequence[int] = ()) -> list[StaffModel]:
        data = await self._cached_get(
            f"{API}/book_staff/{self.company_id}", _ids("service_ids", service_ids)
        )
        return _parse(_staff_list, data or [], "book_staff")

    async def book_dates(
        self,
        service_ids: Sequence[int] = (),
        staff_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> BookDatesModel:
        query = _ids("service_ids", service_ids)
        query += _given(staff_id=staff_id, date_from=date_from, date_to=date_to)
        answer = await self.transport.call(
            "GET", f"{API}/book_dates/{self.company_id}", query=query
        )
        return _parse(_dates, answer.data or {}, "book_dates")

    async def book_times(
        self, staff_id: int, day: date, service_ids: Sequence[int]
    ) -> list[SeanceModel]:
        # Production bug: parameters in the wrong order reached YClients as another
        # branch id (404 "Филиал не найден."). Company, staff, date go in the path in this
        # order; the services go in the query [APIB].
        path = (
            f"{API}/book_times/{self.company_id}/{_int_arg('staff_id', staff_id)}/{day.isoformat()}"
        )
        answer = await self.transport.call("GET", path, query=_ids("service_ids", service_ids))
        return _parse(_seances, answer.data or [], "book_times")

    async def book_staff_seances(
        self, staff_id: int, service_ids: Sequence[int] = ()
    ) -> StaffSeancesModel:
        # [APIB] the path ends with a slash.
        path = f"{API}/book_staff_seances/{self.company_id}/{_int_arg('staff_id', staff_id)}/"
        answer = await self.transport.call("GET", path, query=_ids("service_ids", service_ids))
        return _parse(_staff_seances, answer.data or {}, "book_staff_seances")

    async def book_check(self, appointments: Sequence[AppointmentPayload]) -> None:
        """[APIB] 201 with an empty body when bookable, else codes 433/436/437/438."""
        body = {"appointments": [a.model_dump() for a in appointments]}
        # A check changes nothing, so a retry after a timeout is safe.
        await self.transport.call(
            "POST", f"{API}/book_check/{self.company_id}", json_body=body, retryable=True
        )

    async def book_record(self, payload: BookRecordPayload) -> list[BookedModel]:
        """Creates records; never retried here: see `YClientsBackend.book`."""
        answer = await self.transport.call(
            "POST",
            f"{API}/book_record/{self.company_id}",
            json_body=payload.model_dump(),
            retryable=False,
        )
        return _parse(_booked, answer.data or [], "book_record")

    # ---- partner + user token endpoints [APIB] -----------------------------------

    async def reschedule(
        self, record_id: int, datetime_iso: str, comment: str | None = None
    ) -> RecordModel:
        body: dict[str, Any] = {"datetime": datetime_iso}
        if comment is not None:
            body["comment"] = comment
        path = f"{API}/book_record/{self.company_id}/{_int_arg('record_id', record_id)}"
        answer = await self.transport.call("PUT", path, json_body=body, user=True)
        return _parse(_record, answer.data, "book_record (reschedule)")

    async def search_clients(self, phone: str, page_size: int = 25) -> list[ClientModel]:
        """Clients whose phone equals `phone` (digits compared). [APIB] this is a POST."""
        body = {
            "page": 1,
            "page_size": page_size,
            "fields": ["id", "name", "phone"],
            "operation": "AND",
            "filters": [{"type": "quick_search", "state": {"value": digits(phone)}}],
        }
        answer = await self.transport.call(
            "POST",
            f"{API}/company/{self.company_id}/clients/search",
            json_body=body,
            user=True,
            retryable=True,
        )
        found = _parse(_clients, answer.data or [], "clients/search")
        # quick_search also matches names and cards: keep exact phone matches only.
        return [c for c in found if digits(c.phone) == digits(phone)]

    async def records(
        self,
        *,
        client_id: int | None = None,
        staff_id: int | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        with_deleted: bool = False,
        page_size: int = 100,
        max_pages: int = 20,
    ) -> list[RecordModel]:
        """All pages of `GET /records`. [RUBY] `total_count` may be per page, so a short
        page is what ends the loop."""
        query = [("count", str(page_size))]
        query += _given(
            client_id=client_id, staff_id=staff_id, start_date=start_date, end_date=end_date
        )
        if with_deleted:
            query.append(("with_deleted", "1"))
        found: list[RecordModel] = []
        for page in range(1, max_pages + 1):
            answer = await self.transport.call(
                "GET",
                f"{API}/records/{self.company_id}",
                query=[("page", str(page)), *query],
                user=True,
            )
            batch = _parse(_records, answer.data or [], "records")
            found.extend(batch)
            if len(batch) < page_size:
                break
        return found

    async def delete_record(self, record_id: int) -> None:
        """[APIB] 204 with an empty body."""
        path = f"{API}/record/{self.company_id}/{_int_arg('record_id', record_id)}"
        await self.transport.call("DELETE", path, user=True)

    async def record(self, record_id: int) -> RecordModel:
        path = f"{API}/record/{self.company_id}/{_int_arg('record_id', record_id)}"
        answer = await self.transport.call("GET", path, user=True)
        return _parse(_record, answer.data, "record")

    async def update_record(self, record_id: int, body: dict[str, Any]) -> RecordModel:
        """The admin edit [APIB "Изменить запись"]: the whole record goes in the body (see
        `record_edit.attendance_body`). Not retried: a later edit may have landed since."""
        path = f"{API}/record/{self.company_id}/{_int_arg('record_id', record_id)}"
        answer = await self.transport.call("PUT", path, json_body=body, user=True, retryable=False)
        return _parse(_record, answer.data, "record (update)")

    async def delete_user_record(self, record_id: int, record_hash: str) -> None:
        """[APIB] `DELETE /user/records/{record_id}/{record_hash}`: cancels with the hash
        `book_record` returned, without a user token."""
        path = f"{API}/user/records/{_int_arg('record_id', record_id)}/{record_hash}"
        await self.transport.call("DELETE", path, user=self.transport.has_user_token)
