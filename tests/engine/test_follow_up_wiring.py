"""Issue 16 as the Runtime builds it from Settings: the reminder sender and the record
follower run beside the batch worker; the Cloud API gets the windowed template delivery,
venom plain text; the YClients route is there with its secret (or the demo's own)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.reminders import CloudDelivery, TextDelivery
from engine.runtime import Overrides, open_runtime
from engine.settings import Settings

CLOUD = {
    "MESSENGER": "cloud",
    "WHATSAPP_TOKEN": "EAAG-not-real",
    "WHATSAPP_PHONE_NUMBER_ID": "1065",
    "WHATSAPP_REMINDER_TEMPLATE": "visit_reminder:ru",
    "ADMIN_CHAT": "79001112233",
    "YCLIENTS_WEBHOOK_SECRET": "hook-secret-1",
}


async def test_the_worker_runs_the_sender_and_the_follower(redis: AsyncRedis, keys: Keys) -> None:
    settings = Settings.from_mapping(CLOUD)
    async with open_runtime(settings, Overrides(redis=redis, keys=keys)) as runtime:
        turns = runtime.turns
        follow = turns.follow_up
        assert turns.services == [turns.worker, follow.follower, follow.sender]
        assert isinstance(follow.sender.delivery, CloudDelivery)
        assert follow.sender.delivery.template is not None
        assert follow.sender.delivery.template.name == "visit_reminder"
        assert turns.runner.visits is follow.tracker
        async with TestClient(TestServer(runtime.webhook_app())) as client:
            body = {"resource": "record", "status": "delete", "resource_id": 1, "data": {"id": 1}}
            assert (await client.post("/webhook/yclients/wrong", json=body)).status == 404
            ok = await client.post("/webhook/yclients/hook-secret-1", json=body)
            assert ok.status == 200 and await runtime.record_events.pending() == 1


async def test_venom_sends_reminders_as_text_and_demo_mode_makes_up_a_secret(
    redis: AsyncRedis, keys: Keys
) -> None:
    venom = Settings.from_mapping({"VENOM_SEND_URL": "http://127.0.0.1:9/send"})
    async with open_runtime(venom, Overrides(redis=redis, keys=keys)) as runtime:
        assert type(runtime.turns.follow_up.sender.delivery) is TextDelivery
        secret = runtime.yclients_webhook_secret
        assert secret and len(secret) >= 20, "demo mode: the sandbox posts with its own secret"
        sandbox = runtime.turns.sandbox
        assert sandbox is not None
        runtime.sandbox_posts_to("http://127.0.0.1:3000")
        assert sandbox.webhooks.config.url == f"http://127.0.0.1:3000/webhook/yclients/{secret}"
    real = Settings.from_mapping({"YCLIENTS_PARTNER_TOKEN": "p", "YCLIENTS_COMPANY_ID": "5"})
    async with open_runtime(real, Overrides(redis=redis, keys=keys), worker=False) as runtime:
        assert runtime.yclients_webhook_secret is None, "outside the demo: only the setting"
