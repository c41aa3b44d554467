"""Booking, cancelling and rescheduling: the real backend against the sandbox over HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest

from adapters.yclients import YClientsBackend, YClientsClient
from adapters.yclients.sandbox import RunningSandbox
from states.salon import Appointment, BookingRequest
from states.salon_errors import (
    AppointmentsOverlap,
    BadPhone,
    NameMissing,
    NoFreeMaster,
    SalonNotFound,
    ServiceNotBookable,
    SlotTaken,
)
from tests.adapters.yclients.conftest import (
    ARTYOM,
    BARI,
    BEARD_TINT,
    COLOURING,
    HAIRCUT,
    MOSCOW,
    SNEZHANA,
    TOMORROW,
)

AT_18 = "2025-07-24T18:00:00+03:00"


def request_for(*appointments: Appointment, **fields: str) -> BookingRequest:
    values = {"phone": "79161234567", "fullname": "Николай", "api_id": "wa-test-1"}
    values.update(fields)
    return BookingRequest(
        phone=values["phone"],
        fullname=values["fullname"],
        appointments=appointments,
        api_id=values["api_id"],
        comment="Запись через WhatsApp-бот",
    )


async def test_check_passes_for_a_free_slot(backend: YClientsBackend) -> None:
    await backend.check_booking([Appointment(BARI, (HAIRCUT,), AT_18)])


async def test_check_reports_a_taken_slot_with_the_appointment_id(
    backend: YClientsBackend,
) -> None:
    busy = "2025-07-24T14:00:00+03:00"  # Бари's busy slot in the fixture
    with pytest.raises(SlotTaken) as caught:
        await backend.check_booking(
            [Appointment(BARI, (HAIRCUT,), AT_18), Appointment(BARI, (HAIRCUT,), busy)]
        )
    assert (caught.value.status, caught.value.code, caught.value.appointment_id) == (422, 433, 2)


async def test_inactive_service_is_not_bookable(backend: YClientsBackend) -> None:
    with pytest.raises(ServiceNotBookable) as caught:
        await backend.check_booking([Appointment(BARI, (BEARD_TINT,), AT_18)])
    assert caught.value.code == 438


async def test_master_who_does_not_do_the_service_is_438(backend: YClientsBackend) -> None:
    with pytest.raises(ServiceNotBookable):
        await backend.check_booking([Appointment(SNEZHANA, (HAIRCUT,), AT_18)])


async def test_overlapping_appointments_are_437(backend: YClientsBackend) -> None:
    with pytest.raises(AppointmentsOverlap) as caught:
        await backend.check_booking(
            [
                Appointment(BARI, (HAIRCUT,), AT_18),
                Appointment(BARI, (HAIRCUT,), "2025-07-24T18:30:00+03:00"),
            ]
        )
    assert caught.value.appointment_id == 2


async def test_booking_is_visible_and_takes_the_slot(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    done = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    assert done.record_hash and not done.recovered
    records = await backend.client.records(client_id=4240880, start_date=TOMORROW)
    record = next(r for r in records if r.id == done.record_id)
    assert (record.api_id, record.master_request, record.attendance) == ("wa-test-1", 1, 0)
    assert record.staff_id == BARI and record.datetime == AT_18
    times = [s.time for s in await backend.free_slots(BARI, TOMORROW, [HAIRCUT])]
    assert "18:00" not in times and "17:30" not in times and "19:00" in times
    # The exact body that went out: integer staff_id, the datetime sent back unchanged.
    sent = sandbox.control.calls("book_record")[0].json
    assert sent["appointments"] == [
        {"id": 1, "services": [HAIRCUT], "staff_id": BARI, "datetime": AT_18}
    ]
    assert sent["email"] == "" and sent["api_id"] == "wa-test-1"


async def test_second_booking_of_the_same_slot_is_433(backend: YClientsBackend) -> None:
    await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    with pytest.raises(SlotTaken):
        await backend.book(
            request_for(
                Appointment(BARI, (HAIRCUT,), AT_18), api_id="wa-other", phone="79035556677"
            )
        )


async def test_booking_twice_with_one_api_id_gives_the_same_record(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    first = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    again = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    assert again.recovered and again.record_id == first.record_id
    assert [r.id for r in sandbox.salon.records.values() if r.api_id == "wa-test-1"] == [
        first.record_id
    ]


async def test_any_master_picks_a_free_one(backend: YClientsBackend) -> None:
    busy_for_bari = "2025-07-24T14:00:00+03:00"
    done = await backend.book(request_for(Appointment(0, (HAIRCUT,), busy_for_bari)))
    records = await backend.client.records(client_id=4240880, start_date=TOMORROW)
    record = next(r for r in records if r.id == done.record_id)
    assert record.staff_id == ARTYOM  # Бари is busy at 14:00
    assert record.master_request == 0  # [APIB] 0 = the client chose "any master"


async def test_any_master_with_nobody_free_is_436(backend: YClientsBackend) -> None:
    evening = "2025-07-24T17:00:00+03:00"  # Снежана, the only colourist, ends at 18:00
    with pytest.raises(NoFreeMaster) as caught:
        await backend.book(request_for(Appointment(0, (COLOURING,), evening)))
    assert caught.value.code == 436


async def test_missing_name_is_435(backend: YClientsBackend) -> None:
    with pytest.raises(NameMissing):
        await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18), fullname=" "))


async def test_bad_phone_is_431(backend: YClientsBackend) -> None:
    with pytest.raises(BadPhone) as caught:
        await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18), phone="12ab"))
    assert (caught.value.status, caught.value.code) == (422, 431)


async def test_a_new_phone_creates_a_client(backend: YClientsBackend) -> None:
    assert await backend.find_client("79990001122") is None
    await backend.book(
        request_for(Appointment(BARI, (HAIRCUT,), AT_18), phone="79990001122", fullname="Ольга")
    )
    found = await backend.find_client("79990001122")
    assert found is not None and found.name == "Ольга" and found.phone == "+79990001122"


async def test_cancel_frees_the_slot(backend: YClientsBackend) -> None:
    done = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    await backend.cancel(done.record_id)
    times = [s.time for s in await backend.free_slots(BARI, TOMORROW, [HAIRCUT])]
    assert "18:00" in times
    with pytest.raises(SalonNotFound):
        await backend.cancel(done.record_id)


async def test_reschedule_moves_the_record(backend: YClientsBackend) -> None:
    done = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    moved = await backend.reschedule(done.record_id, "2025-07-24T11:00:00+03:00")
    assert moved.datetime == datetime(2025, 7, 24, 11, 0, tzinfo=MOSCOW)
    times = [s.time for s in await backend.free_slots(BARI, TOMORROW, [HAIRCUT])]
    assert "18:00" in times and "11:00" not in times


async def test_reschedule_onto_busy_time_is_433(backend: YClientsBackend) -> None:
    done = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    with pytest.raises(SlotTaken):
        await backend.reschedule(done.record_id, "2025-07-24T14:30:00+03:00")


async def test_reschedule_takes_a_naive_time_as_salon_local(backend: YClientsBackend) -> None:
    # [A.4] the reschedule example sends "2016-05-20T14:30:00": branch-local time.
    done = await backend.book(request_for(Appointment(BARI, (HAIRCUT,), AT_18)))
    moved = await backend.reschedule(done.record_id, "2025-07-24T16:00:00")
    assert moved.datetime.isoformat() == "2025-07-24T16:00:00+03:00"


async def test_unknown_master_is_404(client: YClientsClient) -> None:
    with pytest.raises(SalonNotFound) as caught:
        await client.book_times(999, TOMORROW, [HAIRCUT])
    assert caught.value.message == "Сотрудник не найден."
