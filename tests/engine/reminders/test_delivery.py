"""Reminders through the WhatsApp Cloud API: text inside the 24-hour customer service window
(counted from the client's last message, as the batcher saw it), the approved template
outside it [reference C.7]. Real Redis, the real CloudMessenger against the Graph stub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from adapters.messengers.cloud import CloudMessenger
from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.reminders import CloudDelivery, ReminderPolicy, ReminderSender, ReminderStore
from engine.reminders.text import SalonInfo, TemplateSpec
from engine.visit import Visit
from states.messages import InboundMessage
from states.ports import DeliveryError
from tests.support.graph_stub import HttpStub, graph_stub

MOSCOW = ZoneInfo("Europe/Moscow")
TOKEN = "EAAG-test-token-not-real"
PHONE = "79161234567"
SALON = SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow")
VISIT = Visit(
    record_id=600000001, phone=PHONE, start=datetime(2025, 7, 24, 18, 0, tzinfo=MOSCOW),
    master="Бари", services=("Мужская стрижка",), client_name="Ира",
)  # fmt: skip
START = datetime(2025, 7, 22, 12, 0, tzinfo=MOSCOW)


class Cloud:
    def __init__(
        self, stub: HttpStub, batcher: Batcher, messenger: CloudMessenger, clock: VirtualClock
    ) -> None:
        self.stub = stub
        self.batcher = batcher
        self.messenger = messenger
        self.clock = clock

    def delivery(self, template: str | None = "visit_reminder:ru") -> CloudDelivery:
        spec = TemplateSpec.parse(template) if template else None
        return CloudDelivery(self.messenger, SALON, self.clock, self.batcher.last_inbound_ms, spec)

    async def client_wrote(self) -> None:
        message = InboundMessage(id=f"m{self.clock.now_ms()}", chat=f"{PHONE}@c.us", type="chat",
                                 body="да", timestamp_s=self.clock.now_ms() / 1000)  # fmt: skip
        await self.batcher.append(PHONE, message)

    def kinds(self) -> list[str]:
        return [r.json["type"] for r in self.stub.requests]


@pytest.fixture
async def cloud(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Cloud]:
    clock = VirtualClock(START)
    async with graph_stub(TOKEN) as stub, aiohttp.ClientSession() as session:
        messenger = CloudMessenger(session, stub.url + "/v20.0", "1065", TOKEN)
        yield Cloud(stub, Batcher(redis, keys, BatchPolicy(), clock), messenger, clock)


async def test_a_client_who_never_wrote_gets_the_template(cloud: Cloud) -> None:
    await cloud.delivery().deliver(VISIT, ask=True)
    [request] = cloud.stub.requests
    template = request.json["template"]
    assert (template["name"], template["language"]) == ("visit_reminder", {"code": "ru"})
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == ["послезавтра, 24 июля (чт)", "18:00", "Мужская стрижка", "Бари",
                      "Борода и Ножницы", "Москва, ул. Пушкина, 10"]  # fmt: skip


@pytest.mark.parametrize(
    ("since", "kind"),
    [
        (timedelta(minutes=5), "text"),
        (timedelta(hours=23), "text"),
        (timedelta(hours=23, minutes=50), "template"),  # too close to the window's end
        (timedelta(hours=30), "template"),
    ],
)
async def test_text_inside_the_window_template_outside(
    cloud: Cloud, since: timedelta, kind: str
) -> None:
    await cloud.client_wrote()
    cloud.clock.advance(since.total_seconds())
    await cloud.delivery().deliver(VISIT, ask=True)
    assert cloud.kinds() == [kind]
    if kind == "text":
        assert "Бари" in cloud.stub.requests[0].json["text"]["body"]


async def test_outside_the_window_without_a_template_the_reminder_fails(
    cloud: Cloud, redis: AsyncRedis, keys: Keys
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await cloud.delivery(template=None).deliver(VISIT, ask=True)
    assert caught.value.retryable is False and cloud.stub.requests == []
    store = ReminderStore(redis, keys, cloud.clock)
    policy = ReminderPolicy.parse(timezone="Europe/Moscow")
    await store.schedule_visit(VISIT, policy)
    sender = ReminderSender(store, cloud.delivery(template=None), policy, cloud.clock)
    cloud.clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    assert await sender.run_once() == 1
    assert [(r.kind, r.shown_status) for r in await store.reminders_of(PHONE)] == [
        ("24h", "failed"), ("2h", "scheduled")]  # fmt: skip
