"""Fuzzing the YClients record webhook (issue 16), the third door where anything comes in:
random JSON, record-shaped objects whose fields have random types, deep nesting, huge
numbers and random bytes never get a 5xx from `POST /webhook/yclients/{secret}` — always
200, 400 or 413 — and every event the route kept is read back and decided on by the record
sync without an exception (a bad date or an odd type is "incomplete", never a crash)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import event, given, settings
from hypothesis import strategies as st

from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig, YClientsWebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.record_sync import RecordLog, RecordSync
from engine.record_sync.events import RecordEvents
from engine.redis_conn import AsyncRedis
from tests.reliability.test_fuzz import SHARED_FIXTURES, deeply_nested, encode, json_values

SECRET = "fuzz-yclients-secret"
PATH = f"/webhook/yclients/{SECRET}"

real_moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)
).flatmap(
    lambda moment: st.sampled_from(
        [moment.isoformat(sep=" ", timespec="seconds"), f"{moment.isoformat()}+03:00",
         f"{moment.isoformat(timespec='seconds')}+0500"]
    )
)  # fmt: skip
moments = st.one_of(
    real_moments,
    st.from_regex(
        r"\A20[0-9]{2}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:?[0-9]{2})?\Z"
    ),
    st.text(max_size=30),
    json_values,
)
record_data = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers(min_value=-5, max_value=10**12) | json_values,
        "datetime": moments,
        "date": moments,
        "staff_id": st.integers(min_value=0, max_value=10**9) | json_values,
        "staff": st.fixed_dictionaries({"id": json_values, "name": json_values}) | json_values,
        "services": st.lists(
            st.fixed_dictionaries({"id": json_values, "title": json_values}), max_size=3
        )
        | json_values,
        "client": st.fixed_dictionaries(
            {"phone": st.from_regex(r"\A\+?[0-9 ()-]{0,16}\Z") | json_values, "name": json_values}
        )
        | json_values,
        "attendance": st.sampled_from([-1, 0, 1, 2, "2", 7]) | json_values,
        "deleted": st.booleans() | json_values,
        "api_id": json_values,
        "seance_length": json_values,
        "last_change_date": moments,
    },
)
# Records YClients could send: right types, random values (these reach the record sync).
plausible_data = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=10**12)},
    optional={
        "datetime": real_moments | moments,
        "staff_id": st.integers(min_value=0, max_value=10**9),
        "staff": st.fixed_dictionaries({"id": st.integers(0, 10**9), "name": st.text(max_size=20)}),
        "services": st.lists(
            st.fixed_dictionaries({"id": st.integers(0, 10**9), "title": st.text(max_size=20)}),
            max_size=3,
        ),
        "client": st.fixed_dictionaries(
            {"phone": st.from_regex(r"\A\+?[0-9 ()-]{0,16}\Z"), "name": st.text(max_size=20)}
        )
        | st.just([]),
        "attendance": st.sampled_from([-1, 0, 1, 2, "2"]),
        "deleted": st.booleans(),
        "api_id": st.text(max_size=30) | st.integers(0, 10**6),
        "last_change_date": moments,
    },
)
plausible_hooks = st.fixed_dictionaries(
    {
        "resource": st.just("record"),
        "status": st.sampled_from(["create", "update", "delete"]),
        "resource_id": st.integers(min_value=1, max_value=10**12),
        "company_id": st.just(1088406),
        "data": plausible_data,
    }
)
record_hooks = st.fixed_dictionaries(
    {
        "resource": st.sampled_from(["record", "client", ""]) | json_values,
        "status": st.sampled_from(["create", "update", "delete", "moved"]) | json_values,
        "resource_id": st.integers(min_value=0, max_value=10**12) | json_values,
    },
    optional={"company_id": st.just(1088406) | json_values, "data": record_data | json_values},
)  # fmt: skip


@pytest.fixture
async def hook(
    redis: AsyncRedis, keys: Keys
) -> AsyncIterator[tuple[TestClient[Any, Any], RecordEvents, RecordSync]]:
    clock = SystemClock()
    events = RecordEvents(redis, keys, clock)
    config = WebhookConfig(yclients=YClientsWebhookConfig(SECRET, 1088406))
    batcher = Batcher(redis, keys, BatchPolicy(), clock)
    app = build_webhook_app(batcher, RedisHealth(redis), config, None, None, record_events=events)
    sync = RecordSync(RecordLog(redis, keys, clock), "Europe/Moscow", clock)
    async with TestClient(TestServer(app)) as client:
        yield client, events, sync


@settings(max_examples=200, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    body=st.one_of(
        plausible_hooks.map(encode),
        plausible_hooks.map(encode),
        record_hooks.map(encode),
        json_values.map(encode),
        deeply_nested.map(str.encode),
        st.binary(max_size=300),
    )
)
async def test_record_webhooks_never_get_500_and_kept_events_are_decided(
    hook: tuple[TestClient[Any, Any], RecordEvents, RecordSync], body: bytes
) -> None:
    client, events, sync = hook
    response = await client.post(PATH, data=body, headers={"Content-Type": "application/json"})
    answer = await response.read()
    event(f"status {response.status}")
    assert response.status in (200, 400, 413)
    if response.status != 200 or json.loads(answer)["status"] != "queued":
        return
    for bucket, due in await events.next_due():
        for member in await events.due_members(bucket, 2**62, 10) if due is not None else []:
            kept = await events.claim(member)
            assert kept is not None
            effect = await sync.handle(kept.change, kept.id)
            event(f"effect {effect.kind}")
            await events.finish(kept, "done")
