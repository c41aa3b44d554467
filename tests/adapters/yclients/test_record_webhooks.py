"""Record webhooks of the sandbox and the client's side of later changes, over real HTTP.

The sandbox posts every change the way YClients does (one edit: several identical
`update` events, sent once, no retries); the administrator moves and deletes visits through
the control routes; the client marks a visit confirmed with the admin edit call and
cancels with a record's hash; our webhook model reads full and partial bodies.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import aiohttp
import pytest

from adapters.yclients import YClientsBackend, YClientsClient, build_backend
from adapters.yclients.record_webhook import WebhookBodyError, parse_record_webhook
from adapters.yclients.sandbox import (
    RunningSandbox,
    SandboxSalon,
    load_fixture,
    running_sandbox,
)
from states.salon import Appointment, BookingRequest
from states.salon_errors import RequestRejected, SalonNotFound
from tests.adapters.yclients.conftest import (
    ARTYOM,
    BARI,
    BEARD,
    HAIRCUT,
    MOSCOW,
    NOW,
    TODAY,
    ClientFactory,
)
from tests.support.webhook_sink import WebhookSink

ADMIN = "/_sandbox/admin/records"


@pytest.fixture
def sandbox(hooked_sandbox: RunningSandbox) -> RunningSandbox:
    return hooked_sandbox


async def control(sandbox: RunningSandbox, method: str, path: str, body: Any = None) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, sandbox.base_url + path, json=body) as response,
    ):
        return response.status, await response.json()


async def book(backend: YClientsBackend, hour: int = 18, api_id: str = "wa-test-1") -> int:
    slot = f"2025-07-24T{hour:02d}:00:00+03:00"
    confirmation = await backend.book(
        BookingRequest("79990001122", "Ира", (Appointment(BARI, (HAIRCUT,), slot),), api_id)
    )
    return confirmation.record_id


async def test_a_booking_is_posted_once_as_create(
    backend: YClientsBackend, sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    record_id = await book(backend)
    await sandbox.webhooks.drain()
    [body] = sink.bodies
    assert set(body) == {"company_id", "resource", "resource_id", "status", "data"}
    assert (body["resource"], body["status"], body["resource_id"]) == (
        "record",
        "create",
        record_id,
    )
    change = parse_record_webhook(json.dumps(body)).change()
    assert change is not None
    assert (change.record_id, change.api_id, change.phone, change.staff_id) == (
        record_id, "wa-test-1", "79990001122", BARI)  # fmt: skip
    assert change.service_ids == (HAIRCUT,) and change.master == "Бари"
    assert change.start == "2025-07-24T18:00:00+03:00"


async def test_one_edit_is_several_identical_updates(
    backend: YClientsBackend, sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    record_id = await book(backend)
    await backend.reschedule(record_id, "2025-07-24T19:00:00+03:00")
    await sandbox.webhooks.drain()
    # In no guaranteed order: the create may come after an update.
    assert sorted(sink.statuses(record_id)) == ["create", "update", "update", "update", "update"]
    updates = [b for b in sink.bodies if b["status"] == "update"]
    assert all(u == updates[0] for u in updates)
    assert updates[0]["data"]["datetime"] == "2025-07-24T19:00:00+03:00"
    sandbox.webhooks.configure(update_copies=2)
    await backend.reschedule(record_id, "2025-07-24T20:00:00+03:00")
    await sandbox.webhooks.drain()
    assert sink.statuses(record_id).count("update") == 6


async def test_the_administrator_creates_moves_and_deletes(
    sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    status, created = await control(sandbox, "POST", ADMIN, {
        "phone": "+7 999 000-55-66", "name": "Олег", "staff_id": BARI,
        "service_ids": [HAIRCUT, BEARD], "datetime": "2025-07-25T12:00:00"})  # fmt: skip
    assert status == 201 and created["api_id"] == "" and created["online"] is False
    record_id = created["id"]
    status, moved = await control(
        sandbox, "PUT", f"{ADMIN}/{record_id}", {"datetime": "2025-07-25T15:30:00+03:00"}
    )
    assert status == 200 and moved["datetime"] == "2025-07-25T15:30:00+03:00"
    status, _ = await control(sandbox, "DELETE", f"{ADMIN}/{record_id}")
    assert status == 200 and sandbox.salon.records[record_id].deleted
    await sandbox.webhooks.drain()
    assert sorted(sink.statuses(record_id)) == ["create", "delete"] + ["update"] * 4
    changes = {
        c.status: c for b in sink.bodies if (c := parse_record_webhook(json.dumps(b)).change())
    }
    assert changes["update"].start == "2025-07-25T15:30:00+03:00"
    assert changes["delete"].deleted is True
    assert (changes["create"].phone, changes["create"].api_id) == ("79990005566", None)
    status, refused = await control(
        sandbox, "PUT", f"{ADMIN}/{record_id}", {"datetime": "2025-07-25T16:00:00"}
    )
    assert status == 404 and refused["meta"]["message"] == "Запись не найдена."


async def test_partial_updates_carry_only_what_changed(
    backend: YClientsBackend, sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    record_id = await book(backend)
    sandbox.webhooks.configure(partial=True, update_copies=1)
    await backend.reschedule(record_id, "2025-07-24T19:00:00+03:00")
    await sandbox.webhooks.drain()
    [update] = [b for b in sink.bodies if b["status"] == "update"]
    assert set(update["data"]) == {"id", "date", "datetime"}
    change = parse_record_webhook(json.dumps(update)).change()
    assert change is not None and change.start == "2025-07-24T19:00:00+03:00"
    assert (change.phone, change.staff_id, change.service_ids, change.attendance) == (None,) * 4


async def test_sent_once_without_retries(
    backend: YClientsBackend, sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    sink.fail_status = 500
    record_id = await book(backend)
    await sandbox.webhooks.drain()
    sandbox.webhooks.configure(url="http://127.0.0.1:9/nowhere")  # nothing listens there
    await backend.reschedule(record_id, "2025-07-24T19:00:00+03:00")
    await sandbox.webhooks.drain()
    await sandbox.webhooks.drain()
    answered = [d for d in sandbox.webhooks.deliveries if d.http_status is not None]
    assert [(d.status, d.http_status) for d in answered] == [("create", 500)]
    assert len(sink.bodies) == 1  # the 500 was not retried
    refused = [d for d in sandbox.webhooks.deliveries if d.http_status is None]
    assert len(refused) == 4 and all(d.http_status is None and d.error for d in refused)


async def test_webhooks_control_route(sandbox: RunningSandbox, sink: WebhookSink) -> None:
    status, shown = await control(sandbox, "POST", "/_sandbox/webhooks", {"update_copies": 3})
    assert (
        status == 200
        and shown["config"]["update_copies"] == 3
        and shown["config"]["url"] == sink.url
    )
    status, error = await control(sandbox, "POST", "/_sandbox/webhooks", {"copies": 3})
    assert status == 400 and "copies" in error["error"]
    status, shown = await control(sandbox, "DELETE", "/_sandbox/webhooks")
    assert status == 200 and shown["deliveries"] == []


async def test_confirm_visit_sets_attendance_2_through_the_admin_edit(
    backend: YClientsBackend, sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    record_id = await book(backend)
    confirmed = await backend.confirm_visit(record_id)
    assert confirmed.attendance == 2
    record = sandbox.salon.records[record_id]
    assert record.attendance == 2 and record.api_id == "wa-test-1"
    assert record.start == datetime(2025, 7, 24, 18, 0, tzinfo=MOSCOW)  # nothing else moved
    [call] = sandbox.control.calls("update_record", "PUT")
    assert call.json["attendance"] == 2 and call.json["save_if_busy"] is True
    assert call.json["send_sms"] is False and call.json["staff_id"] == BARI
    assert call.headers["Authorization"] == "Bearer <partner>, User <user>"
    await sandbox.webhooks.drain()
    updates = [b for b in sink.bodies if b["status"] == "update"]
    assert len(updates) == 4 and updates[0]["data"]["attendance"] == 2


async def test_the_admin_edit_requires_the_whole_record(client: YClientsClient) -> None:
    with pytest.raises(RequestRejected) as refused:
        await client.update_record(600000001, {"attendance": 2})
    assert refused.value.status == 422 and "staff_id" in refused.value.field_errors


async def test_confirming_a_deleted_visit_is_not_found(
    backend: YClientsBackend, client: YClientsClient
) -> None:
    record_id = await book(backend)
    await client.delete_record(record_id)
    with pytest.raises(SalonNotFound):
        await backend.confirm_visit(record_id)


async def test_cancel_with_the_record_hash_needs_no_user_token(
    backend: YClientsBackend, sandbox: RunningSandbox, make_client: ClientFactory, sink: WebhookSink
) -> None:
    slot = "2025-07-24T18:00:00+03:00"
    booked = await backend.book(
        BookingRequest("79990001122", "Ира", (Appointment(BARI, (HAIRCUT,), slot),), "wa-hash")
    )
    partner_only = await make_client(user_token=None)
    with pytest.raises(SalonNotFound):
        await partner_only.delete_user_record(booked.record_id, "not-the-hash")
    assert booked.record_hash is not None
    await partner_only.delete_user_record(booked.record_id, booked.record_hash)
    assert sandbox.salon.records[booked.record_id].deleted
    await sandbox.webhooks.drain()
    assert sorted(sink.statuses(booked.record_id)) == ["create", "delete"]


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"{}", b'{"resource": "record"}', b'{"resource": "record", "status": "moved",'
     b' "resource_id": 1}', b"not json", b'{"resource": "record", "status": "update", '
     b'"resource_id": "x"}'],
)  # fmt: skip
def test_malformed_bodies_are_a_clear_error(body: bytes) -> None:
    with pytest.raises(WebhookBodyError, match="not a YClients webhook body"):
        parse_record_webhook(body)


def test_lenient_reading_of_what_yclients_sends() -> None:
    hook = parse_record_webhook(
        b'{"company_id": "1088406", "resource": "record", "resource_id": "600000001",'
        b' "status": "update", "data": {"id": 600000001, "staff": [], "client": [],'
        b' "services": [], "api_id": 42, "attendance": "2", "position": []}}'
    )
    change = hook.change()
    assert change is not None
    assert (change.api_id, change.attendance, change.phone, change.master) == ("42", 2, None, None)
    other = parse_record_webhook(b'{"resource": "client", "status": "update", "resource_id": 5}')
    assert other.change() is None
    assert NOW.date() == TODAY


async def test_position_is_an_object_or_an_empty_array() -> None:
    fixture = load_fixture()
    staff = tuple(
        dataclasses.replace(s, position=None) if s.id == BARI else s for s in fixture.staff
    )
    salon = SandboxSalon(dataclasses.replace(fixture, staff=staff), clock=lambda: NOW)
    async with running_sandbox(salon) as sandbox:
        backend = build_backend(
            sandbox.base_url, sandbox.partner_token, sandbox.company_id, sandbox.user_token
        )
        try:
            raw = await backend.client.book_staff()
            positions = {s.id: s.position for s in raw}
            assert positions[BARI] is None and positions[ARTYOM] is not None
            assert {m.id for m in await backend.masters()} >= {BARI, ARTYOM}
            records = await backend.client.records()
            assert {r.staff.id for r in records if r.staff and r.staff.position} >= {ARTYOM}
        finally:
            await backend.client.close()
