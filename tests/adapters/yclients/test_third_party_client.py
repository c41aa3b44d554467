"""The sandbox as the third-party `yclients` client (PyPI, generated from YClients' OpenAPI
spec; the reference's [GEN]) sees it, over real HTTP.

It found three gaps, now closed: a master's `position` is an object, `api_id` is echoed as
the text that was sent, and `DELETE /api/v1/user/records/{record_id}/{record_hash}` exists.
Where that client's spec is wrong against [APIB] (it types a single record's `client` as
a string) we follow [APIB], so `records.get` is not used here.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from yclients import YclientsClient, parse_webhook
from yclients.webhooks import RecordWebhook

from adapters.yclients.sandbox import (
    RunningSandbox,
    record_changes,
)
from tests.adapters.yclients.conftest import BARI, COMPANY_ID, HAIRCUT
from tests.support.webhook_sink import WebhookSink

BOOKING = {
    "phone": "79990001122", "fullname": "Ира", "email": "", "api_id": "wa-third-party",
    "appointments": [{"id": 1, "services": [HAIRCUT], "staff_id": BARI,
                      "datetime": "2025-07-24T18:00:00+03:00"}],
}  # fmt: skip


@pytest.fixture
def sandbox(hooked_sandbox: RunningSandbox) -> RunningSandbox:
    return hooked_sandbox


@pytest.fixture
async def third_party(sandbox: RunningSandbox) -> AsyncIterator[YclientsClient]:
    client = YclientsClient(
        sandbox.partner_token, sandbox.user_token, base_url=sandbox.base_url, max_retries=0
    )
    async with client:
        yield client


async def test_staff_with_position_objects(third_party: YclientsClient) -> None:
    staff = await third_party.booking.list_staff(COMPANY_ID)
    positions = {s.name: s.position for s in staff}
    assert positions["Бари"] is not None and positions["Бари"].title == "Старший барбер"


async def test_records_and_api_id_as_sent(third_party: YclientsClient) -> None:
    [booked] = await third_party.booking.create(COMPANY_ID, BOOKING)  # type: ignore[arg-type]
    records = await third_party.records.list(COMPANY_ID)
    ours = [r for r in records if r.id_ == booked.record_id]
    assert [r.api_id for r in ours] == ["wa-third-party"]
    assert ours[0].staff is not None and ours[0].staff.position is not None
    assert all(r.api_id == "" for r in records if r.id_ != booked.record_id)


async def test_delete_a_user_record_by_its_hash(
    third_party: YclientsClient, sandbox: RunningSandbox
) -> None:
    [booked] = await third_party.booking.create(COMPANY_ID, BOOKING)  # type: ignore[arg-type]
    assert booked.record_id is not None and booked.record_hash is not None
    # Its spec types the id as a float: "600000008.0" in a path is no record id.
    await third_party.user_records.delete(int(booked.record_id), booked.record_hash)
    assert sandbox.salon.records[int(booked.record_id)].deleted


async def test_webhook_bodies_parse(
    third_party: YclientsClient, sandbox: RunningSandbox, sink: WebhookSink
) -> None:
    [booked] = await third_party.booking.create(COMPANY_ID, BOOKING)  # type: ignore[arg-type]
    assert booked.record_id is not None
    record = sandbox.salon.records[int(booked.record_id)]
    record_changes.edit(sandbox.salon, record, attendance=2)
    record_changes.delete(sandbox.salon, record)
    await sandbox.webhooks.drain()
    assert len(sink.bodies) == 6
    for body in sink.bodies:
        event = parse_webhook(json.dumps(body))
        assert isinstance(event, RecordWebhook) and event.data is not None
        assert event.data.api_id == "wa-third-party"
        assert event.data.staff is not None and event.data.staff.position is not None
