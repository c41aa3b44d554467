"""Phones are ASCII digits everywhere; masking covers a digit of any script (issue 11).

The probe found "٧٩٩٩…@c.us" (Arabic-Indic digits) booked under that phone, and
superscript digits given Redis keys no endpoint can address, logged unmasked: `\\d` and
`str.isdigit()` take far more than 0-9.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic import ValidationError

from adapters.webhook.app import build_webhook_app
from adapters.webhook.cloud_signature import expected_signature
from adapters.webhook.context import CloudConfig, WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.conversations import ConversationStore
from engine.health import RedisHealth
from engine.inspection import Inspector
from engine.keys import Keys
from engine.pauses import PauseStore
from engine.redis_conn import AsyncRedis
from states.masking import mask_phone, mask_phones_in_text
from states.slot_fill import SlotFill
from tests.adapters.webhook.conftest import ServeApp

SECRET = "app-secret-for-tests"
ASCII = "79990001122"
# The same number in digits of other kinds: each is some `\d` or some `isdigit()`.
FOREIGN = {
    "arabic-indic": "٧٩٩٩٠٠٠١١٢٢",
    "devanagari": "७९९९०००११२२",
    "fullwidth": "７９９９０００１１２２",
    "superscript": "⁷⁹⁹⁹⁰⁰⁰¹¹²²",
    "mixed": "7999000112²",
}


@pytest.fixture
async def client(serve_app: ServeApp, redis: AsyncRedis, keys: Keys) -> TestClient[Any, Any]:
    batcher = Batcher(redis, keys, BatchPolicy(), SystemClock())
    store = ConversationStore(redis, keys, SystemClock(), idle_ttl_s=3600)
    inspector = Inspector(store, batcher, PauseStore(redis, keys, SystemClock()))
    config = WebhookConfig(cloud=CloudConfig(verify_token="v", app_secret=SECRET))
    return await serve_app(build_webhook_app(batcher, RedisHealth(redis), config, inspector))


async def keys_written(redis: AsyncRedis, keys: Keys) -> list[str]:
    return [k.decode() async for k in redis.scan_iter(match=f"{keys.prefix}:*", count=500)]


@pytest.mark.parametrize("digits", FOREIGN.values(), ids=FOREIGN.keys())
async def test_a_venom_sender_in_non_ascii_digits_is_refused_with_400(
    client: TestClient[Any, Any], redis: AsyncRedis, keys: Keys, digits: str
) -> None:
    message = {"id": "m1", "from": f"{digits}@c.us", "body": "Запишите на стрижку"}
    response = await client.post("/webhook/whatsapp/batched", json=message)
    assert response.status == 400
    assert "not a WhatsApp chat id" in (await response.json())["error"]
    assert await keys_written(redis, keys) == []  # nothing queued under any key


@pytest.mark.parametrize("digits", FOREIGN.values(), ids=FOREIGN.keys())
async def test_a_cloud_sender_in_non_ascii_digits_is_ignored_and_logged_masked(
    client: TestClient[Any, Any],
    redis: AsyncRedis,
    keys: Keys,
    digits: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    value = {
        "messaging_product": "whatsapp",
        "messages": [{"from": digits, "id": "wamid.1", "type": "text", "text": {"body": "Hi"}}],
    }
    body = json.dumps(
        {"object": "whatsapp_business_account",
         "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}
    ).encode()  # fmt: skip
    with caplog.at_level(logging.WARNING):
        response = await client.post(
            "/webhook/whatsapp/cloud",
            data=body,
            headers={"X-Hub-Signature-256": expected_signature(body, SECRET)},
        )
    assert response.status == 200
    assert (await response.json())["queued"] == 0 and (await response.json())["ignored"] == 1
    assert await keys_written(redis, keys) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "unusable sender" in logged and digits not in logged


@pytest.mark.parametrize("digits", FOREIGN.values(), ids=FOREIGN.keys())
async def test_paths_with_non_ascii_digits_are_refused_with_400(
    client: TestClient[Any, Any], digits: str
) -> None:
    for method, path in [
        ("GET", f"/conversations/{digits}"),
        ("DELETE", f"/conversations/{digits}"),
        ("DELETE", f"/webhook/whatsapp/batched/{digits}"),
    ]:
        response = await client.request(method, path)
        assert response.status == 400, (method, path)


@pytest.mark.parametrize("digits", FOREIGN.values(), ids=FOREIGN.keys())
def test_masking_hides_a_phone_in_any_digits(digits: str) -> None:
    for masked in (mask_phone(f"{digits}@c.us"), mask_phones_in_text(f"client {digits} wrote")):
        assert digits not in masked and "*****" in masked


def test_a_phone_the_client_types_in_another_script_is_kept_in_ascii() -> None:
    assert SlotFill(phone=FOREIGN["arabic-indic"]).phone == ASCII
    assert SlotFill(phone=FOREIGN["fullwidth"]).phone == ASCII
    for not_decimal in (FOREIGN["superscript"], FOREIGN["mixed"], "7999000112a"):
        with pytest.raises(ValidationError):
            SlotFill(phone=not_decimal)
