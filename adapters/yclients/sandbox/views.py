"""Sandbox objects rendered as YClients renders them (field names from reference A.5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.yclients.sandbox.fixture import FixtureStaff
from adapters.yclients.sandbox.salon import SandboxRecord, SandboxSalon


def offset_hours(salon: SandboxSalon) -> float:
    offset = salon.now().utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def company(salon: SandboxSalon) -> dict[str, Any]:
    data = dict(salon.fixture.company)
    # [GEN] timezone_name is the IANA name; `timezone` is an hours offset there.
    data["timezone"] = offset_hours(salon)
    return data


def services(salon: SandboxSalon, staff_id: int | None) -> dict[str, Any]:
    staff = salon.staff.get(staff_id) if staff_id else None
    items = []
    for s in salon.fixture.services:
        if staff is not None and s.id not in staff.services:
            continue
        item: dict[str, Any] = {
            "id": s.id,
            "title": s.title,
            "category_id": s.category_id,
            "price_min": s.price_min,
            "price_max": s.price_max,
            "discount": 0,
            "comment": "",
            "weight": 0,
            "active": 1 if s.active else 0,
            "sex": 0,
            "image": "",
            "prepaid": "forbidden",
        }
        if staff_id is not None:
            item["seance_length"] = s.seance_length  # [APIB] only with a staff filter
        items.append(item)
    categories = [
        {"id": cid, "title": title, "sex": 0, "weight": 0, "api_id": ""}
        for cid, title in salon.fixture.categories
    ]
    return {"events": [], "services": items, "category": categories}


def seance(moment: datetime, length_s: int) -> dict[str, Any]:
    # [APIB] local "time" for display, "datetime" with the branch's offset to send back.
    return {
        "time": moment.strftime("%H:%M"),
        "seance_length": length_s,
        "datetime": moment.isoformat(),
    }


def position(member: FixtureStaff | None) -> dict[str, Any] | list[Any]:
    """[APIB] an object {id, title}; `[]` for a master without one (book_staff example)."""
    if member is None or member.position is None:
        return []
    return {"id": member.position[0], "title": member.position[1]}


def staff(salon: SandboxSalon, member: FixtureStaff, bookable: bool) -> dict[str, Any]:
    # [APIB] the book_staff example sends these counters as strings ("weight": "11").
    return {
        "id": member.id,
        "name": member.name,
        "specialization": member.specialization,
        "position": position(member),
        "bookable": bookable,
        "weight": "0",
        "show_rating": "0",
        "rating": "5",
        "votes_count": "0",
        "comments_count": "0",
        "avatar": "",
        "information": "",
        "seance_date": None,
        "seances": [],
    }


def _zone_no_colon(moment: datetime) -> str:
    # [A.4] create_date / last_change_date use an offset without a colon: "+0300".
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def record(salon: SandboxSalon, r: SandboxRecord) -> dict[str, Any]:
    member = salon.staff.get(r.staff_id)
    client = salon.clients.get(r.client_id)
    local = r.start.astimezone(salon.tz)
    services_list = [
        {
            "id": sid,
            "title": s.title,
            "cost": s.price_min,
            "first_cost": s.price_min,
            "discount": 0,
            "amount": 1,
        }
        for sid in r.service_ids
        for s in [salon.services[sid]]
    ]
    return {
        "id": r.id,
        "company_id": salon.company_id,
        "staff_id": r.staff_id,
        "staff": {
            "id": r.staff_id,
            "name": member.name if member else "",
            "specialization": member.specialization if member else "",
            "position": position(member),
        },
        "services": services_list,
        "client": {
            "id": client.id,
            "name": client.name,
            "phone": client.phone,
            "email": client.email,
        }
        if client
        else None,
        "date": local.strftime("%Y-%m-%d %H:%M:%S"),
        "datetime": local.isoformat(),
        "create_date": _zone_no_colon(r.created or local),
        "last_change_date": _zone_no_colon(r.changed or local),
        "seance_length": r.length_s,
        "length": r.length_s,
        "attendance": r.attendance,
        "visit_attendance": r.attendance,
        "confirmed": 1,
        "deleted": r.deleted,
        "online": r.api_id is not None,
        "master_request": r.master_request,
        "activity_id": 0,
        "api_id": r.api_id or "",
        "comment": r.comment,
    }
