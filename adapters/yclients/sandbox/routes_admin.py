"""Company, records and client endpoints of the sandbox [APIB, reference A.5]."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.yclients.sandbox import record_changes, views
from adapters.yclients.sandbox.answers import SandboxFailure, json_response, ok
from adapters.yclients.sandbox.http_common import (
    authorize,
    day_param,
    int_param,
    json_body,
    optional_int,
    salon_of,
    tokens,
)
from adapters.yclients.sandbox.salon import SandboxRecord, SandboxSalon, digits

API = "/api/v1"


async def companies(request: web.Request) -> web.Response:
    # Real YClients wants a User token for `my=1`; the sandbox lets the partner token do,
    # so `ai-admin sandbox` can be tried with one token (interface.md).
    salon = authorize(request)
    return json_response(ok([views.company(salon)], {"total_count": 1}))


async def company(request: web.Request) -> web.Response:
    salon = authorize(request)
    return json_response(ok(views.company(salon)))


def _record_id(request: web.Request) -> int:
    try:
        return int(request.match_info["record_id"])
    except ValueError:
        raise SandboxFailure.message(404, "Запись не найдена.") from None


async def records(request: web.Request) -> web.Response:
    salon = authorize(request, user=True)
    client_id = optional_int(request, "client_id")
    staff_id = optional_int(request, "staff_id")
    start = day_param("start_date", request.query.get("start_date"))
    end = day_param("end_date", request.query.get("end_date"))
    with_deleted = request.query.get("with_deleted") in ("1", "true")
    page = max(1, optional_int(request, "page") or 1)
    count = min(200, max(1, optional_int(request, "count") or 25))
    found = [
        r
        for r in sorted(salon.records.values(), key=lambda r: (r.start, r.id))
        if (with_deleted or not r.deleted)
        and (client_id is None or r.client_id == client_id)
        and (staff_id is None or r.staff_id == staff_id)
        and (start is None or r.start.date() >= start)
        and (end is None or r.start.date() <= end)
    ]
    chunk = found[(page - 1) * count : page * count]
    return json_response(
        ok([views.record(salon, r) for r in chunk], {"page": page, "total_count": len(found)})
    )


async def record(request: web.Request) -> web.Response:
    salon = authorize(request, user=True)
    return json_response(ok(views.record(salon, salon.live_record(_record_id(request)))))


async def update_record(request: web.Request) -> web.Response:
    """[APIB] the admin edit: attendance, time, master, services; 201 with the record."""
    salon = authorize(request, user=True)
    target = salon.live_record(_record_id(request))
    edited = record_changes.admin_edit_call(salon, target, await json_body(request))
    return json_response(ok(views.record(salon, edited)), status=201)


async def delete_record(request: web.Request) -> web.Response:
    salon = authorize(request, user=True)
    record_changes.delete(salon, salon.live_record(_record_id(request)))
    return web.Response(status=204)  # [APIB] 204 with an empty body


def _user_record(request: web.Request) -> tuple[SandboxSalon, SandboxRecord]:
    """[APIB] "Записи пользователя": the hash is needed unless a user is logged in."""
    salon = salon_of(request)
    _, user_token = tokens(request.headers.get("Authorization", ""))
    authorize(request, user=user_token is not None)
    record = salon.live_record(_record_id(request))
    if user_token is None and request.match_info["record_hash"] != record.record_hash:
        raise SandboxFailure.message(404, "Запись не найдена.")
    return salon, record


async def user_records(request: web.Request) -> web.Response:
    salon, record = _user_record(request)
    return json_response(ok([views.record(salon, record)]))


async def delete_user_record(request: web.Request) -> web.Response:
    salon, record = _user_record(request)
    record_changes.delete(salon, record)
    return json_response(ok(None))  # [APIB] 200


def _quick_search_value(body: Any) -> str:
    """[APIB] FullClientSearchRequest: filters[{type: "quick_search", state: {value}}]."""
    bad = SandboxFailure.message(
        400,
        "Недопустимое значение фильтра",
        {"filters": ["Недопустимое значение состояния фильтра"]},
    )
    if not isinstance(body, dict):
        raise bad
    filters = body.get("filters") or []
    if not isinstance(filters, list):
        raise bad
    value = ""
    for item in filters:
        state = item.get("state") if isinstance(item, dict) else None
        if not isinstance(item, dict) or item.get("type") != "quick_search":
            raise bad
        if not isinstance(state, dict) or not isinstance(state.get("value"), str | int):
            raise bad
        value = str(state["value"])
    return value


def _matches(salon: SandboxSalon, value: str) -> list[dict[str, Any]]:
    wanted_digits = digits(value)
    found = []
    for client in salon.clients.values():
        by_phone = bool(wanted_digits) and wanted_digits in digits(client.phone)
        by_name = bool(value.strip()) and value.strip().lower() in client.name.lower()
        if by_phone or by_name or not value:
            found.append(
                {"id": client.id, "name": client.name, "phone": client.phone, "email": client.email}
            )
    return found


async def clients_search(request: web.Request) -> web.Response:
    salon = authorize(request, user=True)
    body = await json_body(request)
    value = _quick_search_value(body)
    page = int_param("page", str(body.get("page", 1)))
    size = min(200, max(1, int_param("page_size", str(body.get("page_size", 25)))))
    found = _matches(salon, value)
    fields = body.get("fields")
    if isinstance(fields, list) and fields:
        found = [{k: v for k, v in c.items() if k in fields or k == "id"} for c in found]
    chunk = found[(page - 1) * size : page * size]
    return json_response(ok(chunk, {"total_count": len(found)}))


def add_admin_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(API + "/companies", companies, name="companies")
    r.add_get(API + "/company/{company_id}", company, name="company")
    r.add_get(API + "/company/{company_id}/", company)
    r.add_get(API + "/records/{company_id}", records, name="records")
    r.add_get(API + "/record/{company_id}/{record_id}", record, name="record")
    r.add_put(API + "/record/{company_id}/{record_id}", update_record, name="update_record")
    r.add_delete(API + "/record/{company_id}/{record_id}", delete_record, name="delete_record")
    user_record = API + "/user/records/{record_id}/{record_hash}"
    r.add_get(user_record, user_records, name="user_records")
    r.add_delete(user_record, delete_user_record, name="delete_user_record")
    r.add_post(API + "/company/{company_id}/clients/search", clients_search, name="clients_search")
