"""Every error shape of reference A.3 reaches the caller as a typed error with its ids."""

from __future__ import annotations

import pytest

from adapters.yclients import YClientsBackend, YClientsClient
from adapters.yclients.errors import parse_error_body
from adapters.yclients.sandbox import RunningSandbox
from states.salon import Appointment, BookingRequest
from states.salon_errors import (
    BookingRejected,
    PhoneBlacklisted,
    RequestRejected,
    SalonAuthError,
    SalonNotFound,
    SlotTaken,
)
from tests.adapters.yclients.conftest import BARI, HAIRCUT, NIKOLAI, TOMORROW, ClientFactory


async def test_shape_1_envelope_with_message_unknown_company(make_client: ClientFactory) -> None:
    client = await make_client(company_id=42)
    with pytest.raises(SalonNotFound) as caught:
        await client.company()
    assert caught.value.status == 404
    assert caught.value.message == "Филиал не найден."


async def test_shape_2_field_errors_as_a_dict(client: YClientsClient) -> None:
    # The sandbox answers a bad filter like [APIB] clients search: 400 + meta.errors dict.
    with pytest.raises(RequestRejected) as caught:
        await client.transport.call(
            "POST",
            "/api/v1/company/1088406/clients/search",
            json_body={"filters": [{"type": "nonsense"}]},
            user=True,
        )
    assert caught.value.status == 400
    assert caught.value.message == "Недопустимое значение фильтра"
    assert caught.value.field_errors == {"filters": ("Недопустимое значение состояния фильтра",)}


async def test_shape_2_field_errors_as_a_list_of_code_message(
    client: YClientsClient, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault(
        {
            "endpoint": "book_check",
            "status": 422,
            "json": {
                "success": False,
                "data": None,
                "meta": {"errors": [{"code": 433, "message": "Время занято", "id": 3}]},
            },
        }
    )
    with pytest.raises(SlotTaken) as caught:
        await client.book_check([])
    assert (caught.value.code, caught.value.appointment_id) == (433, 3)
    assert caught.value.message == "Время занято"


async def test_shape_2_field_errors_as_a_list_of_field_dicts(
    client: YClientsClient, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault(
        {
            "endpoint": "book_check",
            "status": 422,
            "json": {"success": False, "meta": {"message": "Bad", "errors": [{"phone": "bad"}]}},
        }
    )
    with pytest.raises(RequestRejected) as caught:
        await client.book_check([])
    assert caught.value.field_errors == {"phone": ("bad",)}


async def test_shape_3_booking_form_with_403_blacklist(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault(
        {
            "endpoint": "book_record",
            "status": 403,
            "json": {"errors": {"code": 434, "message": "Номер в чёрном списке"}},
        }
    )
    request = BookingRequest(
        "79161234567",
        "Николай",
        (Appointment(BARI, (HAIRCUT,), "2025-07-24T18:00:00+03:00"),),
        api_id="wa-1",
    )
    with pytest.raises(PhoneBlacklisted) as caught:
        await backend.book(request)
    assert (caught.value.status, caught.value.code) == (403, 434)
    assert isinstance(caught.value, BookingRejected)


async def test_shape_4_non_json_body(client: YClientsClient, sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"endpoint": "company", "status": 403, "raw": "<html>nope</html>"})
    with pytest.raises(SalonAuthError) as caught:
        await client.company()
    assert caught.value.status == 403 and caught.value.message == "<html>nope</html>"


async def test_success_false_on_200_is_an_error(
    client: YClientsClient, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault(
        {
            "endpoint": "book_times",
            "status": 200,
            "json": {"success": False, "data": None, "meta": {"message": "Ошибка"}},
        }
    )
    with pytest.raises(RequestRejected) as caught:
        await client.book_times(BARI, TOMORROW, [HAIRCUT])
    assert caught.value.status == 200 and caught.value.message == "Ошибка"


async def test_bare_bodies_are_accepted(client: YClientsClient, sandbox: RunningSandbox) -> None:
    # [APIB] 2020 examples: book_times as a plain array, records as {"count", "data"}.
    bare = [{"time": "12:00", "seance_length": 3600, "datetime": "2025-07-24T12:00:00+03:00"}]
    sandbox.control.add_fault({"endpoint": "book_times", "status": 200, "json": bare})
    sandbox.control.add_fault(
        {
            "endpoint": "records",
            "status": 200,
            "json": {"count": 1, "data": [{"id": "7", "datetime": "2025-07-01T10:00:00+03:00"}]},
        }
    )
    seances = await client.book_times(BARI, TOMORROW, [HAIRCUT])
    assert [s.datetime for s in seances] == ["2025-07-24T12:00:00+03:00"]
    records = await client.records(client_id=NIKOLAI)
    assert [r.id for r in records] == [7]  # numbers as strings are read too


async def test_401_without_a_valid_partner_token(make_client: ClientFactory) -> None:
    client = await make_client(partner_token="wrong")
    with pytest.raises(SalonAuthError) as caught:
        await client.book_staff()
    assert caught.value.status == 401


async def test_401_for_user_endpoints_with_a_wrong_user_token(
    make_client: ClientFactory,
) -> None:
    client = await make_client(user_token="wrong")
    assert await client.book_staff()  # partner-only endpoints still work
    with pytest.raises(SalonAuthError) as caught:
        await client.records(client_id=NIKOLAI)
    assert caught.value.status == 401


async def test_no_user_token_fails_before_sending(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    client = await make_client(user_token=None)
    with pytest.raises(SalonAuthError):
        await client.delete_record(1)
    assert sandbox.control.requests == []


def test_parser_reads_all_four_shapes() -> None:
    one = parse_error_body('{"success": false, "data": null, "meta": {"message": "X"}}')
    assert one.message == "X" and one.code is None
    two = parse_error_body('{"success":false,"meta":{"message":"M","errors":{"f":["a","b"]}}}')
    assert two.field_errors == {"f": ("a", "b")}
    three = parse_error_body('{"errors": {"code": "437", "id": 2, "message": "Пересечение"}}')
    assert (three.code, three.appointment_id, three.message) == (437, 2, "Пересечение")
    four = parse_error_body("Bad Gateway")
    assert four.message == "Bad Gateway" and four.field_errors == {}
    assert parse_error_body("").message == ""


async def test_a_wrong_shaped_book_record_body_is_looked_up_not_reported_as_failed(
    sandbox: RunningSandbox, make_client: ClientFactory
) -> None:
    """201 created the record but its body is garbage: the booking is found by api_id."""
    backend = YClientsBackend(await make_client())
    day = TOMORROW
    [slot, *_] = await backend.free_slots(BARI, day, [HAIRCUT])
    sandbox.control.add_fault(
        {
            "endpoint": "book_record",
            "status": 201,
            "json": {"success": True, "data": {"x": 1}},
            "process": True,
        }
    )
    request = BookingRequest(
        phone="79990001122",
        fullname="Ира",
        api_id="wa-garbage-201",
        appointments=(Appointment(BARI, (HAIRCUT,), slot.datetime_iso),),
    )
    confirmation = await backend.book(request)
    assert confirmation.recovered or confirmation.record_hash is None
    created = [r for r in sandbox.salon.records.values() if r.api_id == "wa-garbage-201"]
    assert len(created) == 1 and confirmation.record_id == created[0].id
