"""Online-booking endpoints of the sandbox (partner token) [APIB, reference A.5]."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from adapters.yclients.sandbox import booking, views
from adapters.yclients.sandbox.answers import SandboxFailure, json_response, ok
from adapters.yclients.sandbox.http_common import (
    authorize,
    day_param,
    ids,
    json_body,
    optional_int,
)
from adapters.yclients.sandbox.salon import SandboxSalon

API = "/api/v1"
LOOKAHEAD_DAYS = 30  # how far book_dates / book_staff look for free time


def _staff_id(salon: SandboxSalon, raw: str) -> int:
    try:
        staff_id = int(raw)
    except ValueError:
        raise SandboxFailure.message(404, "Сотрудник не найден.") from None
    if staff_id != 0 and staff_id not in salon.staff:
        raise SandboxFailure.message(404, "Сотрудник не найден.")
    return staff_id


def _next_free_day(salon: SandboxSalon, staff_id: int, services: list[int], start: date) -> date:
    for offset in range(LOOKAHEAD_DAYS):
        day = start + timedelta(days=offset)
        if salon.free_starts(staff_id, day, services):
            return day
    return start


async def book_services(request: web.Request) -> web.Response:
    salon = authorize(request)
    staff_id = optional_int(request, "staff_id")
    if staff_id:
        _staff_id(salon, str(staff_id))
    # [APIB] staff_id 0 means any master: no staff filter.
    return json_response(ok(views.services(salon, staff_id or None)))


async def book_staff(request: web.Request) -> web.Response:
    salon = authorize(request)
    services = ids(request, "service_ids")
    at = salon.parse_moment(request.query.get("datetime"))
    members = []
    for member in salon.staff_for(services):
        if at is not None:
            bookable = salon.active(services) and salon.fits(member, at, salon.length(services))
            seance_day = at.date()
        else:
            seance_day = _next_free_day(salon, member.id, services, salon.today())
            bookable = bool(salon.free_starts(member.id, seance_day, services))
        item = views.staff(salon, member, bookable)
        starts = salon.free_starts(member.id, seance_day, services)
        item["seance_date"] = seance_day.isoformat() if starts else None
        item["seances"] = [views.seance(s, salon.length(services)) for s in starts[:3]]
        members.append(item)
    return json_response(ok(members))


async def book_dates(request: web.Request) -> web.Response:
    salon = authorize(request)
    services = ids(request, "service_ids")
    staff_id = _staff_id(salon, request.query.get("staff_id") or "0")
    today = salon.today()
    month = day_param("date", request.query.get("date"))
    first = day_param("date_from", request.query.get("date_from")) or month or today
    last = day_param("date_to", request.query.get("date_to"))
    if last is None:
        last = first + timedelta(days=LOOKAHEAD_DAYS)
    days = [first + timedelta(days=n) for n in range(max(0, (last - first).days) + 1)]
    days = [d for d in days if d >= today]
    booking_dates = [d for d in days if salon.free_starts(staff_id, d, services)]
    working = salon.working_dates(staff_id, days)

    def by_month(found: list[date]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for d in found:
            grouped.setdefault(str(d.month), []).append(str(d.day))
        return grouped

    return json_response(
        ok(
            {
                "booking_dates": [d.isoformat() for d in booking_dates],
                "booking_days": by_month(booking_dates),
                "working_dates": [d.isoformat() for d in working],
                "working_days": by_month(working),
            }
        )
    )


async def book_times(request: web.Request) -> web.Response:
    salon = authorize(request)
    staff_id = _staff_id(salon, request.match_info["staff_id"])
    day = day_param("date", request.match_info["date"])
    assert day is not None
    services = ids(request, "service_ids")
    length = salon.length(services)
    seances = [views.seance(s, length) for s in salon.free_starts(staff_id, day, services)]
    return json_response(ok(seances))


async def book_staff_seances(request: web.Request) -> web.Response:
    salon = authorize(request)
    staff_id = _staff_id(salon, request.match_info["staff_id"])
    services = ids(request, "service_ids")
    at = salon.parse_moment(request.query.get("datetime"))
    start = at.date() if at is not None else salon.today()
    day = _next_free_day(salon, staff_id, services, start)
    length = salon.length(services)
    seances = [views.seance(s, length) for s in salon.free_starts(staff_id, day, services)]
    return json_response(ok({"seance_date": day.isoformat(), "seances": seances}))


async def book_check(request: web.Request) -> web.Response:
    salon = authorize(request)
    booking.check(salon, await json_body(request))
    return web.Response(status=201)  # [APIB] 201 with an empty body


async def book_record(request: web.Request) -> web.Response:
    salon = authorize(request)
    created = booking.book(salon, await json_body(request))
    return json_response(ok(created), status=201)


async def reschedule(request: web.Request) -> web.Response:
    salon = authorize(request, user=True)  # [APIB] PUT book_record needs the User token
    try:
        record_id = int(request.match_info["record_id"])
    except ValueError:
        raise SandboxFailure.message(404, "Запись не найдена.") from None
    record = booking.reschedule(salon, record_id, await json_body(request))
    return json_response(ok(views.record(salon, record)))


def add_booking_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(API + "/book_services/{company_id}", book_services, name="book_services")
    r.add_get(API + "/book_staff/{company_id}", book_staff, name="book_staff")
    r.add_get(API + "/book_dates/{company_id}", book_dates, name="book_dates")
    r.add_get(API + "/book_times/{company_id}/{staff_id}/{date}", book_times, name="book_times")
    r.add_get(
        API + "/book_staff_seances/{company_id}/{staff_id}/",
        book_staff_seances,
        name="book_staff_seances",
    )
    r.add_post(API + "/book_check/{company_id}", book_check, name="book_check")
    r.add_post(API + "/book_record/{company_id}", book_record, name="book_record")
    r.add_put(API + "/book_record/{company_id}/{record_id}", reschedule, name="reschedule")
