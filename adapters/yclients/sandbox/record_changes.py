"""Changes to records after booking: the admin edit call, the administrator's own hand, and
deletes. Every change is announced to the salon's listeners (the record webhooks).

`PUT /record/{company_id}/{record_id}` [APIB "Изменить запись"] requires `staff_id`,
`services`, `client`, `datetime`, `seance_length`, `save_if_busy` and `send_sms`; it takes
`attendance` (2 confirmed, 1 arrived, 0 pending, -1 no-show), `comment` and `api_id` (a
number in the attribute table, a string in the example: both are accepted and kept as
text, which is how records echo it). The answer is 201 with the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.yclients.sandbox.answers import SandboxFailure
from adapters.yclients.sandbox.salon import SandboxRecord, SandboxSalon, digits

ATTENDANCE = (-1, 0, 1, 2)
REQUIRED = ("staff_id", "services", "client", "datetime", "seance_length", "save_if_busy",
            "send_sms")  # fmt: skip


def _invalid(field: str, text: str) -> SandboxFailure:
    return SandboxFailure.message(422, "Ошибка валидации", {field: [text]})


def _int(value: Any) -> bool:
    return type(value) is int


def _staff(salon: SandboxSalon, staff_id: Any) -> int:
    if not _int(staff_id) or staff_id not in salon.staff:
        raise SandboxFailure.message(
            404, f"Сотрудник с ID {staff_id} не найден в филиале {salon.company_id}."
        )
    return int(staff_id)


def _services(salon: SandboxSalon, services: Any) -> tuple[int, ...]:
    # [APIB] the admin edit sends [{id, first_cost, discount, cost}]; plain ids are read too.
    ids: list[Any] = [s.get("id") if isinstance(s, dict) else s for s in services or []]
    if not ids or not all(_int(i) and i in salon.services for i in ids):
        raise _invalid("services", "Неизвестная услуга")
    return tuple(ids)


def _moment(salon: SandboxSalon, text: Any) -> datetime:
    moment = salon.parse_moment(text)
    if moment is None:
        raise _invalid("datetime", "Не указано или неверно время записи")
    return moment


def _attendance(value: Any) -> int:
    if not _int(value) or value not in ATTENDANCE:
        raise _invalid("attendance", "Допустимые значения: -1, 0, 1, 2")
    return int(value)


def edit(
    salon: SandboxSalon,
    record: SandboxRecord,
    *,
    start: datetime | None = None,
    staff_id: int | None = None,
    service_ids: Sequence[int] | None = None,
    length_s: int | None = None,
    attendance: int | None = None,
    comment: str | None = None,
    api_id: str | None = None,
) -> SandboxRecord:
    """Apply a change and announce it ("update", even when nothing differs: YClients
    sends one for every save)."""
    wanted: dict[str, Any] = {
        "start": start,
        "staff_id": staff_id,
        "service_ids": None if service_ids is None else tuple(service_ids),
        "length_s": length_s,
        "attendance": attendance,
        "comment": comment,
        "api_id": api_id,
    }
    changed = set()
    for name, value in wanted.items():
        if value is not None and getattr(record, name) != value:
            setattr(record, name, value)
            changed.add(name)
    if service_ids is not None and length_s is None and "service_ids" in changed:
        record.length_s = salon.length(record.service_ids)
    record.changed = salon.now()
    salon.notify("update", record, frozenset(changed))
    return record


def delete(salon: SandboxSalon, record: SandboxRecord) -> None:
    record.deleted = True  # frees the slot: deleted records occupy no time
    record.changed = salon.now()
    salon.notify("delete", record, frozenset({"deleted"}))


def admin_edit_call(salon: SandboxSalon, record: SandboxRecord, body: Any) -> SandboxRecord:
    """`PUT /record/{company_id}/{record_id}` with its required fields checked."""
    if not isinstance(body, dict):
        raise SandboxFailure.message(400, "Тело запроса должно быть JSON-объектом")
    missing = [f for f in REQUIRED if f not in body]
    if missing:
        raise SandboxFailure.message(
            422, "Ошибка валидации", {f: ["Обязательное поле"] for f in missing}
        )
    staff_id = _staff(salon, body["staff_id"])
    services = _services(salon, body["services"])
    start = _moment(salon, body["datetime"])
    length = body["seance_length"]
    if not _int(length) or length <= 0:
        raise _invalid("seance_length", "Должно быть положительным числом секунд")
    busy = not salon.fits(salon.staff[staff_id], start, length, exclude=record.id)
    if busy and body["save_if_busy"] is not True and start != record.start:
        raise SandboxFailure.booking(433, "Выбранное время уже занято")
    api_id = body.get("api_id")
    return edit(
        salon,
        record,
        start=start,
        staff_id=staff_id,
        service_ids=services,
        length_s=length,
        attendance=_attendance(body["attendance"]) if "attendance" in body else None,
        comment=body["comment"] if isinstance(body.get("comment"), str) else None,
        api_id=None if api_id in (None, "") else str(api_id),
    )


def admin_create(salon: SandboxSalon, body: Any) -> SandboxRecord:
    """The administrator books a visit in the YClients interface (no api_id, not online)."""
    if not isinstance(body, dict):
        raise SandboxFailure.message(400, "Тело запроса должно быть JSON-объектом")
    phone = digits(str(body.get("phone") or ""))
    if not 10 <= len(phone) <= 15:
        raise _invalid("phone", "Неверный формат номера телефона")
    staff_id = _staff(salon, body.get("staff_id"))
    services = _services(salon, body.get("service_ids"))
    client = salon.client_by_phone(phone) or salon.add_client(
        str(body.get("name") or "Клиент"), phone
    )
    record = salon.create_record(
        client.id, staff_id, services, _moment(salon, body.get("datetime")),
        attendance=_attendance(body.get("attendance", 0)),
    )  # fmt: skip
    salon.notify("create", record, frozenset())
    return record


def admin_move(salon: SandboxSalon, record: SandboxRecord, body: Any) -> SandboxRecord:
    """The administrator moves or changes a visit: any of `datetime`, `staff_id`,
    `service_ids`, `attendance` (the interface does not stop an administrator at busy time)."""
    if not isinstance(body, dict) or not body:
        raise SandboxFailure.message(400, "Нужен JSON-объект с изменениями")
    return edit(
        salon,
        record,
        start=_moment(salon, body["datetime"]) if "datetime" in body else None,
        staff_id=_staff(salon, body["staff_id"]) if "staff_id" in body else None,
        service_ids=_services(salon, body["service_ids"]) if "service_ids" in body else None,
        attendance=_attendance(body["attendance"]) if "attendance" in body else None,
    )
