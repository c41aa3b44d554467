"""pydantic models of the YClients requests and answers we use (the booking subset).

Answers are parsed leniently (lax mode: [APIB] examples send numbers as strings, e.g.
`"id": "16"`; unknown fields are ignored). Requests are strict: an appointment's
`staff_id` is a `StrictInt`, so `"last"` (seen in the production log) cannot be sent.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CompanyModel(_Answer):
    id: int
    title: str = ""
    city: str = ""
    address: str = ""
    phone: str = ""
    # [GEN] timezone_name (IANA); [APIB] 2020 `timezone` as a name; [GEN d.py] as hours.
    timezone_name: str | None = None
    timezone: str | float | None = None
    # The branch's hours as the salon typed them in YClients ("Пн-Пт 10:00-21:00").
    schedule: str = ""

    @field_validator("schedule", "address", "phone", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class ServiceModel(_Answer):
    id: int
    title: str
    category_id: int = 0
    price_min: float = 0
    price_max: float = 0
    active: bool = True
    seance_length: int | None = None  # [APIB] only with a staff filter


class CategoryModel(_Answer):
    id: int
    title: str = ""


class BookServicesModel(_Answer):
    services: list[ServiceModel] = Field(default_factory=list)
    # [APIB] example and [GEN] say `category`; the [APIB] prose table says `categories`.
    category: list[CategoryModel] = Field(default_factory=list)
    categories: list[CategoryModel] = Field(default_factory=list)


def empty_as_none(value: Any) -> Any:
    """[APIB] an absent object may come as `[]` (PHP's empty array), e.g. `position`."""
    return None if value in ([], {}, "") else value


class PositionModel(_Answer):
    id: int = 0
    title: str = ""


class StaffModel(_Answer):
    id: int
    name: str
    specialization: str = ""
    bookable: bool = True
    position: PositionModel | None = None  # [APIB] an object, or `[]`

    @field_validator("specialization", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("position", mode="before")
    @classmethod
    def _position(cls, value: Any) -> Any:
        return empty_as_none(value)


class BookDatesModel(_Answer):
    booking_dates: list[str] = Field(default_factory=list)
    working_dates: list[str] = Field(default_factory=list)


class SeanceModel(_Answer):
    time: str
    seance_length: int
    datetime: str  # kept as sent: it goes back unchanged in book_record [APIB]


class StaffSeancesModel(_Answer):
    seance_date: str = ""
    seances: list[SeanceModel] = Field(default_factory=list)


class BookedModel(_Answer):
    id: int
    record_id: int
    record_hash: str = ""


class ClientModel(_Answer):
    id: int
    name: str = ""
    phone: str = ""
    email: str | None = None


class RecordStaffModel(_Answer):
    id: int
    name: str = ""
    position: PositionModel | None = None  # [APIB] an object, or `[]`

    @field_validator("position", mode="before")
    @classmethod
    def _position(cls, value: Any) -> Any:
        return empty_as_none(value)


class RecordServiceModel(_Answer):
    id: int
    title: str = ""
    cost: float = 0
    first_cost: float | None = None
    discount: float = 0


class RecordModel(_Answer):
    id: int
    staff_id: int = 0
    staff: RecordStaffModel | None = None  # the reschedule answer has `staff{}` only [APIB]
    services: list[RecordServiceModel] = Field(default_factory=list)
    client: ClientModel | None = None
    datetime: str = ""  # ISO with offset
    date: str = ""  # local, no zone: "2019-01-16 16:00:00" [APIB]
    seance_length: int = 0
    attendance: int = 0
    deleted: bool = False
    master_request: int = 1
    api_id: str | None = None
    comment: str = ""
    last_change_date: str | None = None  # [A.4] offset without a colon: "+0300"

    @field_validator("client", "staff", mode="before")
    @classmethod
    def _empty_client_is_none(cls, value: Any) -> Any:
        return None if value in ([], {}) else value

    @field_validator("api_id", mode="before")
    @classmethod
    def _api_id_as_text(cls, value: Any) -> Any:
        # [APIB] sent and echoed as a string; some tables and [GEN] say number: read both.
        return None if value in (None, "") else str(value)

    @field_validator("comment", mode="before")
    @classmethod
    def _none_comment(cls, value: Any) -> Any:
        return "" if value is None else value


# ---- requests -------------------------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppointmentPayload(_Request):
    """One `appointments[]` item of book_check / book_record [APIB; GEN]."""

    id: StrictInt
    services: list[StrictInt]
    staff_id: StrictInt  # 0 = any master; never a word like "last"
    datetime: StrictStr


class BookRecordPayload(_Request):
    phone: StrictStr
    fullname: StrictStr
    # [GEN] the current spec requires the key; [APIB] says optional. Always send it.
    email: StrictStr = ""
    comment: StrictStr = ""
    api_id: StrictStr
    notify_by_sms: StrictInt = 0
    appointments: list[AppointmentPayload]
