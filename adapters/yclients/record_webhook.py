"""The body of a YClients record webhook, read leniently into a `RecordChange`.

[reference, "YClients → your server webhooks"] `{"company_id", "resource": "record",
"resource_id", "status": "create|update|delete", "data": {…record…}}`; `data` may hold only
the fields that changed ([GEN] `webhooks.py`: every field optional), objects YClients has
not filled come as `[]`, numbers may come as strings, and `api_id` is text (or a number).
Other resources (`client`, `staff`, …) parse but are not records: `change()` is None.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from adapters.yclients.models import RecordModel, empty_as_none
from states.record_change import RecordChange


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Named(_Lenient):
    id: int | None = None
    name: str | None = None
    title: str | None = None


class _Client(_Lenient):
    id: int | None = None
    name: str | None = None
    phone: str | None = None


class RecordData(_Lenient):
    id: int | None = None
    datetime: str | None = None
    date: str | None = None
    staff_id: int | None = None
    staff: _Named | None = None
    services: list[_Named] | None = None
    client: _Client | None = None
    seance_length: int | None = None
    length: int | None = None
    attendance: int | None = None
    visit_attendance: int | None = None
    deleted: bool | None = None
    api_id: str | None = None
    last_change_date: str | None = None

    @field_validator("staff", "client", "services", "datetime", "date", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return empty_as_none(value)

    @field_validator("api_id", mode="before")
    @classmethod
    def _api_id(cls, value: Any) -> Any:
        return None if value in (None, "", 0) else str(value)


class RecordWebhook(_Lenient):
    resource: str
    status: Literal["create", "update", "delete"]
    company_id: int | None = None
    resource_id: int
    data: RecordData = Field(default_factory=RecordData)

    @field_validator("data", mode="before")
    @classmethod
    def _no_data(cls, value: Any) -> Any:
        return {} if value in (None, []) else value

    def change(self) -> RecordChange | None:
        """The event as plain values; None when it is not about a record."""
        if self.resource != "record":
            return None
        d = self.data
        services = d.services
        phone = "".join(ch for ch in (d.client.phone or "") if ch.isdigit()) if d.client else ""
        return RecordChange(
            status=self.status,
            record_id=d.id or self.resource_id,
            company_id=self.company_id,
            start=d.datetime or d.date,
            staff_id=d.staff_id or (d.staff.id if d.staff and d.staff.id else None),
            master=d.staff.name if d.staff else None,
            service_ids=None if services is None else tuple(s.id for s in services if s.id),
            services=None if services is None else tuple(s.title or "" for s in services),
            phone=phone or None,
            client_name=d.client.name if d.client else None,
            length_s=d.seance_length or d.length,
            attendance=d.attendance if d.attendance is not None else d.visit_attendance,
            deleted=True if self.status == "delete" else d.deleted,
            api_id=d.api_id,
            last_change=d.last_change_date,
        )


class WebhookBodyError(ValueError):
    """The body is not a YClients webhook; the message says what is wrong (no values)."""


def parse_record_webhook(raw: bytes | str) -> RecordWebhook:
    try:
        return RecordWebhook.model_validate_json(raw)
    except ValidationError as exc:
        raise WebhookBodyError(_where(exc)) from None


def read_record_webhook(value: object) -> RecordWebhook:
    """A body already parsed as JSON (the route reads it with its depth and number limits)."""
    try:
        return RecordWebhook.model_validate(value)
    except ValidationError as exc:
        raise WebhookBodyError(_where(exc)) from None


def _where(exc: ValidationError) -> str:
    where = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors())
    return f"not a YClients webhook body: {where}"


def change_from_record(
    record: RecordModel, status: Literal["create", "update"] = "update"
) -> RecordChange:
    """A record read with `GET /record` as an event: for a partial webhook about a record we
    never saw (the effect says "incomplete"), or one whose order is in doubt ("unordered")."""
    return RecordChange(
        status="delete" if record.deleted else status,
        record_id=record.id,
        start=record.datetime or record.date or None,
        staff_id=record.staff_id or (record.staff.id if record.staff else None),
        master=record.staff.name if record.staff else None,
        service_ids=tuple(s.id for s in record.services),
        services=tuple(s.title for s in record.services),
        phone="".join(ch for ch in record.client.phone if ch.isdigit()) if record.client else None,
        client_name=record.client.name if record.client else None,
        length_s=record.seance_length or None,
        attendance=record.attendance,
        deleted=record.deleted,
        api_id=record.api_id,
        last_change=record.last_change_date,
        read=True,
    )
