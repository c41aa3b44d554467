"""Input the service cannot read gets a 4xx, never a 5xx (issue 11, each finding a test).

Real HTTP (requests written by hand where a client library would refuse them), the real
app on a real Batcher and Redis. Found by an outside probe: non-UTF-8 bytes in a token or
signature header, JSON nested 10,000 deep, a 5,000-digit number and a lone surrogate in a
name or a text each answered 500 — and Meta retries a 500 for days. The operator console
is served by the same app: its forms in bytes that are not UTF-8, broken multipart or a
body that never ends get a 4xx as well.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from adapters.console.app import mount_console
from adapters.webhook.app import build_webhook_app
from adapters.webhook.cloud_signature import expected_signature
from adapters.webhook.context import CloudConfig, WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.console_data import EngineConsoleData
from engine.conversations import ConversationStore
from engine.health import RedisHealth
from engine.inspection import Inspector
from engine.keys import Keys
from engine.pauses import PauseStore
from engine.redis_conn import AsyncRedis
from states.messages import InboundMessage
from tests.adapters.webhook.conftest import ServeApp
from tests.support.raw_http import raw_request, request_head

TOKEN = "webhook-token-for-tests"
ADMIN = "admin-token-for-tests"
SECRET = "app-secret-for-tests"
VENOM = "/webhook/whatsapp/batched"
CLOUD = "/webhook/whatsapp/cloud"
PHONE = "79161234567"
# Bytes no header decoder reads as text: invalid UTF-8, a UTF-8-encoded surrogate, NUL-free.
BAD_BYTES = [b"\xff\xfe", b"tok\xc3\x28en", b"\xed\xa0\x80", b"\x80" * 40]


@pytest.fixture
async def service(serve_app: ServeApp, redis: AsyncRedis, keys: Keys) -> TestClient[Any, Any]:
    batcher = Batcher(redis, keys, BatchPolicy(), SystemClock())
    config = WebhookConfig(
        webhook_token=TOKEN,
        admin_token=ADMIN,
        read_timeout_s=1.0,
        cloud=CloudConfig(verify_token="verify", app_secret=SECRET),
    )
    store = ConversationStore(redis, keys, SystemClock(), idle_ttl_s=3600)
    inspector = Inspector(store, batcher, PauseStore(redis, keys, SystemClock()))
    app = build_webhook_app(batcher, RedisHealth(redis), config, inspector)
    mount_console(app, EngineConsoleData(store, batcher, "Europe/Moscow"), ADMIN)  # as served
    return await serve_app(app)


def port(service: TestClient[Any, Any]) -> int:
    assert service.server.port is not None
    return service.server.port


def venom(body: str = "Запишите на стрижку", **fields: Any) -> dict[str, Any]:
    return {"id": "m1", "from": f"{PHONE}@c.us", "body": body, **fields}


def cloud(body: str = "Запишите", name: str = "Ира", sender: str = PHONE) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "contacts": [{"wa_id": sender, "profile": {"name": name}}],
        "messages": [
            {"from": sender, "id": "wamid.1", "timestamp": "1741950000", "type": "text",
             "text": {"body": body}}
        ],
    }  # fmt: skip
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip


async def post_venom(service: TestClient[Any, Any], raw: bytes) -> tuple[int, Any]:
    head = request_head("POST", VENOM, [("X-Webhook-Token", TOKEN.encode())], len(raw))
    status, body = await raw_request(port(service), head + raw)
    return status, json.loads(body)


async def post_cloud(service: TestClient[Any, Any], raw: bytes) -> tuple[int, Any]:
    signature = expected_signature(raw, SECRET).encode()
    head = request_head("POST", CLOUD, [("X-Hub-Signature-256", signature)], len(raw))
    status, body = await raw_request(port(service), head + raw)
    return status, json.loads(body)


@pytest.mark.parametrize("value", BAD_BYTES)
async def test_non_utf8_bytes_in_a_token_or_signature_header_get_401(
    service: TestClient[Any, Any], value: bytes
) -> None:
    raw = json.dumps(venom()).encode()
    cases = [
        request_head("POST", VENOM, [("X-Webhook-Token", value)], len(raw)) + raw,
        request_head("GET", f"{VENOM}/stats", [("Authorization", b"Bearer " + value)]),
        request_head("GET", f"/conversations/{PHONE}", [("Authorization", b"Bearer " + value)]),
        request_head("POST", CLOUD, [("X-Hub-Signature-256", b"sha256=" + value)], len(raw)) + raw,
        request_head("GET", f"{CLOUD}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=%ff", []),
    ]
    statuses = [(await raw_request(port(service), data))[0] for data in cases]
    assert statuses == [401, 401, 401, 401, 403]


@pytest.mark.parametrize("post", [post_venom, post_cloud], ids=["venom", "cloud"])
@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "nested deeper than 64"),
        (b'{"a":' * 65 + b"1" + b"}" * 65, "nested deeper than 64"),
        (b'{"id": "m1", "n": ' + b"7" * 5_000 + b"}", "longer than 40 digits"),
    ],
    ids=["10000-deep", "65-deep", "5000-digits"],
)
async def test_deep_json_and_huge_numbers_get_400(
    service: TestClient[Any, Any], post: Any, raw: bytes, reason: str
) -> None:
    status, body = await post(service, raw)
    assert status == 400 and reason in body["error"]


async def test_json_64_deep_is_still_read(service: TestClient[Any, Any]) -> None:
    nested: Any = "x"
    for _ in range(63):  # 63 arrays inside the message object: 64 levels in all
        nested = [nested]
    status, body = await post_venom(service, json.dumps(venom(extra=nested)).encode())
    assert (status, body["status"]) == (200, "queued")


@pytest.mark.parametrize("where", ["body", "pushname"])
async def test_a_lone_surrogate_from_venom_is_replaced_and_queued(
    service: TestClient[Any, Any], redis: AsyncRedis, keys: Keys, where: str
) -> None:
    message = venom(sender={"pushname": "Ира"})
    if where == "body":
        message["body"] = "Запишите\ud800 на завтра"
    else:
        message["sender"] = {"pushname": "Ира\udfff"}
    status, body = await post_venom(service, json.dumps(message).encode())  # "\\ud800" on the wire
    assert (status, body["status"]) == (200, "queued")
    [stored] = await queued(redis, keys)
    assert (stored.body, stored.pushname) == (
        ("Запишите\ufffd на завтра", "Ира")
        if where == "body"
        else ("Запишите на стрижку", "Ира\ufffd")
    )


@pytest.mark.parametrize("where", ["body", "name"])
async def test_a_lone_surrogate_in_a_signed_cloud_post_is_replaced_and_queued(
    service: TestClient[Any, Any], redis: AsyncRedis, keys: Keys, where: str
) -> None:
    payload = cloud(body="Запишите\udbff") if where == "body" else cloud(name="\ud800Ира")
    status, body = await post_cloud(service, json.dumps(payload).encode())
    assert (status, body["queued"]) == (200, 1)
    [stored] = await queued(redis, keys)
    expected = ("Запишите\ufffd", "Ира") if where == "body" else ("Запишите", "\ufffdИра")
    assert (stored.body, stored.pushname) == expected


async def test_a_body_that_never_finishes_gets_408_within_the_read_timeout(
    service: TestClient[Any, Any],
) -> None:
    head = request_head("POST", VENOM, [("X-Webhook-Token", TOKEN.encode())], 1000)
    status, body = await raw_request(port(service), head + b'{"id": "m1", ', timeout_s=5)
    assert status == 408 and "not received within 1 s" in json.loads(body)["error"]


async def queued(redis: AsyncRedis, keys: Keys) -> list[InboundMessage]:
    """The messages waiting in the phone's pending batch, as the worker will read them."""
    raw = await redis.lrange(keys.phone_keys(PHONE).pending, 0, -1)
    return [InboundMessage.from_stored(item) for item in raw]


FORM = "application/x-www-form-urlencoded"
LOGIN = "/admin/login"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (FORM, b"token=\xff\xfe&next=%2Fadmin%2F"),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken"),
        ("multipart/form-data; boundary=x",
         b'--x\r\nContent-Type: text/plain; charset=nonesuch\r\n'
         b'Content-Disposition: form-data; name="token"\r\n\r\nabc\r\n--x--\r\n'),
        ("multipart/form-data; boundary=x",
         b'--x\r\nContent-Disposition: form-data; name="token"\r\n\r\n\xff\r\n--x--\r\n'),
    ],
    ids=["form-not-utf8", "multipart-broken", "multipart-charset", "multipart-not-utf8"],
)  # fmt: skip
async def test_a_console_form_that_cannot_be_read_gets_400(
    service: TestClient[Any, Any], content_type: str, body: bytes
) -> None:
    head = request_head(
        "POST", "/admin/login", [("Content-Type", content_type.encode())], len(body)
    )
    status, _ = await raw_request(port(service), head + body)
    assert status == 400


async def test_a_console_form_that_never_finishes_gets_408(service: TestClient[Any, Any]) -> None:
    head = request_head("POST", "/admin/login", [("Content-Type", FORM.encode())], 500)
    status, _ = await raw_request(port(service), head + b"token=", timeout_s=5)
    assert status == 408
