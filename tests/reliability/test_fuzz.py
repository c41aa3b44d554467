"""Property-based fuzzing of the two doors where anything can come in.

- `POST /webhook/whatsapp/batched` (the real app over real HTTP, a real Batcher on Redis):
  random JSON, venom-shaped objects with fields of random types, and random bytes never
  get a 500: always 200, 400 or 413. The JSON includes lone surrogates (`"\ud800"`),
  deep nesting and numbers of thousands of digits (issue 11).
- `POST /webhook/whatsapp/cloud` with a valid signature over random bytes and random
  Cloud-shaped JSON: the same.
- Header values of random bytes (written by hand on a socket) in `X-Webhook-Token`,
  `Authorization`, `X-Hub-Signature-256` and the console's session cookie: a 4xx, never
  a 5xx; the console's login form posted as random bytes and broken multipart: the same.
- The offline slot filler: random text (emoji, control characters, very long strings) in
  random dialogue states, with random slots, offered options and clocks: never an
  exception, always a `SlotFill` that validates.

Example counts are bounded so the suite stays quick; `deadline=None` because the first
examples pay for warming caches (pymorphy, dateparser).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adapters.console.app import mount_console
from adapters.fillers.labelled import catalogue_from_salon
from adapters.fillers.offline import OfflineFiller
from adapters.webhook.app import build_webhook_app
from adapters.webhook.cloud_signature import expected_signature
from adapters.webhook.context import CloudConfig, WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.console_data import EngineConsoleData
from engine.conversations import ConversationStore
from engine.health import RedisHealth
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from states.slot_fill import FillRequest, OfferedOption, SlotFill
from tests.support.raw_http import raw_request, request_head

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = catalogue_from_salon(REPO / "fixtures" / "salon" / "demo.yaml")
FILLER = OfflineFiller()
SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

# Text with lone surrogates: legal in JSON ("\udc80"), not encodable as UTF-8.
surrogate_text = st.text(
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.characters(), max_size=20
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=50)
    | surrogate_text
    | st.integers(min_value=10**40, max_value=10**4000)  # past the int parsing limits
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
chat_ids = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A[0-9]{1,16}@(c\.us|lid|g\.us|s\.whatsapp\.net)\Z"),
    st.just("status@broadcast"),
)
venom_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=40), json_values),
        "from": st.one_of(chat_ids, json_values),
        "body": st.one_of(st.text(), json_values),
        "type": st.one_of(st.sampled_from(["chat", "ptt", "image", "sticker", ""]), json_values),
        "timestamp": st.one_of(st.floats(), st.integers(), json_values),
        "isGroupMsg": json_values,
        "fromMe": json_values,
        "sender": st.one_of(st.fixed_dictionaries({"pushname": json_values}), json_values),
        "notifyName": json_values,
    },
)

# Well-formed venom messages with random content (these reach the Batcher and Redis),
# and the same with one field swapped for a random JSON value.
valid_venom = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=60),
        "from": st.from_regex(r"\A[0-9]{1,16}@(c\.us|lid)\Z"),
        "body": st.text(max_size=500),
        "type": st.sampled_from(["chat", "ptt", "image", "sticker", "ревю", ""]),
    },
    optional={
        "timestamp": st.floats() | st.integers(),
        "sender": st.fixed_dictionaries({"pushname": st.text(max_size=40) | st.none()}),
        "notifyName": st.text(max_size=40),
    },
)
deeply_nested = st.tuples(st.integers(min_value=60, max_value=20_000), json_values).map(
    lambda t: "[" * t[0] + json.dumps(t[1]) + "]" * t[0]
)
mutated_venom = st.tuples(
    valid_venom, st.sampled_from(["id", "from", "body", "type", "timestamp", "sender"]), json_values
).map(lambda t: {**t[0], t[1]: t[2]})


def encode(value: Any) -> bytes:
    # allow_nan: Python's json (and so the webhook's parser) reads NaN and Infinity;
    # ensure_ascii writes lone surrogates as escapes, as a buggy gateway would.
    return json.dumps(value, allow_nan=True).encode()


TOKEN, ADMIN, SECRET = "fuzz-webhook-token", "fuzz-admin-token", "fuzz-app-secret"


@pytest.fixture
async def webhook(redis: AsyncRedis, keys: Keys) -> AsyncIterator[TestClient[Any, Any]]:
    batcher = Batcher(redis, keys, BatchPolicy(), SystemClock())
    app = build_webhook_app(batcher, RedisHealth(redis), WebhookConfig())
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def guarded(redis: AsyncRedis, keys: Keys) -> AsyncIterator[TestClient[Any, Any]]:
    """The webhook with every token set and the Cloud route open (signed)."""
    batcher = Batcher(redis, keys, BatchPolicy(), SystemClock())
    config = WebhookConfig(
        webhook_token=TOKEN,
        admin_token=ADMIN,
        cloud=CloudConfig(verify_token="fuzz-verify", app_secret=SECRET),
    )
    store = ConversationStore(redis, keys, SystemClock(), idle_ttl_s=3600)
    app = build_webhook_app(batcher, RedisHealth(redis), config)
    mount_console(app, EngineConsoleData(store, batcher, "Europe/Moscow"), ADMIN)  # as served
    async with TestClient(TestServer(app)) as client:
        yield client


async def post(client: TestClient[Any, Any], raw: bytes) -> int:
    response = await client.post(
        "/webhook/whatsapp/batched", data=raw, headers={"Content-Type": "application/json"}
    )
    await response.read()
    return response.status


@settings(max_examples=250, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    body=st.one_of(
        valid_venom.map(encode),
        mutated_venom.map(encode),
        venom_like.map(encode),
        json_values.map(encode),
        deeply_nested.map(str.encode),
        st.binary(max_size=300),
    )
)
async def test_webhook_never_answers_500(webhook: TestClient[Any, Any], body: bytes) -> None:
    status = await post(webhook, body)
    event(f"status {status}")  # --hypothesis-show-statistics: how many reached the queue
    assert status in (200, 400, 413)


cloud_messages = st.fixed_dictionaries(
    {
        "from": st.one_of(st.from_regex(r"\A[0-9]{5,16}\Z"), st.text(max_size=20)),
        "id": st.text(min_size=1, max_size=40),
        "type": st.sampled_from(["text", "button", "interactive", "image", "reaction"]),
        "text": st.fixed_dictionaries({"body": st.text(max_size=200) | surrogate_text}),
    },
    optional={"timestamp": st.text(max_size=12) | json_values},
)
cloud_bodies = st.builds(
    lambda messages, name: {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "messages": messages,
            "contacts": [{"wa_id": "79161234567", "profile": {"name": name}}],
        }}]}],
    },
    st.lists(cloud_messages, max_size=3),
    st.text(max_size=20) | surrogate_text | json_values,
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    body=st.one_of(
        cloud_bodies.map(encode),
        json_values.map(encode),
        deeply_nested.map(str.encode),
        st.binary(max_size=300),
    )
)
async def test_signed_cloud_posts_never_get_500(guarded: TestClient[Any, Any], body: bytes) -> None:
    response = await guarded.post(
        "/webhook/whatsapp/cloud",
        data=body,
        headers={"X-Hub-Signature-256": expected_signature(body, SECRET)},
    )
    await response.read()
    event(f"status {response.status}")
    assert response.status in (200, 400, 413)


# Any bytes but the line breaks that end a header line.
header_values = st.binary(max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
HEADER_DOORS = [
    ("POST", "/webhook/whatsapp/batched", "X-Webhook-Token", b""),
    ("GET", "/webhook/whatsapp/batched/stats", "Authorization", b"Bearer "),
    ("POST", "/webhook/whatsapp/cloud", "X-Hub-Signature-256", b"sha256="),
    ("GET", "/admin/", "Cookie", b"ai_admin_console_session="),
]


@settings(max_examples=150, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(door=st.sampled_from(HEADER_DOORS), value=header_values, prefixed=st.booleans())
async def test_header_values_of_any_bytes_never_get_500(
    guarded: TestClient[Any, Any], door: tuple[str, str, str, bytes], value: bytes, prefixed: bool
) -> None:
    method, path, header, prefix = door
    body = (
        encode({"id": "m1", "from": "79161234567@c.us", "body": "x"}) if method == "POST" else b""
    )
    head = request_head(
        method, path, [(header, (prefix if prefixed else b"") + value)], len(body) or None
    )
    assert guarded.server.port is not None
    status, _ = await raw_request(guarded.server.port, head + body)
    event(f"status {status}")
    assert 300 <= status < 500  # refused (or sent to the console's login), never a 5xx


async def test_webhook_oversized_bodies_get_413(webhook: TestClient[Any, Any]) -> None:
    big = {"id": "x1", "from": "79161234567@c.us", "body": "я" * 40_000}  # 80,000 bytes
    assert await post(webhook, encode(big)) == 413
    assert await post(webhook, b"{" + b" " * 300_000 + b"}") == 413  # past the request cap


states = st.sampled_from(
    ["idle", "collecting", "suggesting", "confirming", "booking", "booked", "cancelling",
     "rescheduling", "nonsense"]
)  # fmt: skip
texts = st.one_of(
    st.text(),  # every Unicode category, control characters and emoji included
    st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя0123456789:. -", max_size=200),
    st.lists(st.sampled_from(["завтра", "в 18", "к Бари", "стрижка", "да", "нет", "😀", "\x00",
                              "\u202e", "2", "через неделю", "31.02", "25:99"]),
             max_size=30).map(" ".join),
    st.text(min_size=1, max_size=3).map(lambda s: s * 5000),  # long, repetitive
)  # fmt: skip
hhmm = st.from_regex(r"\A([01][0-9]|2[0-3]):[0-5][0-9]\Z")
options = st.lists(
    st.builds(
        OfferedOption,
        date=st.dates().map(dt.date.isoformat),
        time=hhmm,
        master=st.none() | st.sampled_from(list(CATALOGUE.masters)) | st.text(max_size=10),
    ),
    max_size=6,
).map(tuple)
slots = st.dictionaries(
    st.sampled_from(["service_ids", "staff_id", "date", "time", "other"]), json_values, max_size=5
)
requests = st.builds(
    FillRequest,
    text=texts,
    state=states,
    catalogue=st.just(CATALOGUE),
    now=st.datetimes(
        min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    timezone=st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "UTC", "America/New_York"]),
    slots=slots,
    options=options,
    expecting=st.none() | st.sampled_from(["name", "phone", "service", "master", "date", "time"]),
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests)
async def test_offline_filler_never_raises_and_returns_a_valid_fill(request: FillRequest) -> None:
    fill = await FILLER.fill(request)
    assert isinstance(fill, SlotFill)
    SlotFill.model_validate(fill.model_dump())  # what it returns passes its own validation


async def test_offline_filler_reads_a_64_kib_batch() -> None:
    text = ("Запишите на стрижку завтра в 18:00 к Бари 😀\n" * 1500)[:65_536]
    fill = await FILLER.fill(
        FillRequest(text=text, state="idle", catalogue=CATALOGUE,
                    now=dt.datetime(2025, 7, 23, 12, tzinfo=dt.UTC), timezone="Europe/Moscow")
    )  # fmt: skip
    SlotFill.model_validate(fill.model_dump())


form_types = st.sampled_from(
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "multipart/form-data", "text/plain; charset=nonesuch", "application/json"]
)  # fmt: skip
multipart_bodies = st.lists(
    st.tuples(st.binary(max_size=40), st.binary(max_size=40)), max_size=3
).map(
    lambda parts: (
        b"".join(b"--x\r\n" + head + b"\r\n\r\n" + value + b"\r\n" for head, value in parts)
        + b"--x--\r\n"
    )
)


@settings(max_examples=100, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(content_type=form_types, body=st.binary(max_size=300) | multipart_bodies)
async def test_console_forms_of_any_bytes_never_get_500(
    guarded: TestClient[Any, Any], content_type: str, body: bytes
) -> None:
    headers = [("Content-Type", content_type.encode())]
    assert guarded.server.port is not None
    status, _ = await raw_request(
        guarded.server.port, request_head("POST", "/admin/login", headers, len(body)) + body
    )
    event(f"status {status}")
    assert 200 <= status < 500
