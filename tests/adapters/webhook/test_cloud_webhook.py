"""The WhatsApp Cloud API webhook over real HTTP, on a real Batcher and Redis."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.webhook.app import build_webhook_app
from adapters.webhook.cloud_signature import expected_signature
from adapters.webhook.context import CloudConfig, WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import RedisHealth
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for
from states.messages import InboundMessage
from tests.adapters.webhook.conftest import ServeApp

PATH = "/webhook/whatsapp/cloud"
SECRET = "app-secret-for-tests"
VERIFY = "verify-me-please"
CLOUD = CloudConfig(verify_token=VERIFY, app_secret=SECRET)

MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


def message(
    wamid: str, sender: str = "79161234567", body: str = "Хочу записаться на стрижку", **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "from": sender,
        "id": wamid,
        "timestamp": "1741950000",
        "type": "text",
        "text": {"body": body},
    }
    data.update(extra)
    return data


def change(
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "74951234567", "phone_number_id": "106540352242922"},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {"field": "messages", "value": value}


def webhook(*changes: dict[str, Any]) -> dict[str, Any]:
    """One entry holding `changes`."""
    return entries(list(changes))


def entries(*per_entry: list[dict[str, Any]]) -> dict[str, Any]:
    """One entry per list of changes, in order."""
    entry = [{"id": f"WABA{n}", "changes": changes} for n, changes in enumerate(per_entry)]
    return {"object": "whatsapp_business_account", "entry": entry}


def contact(wa_id: str, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def status(wamid: str, state: str) -> dict[str, Any]:
    return {"id": wamid, "status": state, "timestamp": "1741950060", "recipient_id": "79161234567"}


def encode(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def signed(raw: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Hub-Signature-256": expected_signature(raw, secret),
        "Content-Type": "application/json",
    }


@pytest.fixture
def batcher(redis: AsyncRedis, keys: Keys) -> Batcher:
    # Due at once, so a test can claim a batch and read what was queued.
    return Batcher(redis, keys, BatchPolicy(quiet_ms=0, max_wait_ms=0), SystemClock())


@pytest.fixture
def make_client(batcher: Batcher, serve_app: ServeApp) -> MakeClient:
    async def make(cloud: CloudConfig = CLOUD, **config: Any) -> TestClient[Any, Any]:
        config_ = WebhookConfig(cloud=cloud, **config)
        return await serve_app(build_webhook_app(batcher, RedisHealth(batcher.redis), config_))

    return make


async def post(client: TestClient[Any, Any], data: object) -> tuple[int, Any]:
    raw = encode(data)
    response = await client.post(PATH, data=raw, headers=signed(raw))
    return response.status, await response.json()


async def queued(batcher: Batcher, phone: str) -> list[InboundMessage]:
    batch = await batcher.claim(phone)
    return list(batch.messages) if batch else []


# --- the verification handshake ---------------------------------------------------------


async def test_handshake_echoes_the_raw_challenge(make_client: MakeClient) -> None:
    client = await make_client()
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY}
    response = await client.get(PATH, params=query)
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert await response.text() == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
async def test_handshake_refuses_wrong_token_or_mode(
    make_client: MakeClient, query: dict[str, str]
) -> None:
    client = await make_client()
    response = await client.get(PATH, params=query)
    assert response.status == 403
    assert "error" in await response.json()


async def test_handshake_refused_while_verify_token_unset(make_client: MakeClient) -> None:
    client = await make_client(cloud=CloudConfig(app_secret=SECRET))
    query = {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""}
    response = await client.get(PATH, params=query)
    assert response.status == 403
    assert "WHATSAPP_VERIFY_TOKEN" in (await response.json())["error"]


# --- signatures -----------------------------------------------------------------------------


async def test_well_signed_message_is_queued(make_client: MakeClient, batcher: Batcher) -> None:
    client = await make_client()
    payload = webhook(change([message("wamid.A")], contacts=[contact("79161234567", "Анна")]))
    assert await post(client, payload) == (
        200,
        {"status": "ok", "queued": 1, "duplicates": 0, "ignored": 0},
    )
    [msg] = await queued(batcher, "79161234567")
    assert msg.id == "wamid.A"
    assert msg.chat == "79161234567@c.us"
    assert msg.type == "chat" and msg.body == "Хочу записаться на стрижку"
    assert msg.timestamp_s == 1741950000.0
    assert msg.pushname == "Анна"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        expected_signature(b"{}", SECRET),  # a valid signature of other bytes
        expected_signature(b"", "another-secret"),
        "sha1=" + "0" * 40,
    ],
)
async def test_missing_or_wrong_signature_is_401(
    make_client: MakeClient, batcher: Batcher, header: str | None
) -> None:
    client = await make_client()
    raw = encode(webhook(change([message("wamid.X")])))
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    response = await client.post(PATH, data=raw, headers=headers)
    assert response.status == 401
    assert "X-Hub-Signature-256" in (await response.json())["error"]
    assert await queued(batcher, "79161234567") == []


async def test_signature_with_other_secret_is_401(make_client: MakeClient) -> None:
    client = await make_client()
    raw = encode(webhook(change([message("wamid.X")])))
    response = await client.post(PATH, data=raw, headers=signed(raw, "not-the-secret"))
    assert response.status == 401


async def test_signature_is_over_the_raw_bytes(make_client: MakeClient, batcher: Batcher) -> None:
    """[Meta C.2] emoji and Cyrillic as Meta sends them; a re-serialised body signs differently."""
    client = await make_client()
    body = "Привет 👋 хочу к Бари на завтра"
    raw = (
        '{"object": "whatsapp_business_account","entry":[{"id":"1","changes":[{"field":'
        '"messages","value":{"messaging_product":"whatsapp","messages":[{"from":"79161234567",'
        f'"id":"wamid.EMOJI","timestamp":"1741950000","type":"text","text":{{"body":"{body}"}}}}'
        "]}}]}]}"
    ).encode()
    reserialised = json.dumps(json.loads(raw)).encode()  # ASCII escapes, other spacing
    assert reserialised != raw
    wrong = await client.post(PATH, data=raw, headers=signed(reserialised))
    assert wrong.status == 401
    right = await client.post(PATH, data=raw, headers=signed(raw))
    assert right.status == 200
    [msg] = await queued(batcher, "79161234567")
    assert msg.body == body


async def test_post_refused_while_app_secret_unset(
    make_client: MakeClient, batcher: Batcher
) -> None:
    client = await make_client(cloud=CloudConfig(verify_token=VERIFY))
    raw = encode(webhook(change([message("wamid.U")])))
    response = await client.post(PATH, data=raw, headers=signed(raw, "anything"))
    assert response.status == 403
    assert "WHATSAPP_APP_SECRET" in (await response.json())["error"]
    assert await queued(batcher, "79161234567") == []


async def test_cloud_route_is_not_behind_webhook_token(make_client: MakeClient) -> None:
    client = await make_client(webhook_token="venom-only")
    status_code, _ = await post(client, webhook(change([message("wamid.T")])))
    assert status_code == 200


# --- payload handling -----------------------------------------------------------------------


async def test_multi_entry_payload_queues_every_message_in_order(
    make_client: MakeClient, batcher: Batcher
) -> None:
    client = await make_client()
    anna, boris = "79161234567", "79035556677"
    payload = entries(
        [
            change(
                [
                    message("wamid.1", anna, "Запишите на стрижку"),
                    message("wamid.2", anna, "Завтра"),
                ],
                contacts=[contact(anna, "Анна")],
            ),
            change([message("wamid.3", boris, "Бороду")], contacts=[contact(boris, "Борис")]),
        ],
        [change([message("wamid.4", anna, "В 18:00"), message("wamid.5", boris, "Сегодня")])],
    )
    assert len(payload["entry"]) == 2
    assert await post(client, payload) == (
        200,
        {"status": "ok", "queued": 5, "duplicates": 0, "ignored": 0},
    )
    anna_batch = await queued(batcher, anna)
    assert [m.id for m in anna_batch] == ["wamid.1", "wamid.2", "wamid.4"]
    assert [m.body for m in anna_batch] == ["Запишите на стрижку", "Завтра", "В 18:00"]
    assert anna_batch[0].pushname == "Анна"
    assert anna_batch[2].pushname is None  # no contact for Anna in that change
    boris_batch = await queued(batcher, boris)
    assert [m.id for m in boris_batch] == ["wamid.3", "wamid.5"]
    assert boris_batch[0].pushname == "Борис"


async def test_statuses_are_accepted_and_ignored(make_client: MakeClient, batcher: Batcher) -> None:
    client = await make_client()
    payload = webhook(change(statuses=[status("wamid.OUT", "sent"), status("wamid.OUT", "read")]))
    assert await post(client, payload) == (
        200,
        {"status": "ok", "queued": 0, "duplicates": 0, "ignored": 2},
    )
    stats = await batcher.stats()
    assert stats.pending_messages == 0


async def test_other_fields_and_reactions_are_ignored(
    make_client: MakeClient, batcher: Batcher
) -> None:
    client = await make_client()
    reaction = {
        "from": "79161234567",
        "id": "wamid.R",
        "timestamp": "1741950000",
        "type": "reaction",
        "reaction": {"message_id": "wamid.OUT", "emoji": "👍"},
    }
    template_update = {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    payload = webhook(change([reaction]), template_update)
    assert await post(client, payload) == (
        200,
        {"status": "ok", "queued": 0, "duplicates": 0, "ignored": 2},
    )
    assert await queued(batcher, "79161234567") == []


async def test_replayed_wamid_is_not_queued_twice(
    make_client: MakeClient, batcher: Batcher
) -> None:
    client = await make_client()
    payload = webhook(change([message("wamid.SAME")]))
    assert (await post(client, payload))[1]["queued"] == 1
    assert await post(client, payload) == (
        200,
        {"status": "ok", "queued": 0, "duplicates": 1, "ignored": 0},
    )
    assert [m.id for m in await queued(batcher, "79161234567")] == ["wamid.SAME"]


async def test_non_text_message_is_queued_with_its_type(
    make_client: MakeClient, batcher: Batcher
) -> None:
    client = await make_client()
    image = {
        "from": "79161234567",
        "id": "wamid.IMG",
        "timestamp": "1741950001",
        "type": "image",
        "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "abc"},
    }
    voice = {**image, "id": "wamid.VOICE", "type": "audio", "audio": {"id": "MEDIA2"}}
    assert (await post(client, webhook(change([image, voice]))))[1]["queued"] == 2
    batch = await queued(batcher, "79161234567")
    assert [(m.id, m.type, m.is_text) for m in batch] == [
        ("wamid.IMG", "image", False),
        ("wamid.VOICE", "audio", False),
    ]


async def test_button_and_list_replies_read_as_text(
    make_client: MakeClient, batcher: Batcher
) -> None:
    client = await make_client()
    button = {
        "from": "79161234567",
        "id": "wamid.BTN",
        "timestamp": "1741950000",
        "type": "button",
        "button": {"payload": "YES", "text": "Да"},
    }
    row = {
        **button,
        "id": "wamid.ROW",
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": "r1", "title": "18:00"}},
    }
    assert (await post(client, webhook(change([button, row]))))[1]["queued"] == 2
    batch = await queued(batcher, "79161234567")
    assert [(m.type, m.body) for m in batch] == [("chat", "Да"), ("chat", "18:00")]
    # A tap on our list row or reply button carries the id of what was chosen (issue 17);
    # a template's quick-reply button does not.
    assert [m.choice for m in batch] == [None, "r1"]
    tap = {
        **button,
        "id": "wamid.TAP",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "yes:0a1b", "title": "Да"}},
    }
    assert (await post(client, webhook(change([tap]))))[1]["queued"] == 1
    pending = await batcher.redis.lrange(batcher.keys.phone_keys("79161234567").pending, 0, -1)
    [tapped] = [InboundMessage.from_stored(raw) for raw in pending]
    assert (tapped.type, tapped.body, tapped.choice) == ("chat", "Да", "yes:0a1b")


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (encode({"object": "page", "entry": []}), "object"),
        (encode({"object": "whatsapp_business_account"}), "entry"),
        (encode({"object": "whatsapp_business_account", "entry": [{"id": "1"}]}), "changes"),
        (encode(webhook(change([{"id": "wamid.N", "type": "text"}]))), "from"),
        (encode(webhook(change([message("wamid.N", text={})]))), "body"),
        (encode(webhook(change([message("wamid.N", text=None)]))), "body"),
        (encode(webhook(change([message("wamid.N", timestamp="soon")]))), "timestamp"),
    ],
)
async def test_malformed_payload_is_400(
    make_client: MakeClient, batcher: Batcher, raw: bytes, needle: str
) -> None:
    client = await make_client()
    response = await client.post(PATH, data=raw, headers=signed(raw))
    assert response.status == 400
    assert needle in (await response.json())["error"]
    assert await queued(batcher, "79161234567") == []


async def test_oversized_body_is_413(make_client: MakeClient) -> None:
    client = await make_client()
    raw = encode(webhook(change([message("wamid.BIG", body="я" * 150_000)])))
    assert len(raw) > 256 * 1024
    response = await client.post(PATH, data=raw, headers=signed(raw))
    assert response.status == 413


async def test_redis_down_is_503_so_meta_retries(keys: Keys) -> None:
    dead = client_for("redis://127.0.0.1:1/0")  # nothing listens on port 1
    batcher = Batcher(dead, keys, BatchPolicy(), SystemClock())
    app = build_webhook_app(batcher, RedisHealth(dead), WebhookConfig(cloud=CLOUD))
    try:
        async with TestClient(TestServer(app)) as client:
            status_code, body = await post(client, webhook(change([message("wamid.D")])))
            assert status_code == 503
            assert "retry" in body["error"]
            # Status-only deliveries do not touch Redis: still 200.
            status_code, _ = await post(client, webhook(change(statuses=[status("w", "read")])))
            assert status_code == 200
    finally:
        await dead.aclose()
