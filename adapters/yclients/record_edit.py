"""The body of YClients' admin edit (`PUT /record/{company_id}/{record_id}`) that changes
only a record's attendance.

[APIB "Изменить запись"] the call requires `staff_id`, `services`, `client`, `datetime`,
`seance_length`, `save_if_busy` and `send_sms`, so a change of attendance sends the record
back as it was just read, with the new attendance: the time, master, services and prices
stay, `api_id` and the comment are kept, the client gets no SMS, and `save_if_busy` lets
the record stay where it is even if the salon has put another visit over it since.
"""

from __future__ import annotations

from typing import Any

from adapters.yclients.models import RecordModel

CONFIRMED = 2  # [APIB] attendance: 2 confirmed, 1 arrived, 0 pending, -1 no-show


def attendance_body(record: RecordModel, attendance: int) -> dict[str, Any]:
    if attendance not in (-1, 0, 1, 2):
        raise ValueError(f"attendance must be -1, 0, 1 or 2, got {attendance!r}")
    staff_id = record.staff_id or (record.staff.id if record.staff else 0)
    client = record.client
    body: dict[str, Any] = {
        "staff_id": staff_id,
        "services": [
            {
                "id": s.id,
                "first_cost": s.cost if s.first_cost is None else s.first_cost,
                "discount": s.discount,
                "cost": s.cost,
            }
            for s in record.services
        ],
        "client": {
            "phone": client.phone if client else "",
            "name": client.name if client else "",
            "email": (client.email or "") if client else "",
        },
        "datetime": record.datetime or record.date,
        "seance_length": record.seance_length,
        "save_if_busy": True,
        "send_sms": False,
        "comment": record.comment,
        "attendance": attendance,
    }
    if record.api_id:
        body["api_id"] = record.api_id
    return body
