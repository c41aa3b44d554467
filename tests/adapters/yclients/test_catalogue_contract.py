"""Read endpoints: the real client against the sandbox over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.yclients import YClientsBackend, YClientsClient
from adapters.yclients.sandbox import RunningSandbox
from states.salon import SalonBackend, last_master_id
from tests.adapters.yclients.conftest import (
    ARTYOM,
    BARI,
    BEARD_TINT,
    COLOURING,
    HAIRCUT,
    IGOR,
    MOSCOW,
    NIKOLAI,
    NOW,
    SNEZHANA,
    TODAY,
    TOMORROW,
)


def test_backend_implements_the_protocol(backend: YClientsBackend) -> None:
    assert isinstance(backend, SalonBackend)


async def test_company_carries_the_timezone(backend: YClientsBackend) -> None:
    company = await backend.company()
    assert company.id == 1088406
    assert company.timezone == "Europe/Moscow"
    assert company.title == "Барбершоп «Борода и Ножницы»"


async def test_every_request_has_the_auth_and_accept_headers(
    client: YClientsClient, sandbox: RunningSandbox
) -> None:
    await client.company()
    await client.records(client_id=NIKOLAI)
    company_call, records_call = sandbox.control.requests
    # [APIB] partner token alone for company info; "Bearer <p>, User <u>" for records.
    assert company_call.headers["Authorization"] == "Bearer <partner>"
    assert records_call.headers["Authorization"] == "Bearer <partner>, User <user>"
    assert company_call.headers["Accept"] == "application/vnd.yclients.v2+json"
    assert "demo-partner-token" not in repr(sandbox.control.requests)


async def test_services_with_categories_and_inactive_service(backend: YClientsBackend) -> None:
    services = {s.id: s for s in await backend.services()}
    assert services[HAIRCUT].title == "Мужская стрижка"
    assert services[HAIRCUT].category == "Стрижки"
    assert services[HAIRCUT].price_min == 1800
    assert services[BEARD_TINT].bookable is False
    # [APIB] seance_length only comes with a staff filter: taken from a master who does it.
    assert services[HAIRCUT].duration_s == 3600
    assert services[COLOURING].duration_s == 7200


async def test_company_carries_the_salon_s_own_hours_and_address(
    backend: YClientsBackend,
) -> None:
    company = await backend.company()
    assert company.schedule == "Пн–Пт 9:00–21:00, Сб–Вс 10:00–21:00"
    assert company.address == "Москва, ул. Пятницкая, 12" and company.phone == "+74951234567"


async def test_working_dates_are_the_master_s_days_free_or_not(backend: YClientsBackend) -> None:
    week = (TODAY, TODAY + timedelta(days=6))  # Wednesday 23 … Tuesday 29 July
    bari = await backend.working_dates(BARI, *week)
    assert [d.isoweekday() for d in bari] == [3, 4, 5, 6, 1, 2]  # no Sunday
    snezhana = await backend.working_dates(SNEZHANA, *week)
    assert all(d.isoweekday() <= 5 for d in snezhana) and len(snezhana) == 5


async def test_services_of_one_master_have_durations(client: YClientsClient) -> None:
    catalogue = await client.book_services(staff_id=SNEZHANA)
    assert {s.id for s in catalogue.services} == {18356040, 18356041, 18356050, 18356051}
    assert {s.id: s.seance_length for s in catalogue.services}[COLOURING] == 7200


async def test_masters_filtered_by_service_and_their_services(backend: YClientsBackend) -> None:
    masters = await backend.masters([COLOURING])
    assert [m.id for m in masters] == [SNEZHANA]
    assert COLOURING in masters[0].service_ids and HAIRCUT not in masters[0].service_ids
    everyone = {m.id: m for m in await backend.masters()}
    assert set(everyone) == {BARI, ARTYOM, SNEZHANA, IGOR}
    assert everyone[BARI].name == "Бари"


async def test_catalogue_is_cached_for_a_turn(make_client: object, sandbox: RunningSandbox) -> None:
    now = [0.0]
    client = await make_client(clock=lambda: now[0])  # type: ignore[operator]
    backend = YClientsBackend(client)
    await backend.services()
    await backend.services()
    await backend.company()
    await backend.company()

    def catalogue_calls() -> int:  # durations come from per-master calls, cached the same
        return sum("staff_id" not in r.query for r in sandbox.control.calls("book_services"))

    assert catalogue_calls() == 1 and len(sandbox.control.calls("book_staff")) == 1
    assert len(sandbox.control.calls("company")) == 1
    now[0] = 61.0  # past the 60 s TTL
    await backend.services()
    assert catalogue_calls() == 2


async def test_free_slots_fit_hours_and_skip_busy_time(backend: YClientsBackend) -> None:
    slots = await backend.free_slots(BARI, TOMORROW, [HAIRCUT])
    times = [s.time for s in slots]
    assert times[0] == "10:00" and times[-1] == "20:00"  # 60 min must end by 21:00
    # Busy 14:00–15:00: neither 13:30 (would overlap) nor 14:00/14:30 are offered.
    assert "13:00" in times and "13:30" not in times and "14:30" not in times
    assert "15:00" in times
    assert slots[0].datetime_iso == "2025-07-24T10:00:00+03:00"
    assert all(s.duration_s == 3600 and s.staff_id == BARI for s in slots)


async def test_free_slots_are_never_in_the_past(backend: YClientsBackend) -> None:
    slots = await backend.free_slots(BARI, TODAY, [HAIRCUT])
    starts = [datetime.fromisoformat(s.datetime_iso) for s in slots]
    assert starts and min(starts) >= NOW


async def test_day_off_has_no_slots(backend: YClientsBackend) -> None:
    sunday = TODAY + timedelta(days=4)
    assert sunday.isoweekday() == 7
    assert await backend.free_slots(BARI, sunday, [HAIRCUT]) == ()


async def test_any_master_slots_are_the_union(backend: YClientsBackend) -> None:
    slots = await backend.free_slots(0, TOMORROW, [HAIRCUT])
    times = [s.time for s in slots]
    assert "14:00" in times  # Бари is busy, Артём is not
    assert times[-1] == "20:00"


async def test_bookable_dates_skip_days_off(backend: YClientsBackend) -> None:
    days = await backend.bookable_dates([COLOURING], SNEZHANA, TODAY, TODAY + timedelta(days=6))
    assert all(d.isoweekday() <= 5 for d in days)
    assert TOMORROW in days and TODAY + timedelta(days=3) not in days  # Saturday


async def test_staff_seances_path_has_a_trailing_slash(
    client: YClientsClient, sandbox: RunningSandbox
) -> None:
    seances = await client.book_staff_seances(SNEZHANA, [COLOURING])
    assert seances.seance_date == TODAY.isoformat()
    assert seances.seances[0].time == "15:00"
    assert sandbox.control.requests[-1].path.endswith(f"/{SNEZHANA}/")


async def test_find_client_and_last_master(backend: YClientsBackend) -> None:
    client = await backend.find_client("+7 (916) 123-45-67")
    assert client is not None and client.id == NIKOLAI and client.name == "Николай"
    records = await backend.client_records(client.id)
    assert len(records) == 3
    assert all(r.datetime.tzinfo is not None for r in records)
    assert records[-1].datetime == datetime(2025, 7, 18, 12, 0, tzinfo=MOSCOW)
    assert last_master_id(records) == BARI  # the latest visit he chose a master for


async def test_unknown_phone_is_no_client(backend: YClientsBackend) -> None:
    assert await backend.find_client("79000000000") is None


def test_tokens_are_masked_in_reprs(backend: YClientsBackend) -> None:
    text = repr(backend) + repr(backend.client.transport)
    assert "demo-partner-token" not in text and "demo-user-token" not in text
    assert "company_id=1088406" in text and "partner=de…18ch" in text
