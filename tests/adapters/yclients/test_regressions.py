"""Two bugs from the production log, pinned.

1. Availability asked with its parameters in the wrong order reached YClients as another
   branch id: 404 "Филиал не найден.".
2. An appointment went out with `staff_id: "last"` (the model's word for "same master").
"""

from __future__ import annotations

from typing import Any, cast

import aiohttp
import pytest
from pydantic import ValidationError

from adapters.yclients import YClientsBackend, YClientsClient
from adapters.yclients.models import AppointmentPayload
from adapters.yclients.sandbox import RunningSandbox
from states.salon import Appointment, BookingRequest
from states.salon_errors import BookingRejected
from tests.adapters.yclients.conftest import BARI, BEARD, HAIRCUT, TOMORROW

AT_18 = "2025-07-24T18:00:00+03:00"


async def test_book_times_path_order_and_service_ids_query(
    client: YClientsClient, sandbox: RunningSandbox
) -> None:
    await client.book_times(BARI, TOMORROW, [HAIRCUT, BEARD])
    sent = sandbox.control.calls("book_times")[0]
    assert sent.path == f"/api/v1/book_times/1088406/{BARI}/2025-07-24"
    assert sent.query == {"service_ids[]": [str(HAIRCUT), str(BEARD)]}


async def test_wrong_order_is_what_yclients_answers_404_branch_not_found(
    sandbox: RunningSandbox,
) -> None:
    # The production call: staff first, company second. The sandbox answers like YClients.
    url = f"{sandbox.base_url}/api/v1/book_times/{BARI}/1088406/2025-07-24"
    headers = {"Authorization": f"Bearer {sandbox.partner_token}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        body = await answer.json()
    assert answer.status == 404
    assert body["meta"]["message"] == "Филиал не найден."


async def test_book_times_refuses_arguments_of_the_wrong_type(client: YClientsClient) -> None:
    with pytest.raises(TypeError):
        await client.book_times(cast(Any, "2025-07-24"), cast(Any, BARI), [HAIRCUT])
    with pytest.raises(TypeError):
        await client.book_times(BARI, TOMORROW, cast(Any, ["18356010"]))


def test_appointment_refuses_a_word_for_staff_id() -> None:
    with pytest.raises(TypeError):
        Appointment(cast(Any, "last"), (HAIRCUT,), AT_18)
    with pytest.raises(TypeError):
        Appointment(cast(Any, True), (HAIRCUT,), AT_18)
    with pytest.raises(TypeError):
        Appointment(BARI, cast(Any, ("18356010",)), AT_18)


@pytest.mark.parametrize("bad", ["last", "3413963", 3413963.0, None, True])
def test_payload_staff_id_is_a_strict_int(bad: object) -> None:
    with pytest.raises(ValidationError):
        AppointmentPayload(id=1, services=[HAIRCUT], staff_id=cast(Any, bad), datetime=AT_18)


async def test_every_appointment_sent_has_an_integer_staff_id(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    request = BookingRequest(
        "79161234567",
        "Николай",
        (
            Appointment(0, (HAIRCUT,), AT_18),
            Appointment(BARI, (BEARD,), "2025-07-24T19:00:00+03:00"),
        ),
        api_id="wa-int",
    )
    await backend.check_booking(request.appointments)
    await backend.book(request)
    sent = [a for r in sandbox.control.requests if r.json for a in r.json["appointments"]]
    assert len(sent) == 4
    assert all(type(a["staff_id"]) is int for a in sent)


@pytest.mark.parametrize("staff_id", ["last", None, "MISSING"])
async def test_sandbox_rejects_a_missing_or_non_integer_staff_id(
    client: YClientsClient, staff_id: object
) -> None:
    # Sent around the typed layer, as the old code did, to show what YClients answers.
    appointment: dict[str, object] = {"id": 1, "services": [HAIRCUT], "datetime": AT_18}
    if staff_id != "MISSING":
        appointment["staff_id"] = staff_id
    body = {"phone": "79161234567", "fullname": "Николай", "appointments": [appointment]}
    with pytest.raises(BookingRejected) as caught:
        await client.transport.call("POST", "/api/v1/book_record/1088406", json_body=body)
    assert caught.value.status == 422
    assert "appointments.0.staff_id" in caught.value.field_errors
