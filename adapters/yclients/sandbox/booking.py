"""What the sandbox enforces on `book_check`, `book_record` and reschedule.

Codes and statuses from the [APIB] table (reference A.3): 431 bad phone, 433 slot taken
(+ id), 435 name missing, 436 no free master for `staff_id: 0`, 437 overlap inside one
request (+ id), 438 service not bookable; 422 for a missing or non-integer `staff_id`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from adapters.yclients.sandbox.answers import SandboxFailure
from adapters.yclients.sandbox.salon import SandboxRecord, SandboxSalon, digits


@dataclasses.dataclass(frozen=True)
class PlannedVisit:
    appointment_id: int
    staff_id: int
    service_ids: tuple[int, ...]
    start: datetime
    length_s: int
    master_request: int  # [APIB] 0 when the client asked for "any master"

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.length_s)


def _field_error(index: int, field: str, text: str) -> SandboxFailure:
    return SandboxFailure.message(
        422, "Ошибка валидации", {f"appointments.{index}.{field}": [text]}
    )


def _is_int(value: Any) -> bool:
    return type(value) is int  # bool is not an int here, nor "3413963"


def _read_item(salon: SandboxSalon, index: int, item: Any) -> tuple[int, int, list[int], datetime]:
    if not isinstance(item, dict):
        raise _field_error(index, "", "Запись должна быть объектом")
    appointment_id = item.get("id", index + 1)
    if not _is_int(appointment_id):
        raise _field_error(index, "id", "Поле id должно быть целым числом")
    if "staff_id" not in item:
        raise _field_error(index, "staff_id", "Не указан сотрудник (staff_id)")
    staff_id = item["staff_id"]
    if not _is_int(staff_id):
        raise _field_error(index, "staff_id", "Поле staff_id должно быть целым числом")
    services = item.get("services", [])
    if not isinstance(services, list) or not all(_is_int(s) for s in services):
        raise _field_error(index, "services", "Поле services должно быть массивом чисел")
    start = salon.parse_moment(item.get("datetime"))
    if start is None:
        raise _field_error(index, "datetime", "Не указано или неверно время записи (datetime)")
    return appointment_id, staff_id, services, start


def plan_visits(salon: SandboxSalon, appointments: Any) -> list[PlannedVisit]:
    """Validate `appointments[]` and pick masters; raises `SandboxFailure`."""
    if not isinstance(appointments, list) or not appointments:
        raise SandboxFailure.message(
            422, "Не переданы записи", {"appointments": ["Не переданы записи"]}
        )
    planned: list[PlannedVisit] = []
    for index, item in enumerate(appointments):
        appointment_id, staff_id, services, start = _read_item(salon, index, item)
        if not salon.active(services):
            raise SandboxFailure.booking(438, "Услуга недоступна для онлайн-записи", appointment_id)
        length = salon.length(services)
        if staff_id == 0:
            candidates = salon.staff_for(services)
        else:
            staff = salon.staff.get(staff_id)
            if staff is None:
                raise SandboxFailure.message(
                    404, f"Сотрудник с ID {staff_id} не найден в филиале {salon.company_id}."
                )
            if not salon.does(staff, services):
                raise SandboxFailure.booking(
                    438, "Сотрудник не оказывает выбранную услугу", appointment_id
                )
            candidates = [staff]
        chosen = None
        for staff in candidates:
            overlaps = any(
                p.staff_id == staff.id
                and p.start < start + timedelta(seconds=length)
                and start < p.end
                for p in planned
            )
            if overlaps and staff_id != 0:
                raise SandboxFailure.booking(
                    437, "Пересечение с предыдущим визитом.", appointment_id
                )
            if not overlaps and salon.fits(staff, start, length):
                chosen = staff
                break
        if chosen is None:
            if staff_id == 0:
                raise SandboxFailure.booking(
                    436, "Нет свободных сотрудников на выбранное время", appointment_id
                )
            raise SandboxFailure.booking(433, "Выбранное время уже занято", appointment_id)
        planned.append(
            PlannedVisit(
                appointment_id,
                chosen.id,
                tuple(services),
                start,
                length,
                master_request=0 if staff_id == 0 else 1,
            )
        )
    return planned


def check(salon: SandboxSalon, body: Any) -> None:
    if not isinstance(body, dict):
        raise SandboxFailure.message(400, "Тело запроса должно быть JSON-объектом")
    plan_visits(salon, body.get("appointments"))


def book(salon: SandboxSalon, body: Any) -> list[dict[str, Any]]:
    """`POST book_record`: creates the records; a new phone creates a new client."""
    if not isinstance(body, dict):
        raise SandboxFailure.message(400, "Тело запроса должно быть JSON-объектом")
    phone = body.get("phone")
    phone_text = str(phone) if isinstance(phone, str | int) and not isinstance(phone, bool) else ""
    cleaned = phone_text.strip().lstrip("+").replace(" ", "").replace("-", "")
    cleaned = cleaned.replace("(", "").replace(")", "")
    if not cleaned.isdigit() or not 10 <= len(cleaned) <= 15:
        raise SandboxFailure.booking(431, "Неверный формат номера телефона")
    fullname = body.get("fullname")
    if not isinstance(fullname, str) or not fullname.strip():
        raise SandboxFailure.booking(435, "Не указано имя клиента")
    planned = plan_visits(salon, body.get("appointments"))
    client = salon.client_by_phone(cleaned)
    if client is None:
        client = salon.add_client(fullname.strip(), digits(cleaned), str(body.get("email") or ""))
    api_id = body.get("api_id")
    answer = []
    for visit in planned:
        record = salon.create_record(
            client.id,
            visit.staff_id,
            visit.service_ids,
            visit.start,
            master_request=visit.master_request,
            api_id=None if api_id in (None, "") else str(api_id),
            comment=str(body.get("comment") or ""),
        )
        answer.append(
            {"id": visit.appointment_id, "record_id": record.id, "record_hash": record.record_hash}
        )
        salon.notify("create", record, frozenset())
    return answer


def reschedule(salon: SandboxSalon, record_id: int, body: Any) -> SandboxRecord:
    """`PUT book_record/{company}/{record}`: `datetime` required [APIB]."""
    record = salon.live_record(record_id)
    start = salon.parse_moment(body.get("datetime") if isinstance(body, dict) else None)
    if start is None:
        raise SandboxFailure.message(
            422, "Ошибка валидации", {"datetime": ["Не указано время записи"]}
        )
    if not salon.fits(salon.staff[record.staff_id], start, record.length_s, exclude=record.id):
        raise SandboxFailure.booking(433, "Выбранное время уже занято")
    changed = {"start"} if start != record.start else set()
    record.start = start
    if isinstance(body, dict) and isinstance(body.get("comment"), str):
        record.comment = body["comment"]
    record.changed = salon.now()
    salon.notify("update", record, frozenset(changed))
    return record
