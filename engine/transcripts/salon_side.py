"""The salon's side of a transcript step: the administrator's actions in the sandbox ("the
YClients interface", over its control routes, so its record webhooks reach the service as
YClients would post them), and what the step's expectations read back: the phone's
reminders, the messages to ADMIN_CHAT, the record webhooks received and their effects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp

from engine.harness import Harness
from engine.transcripts.salon_model import AdminAction

LOCAL = "%Y-%m-%d %H:%M"


class AdminActionFailed(Exception):
    """The sandbox refused what the transcript's administrator did (a transcript error)."""


def local_moment(h: Harness, text: str) -> datetime:
    """ "2025-07-24 18:00" in the salon's zone."""
    return datetime.strptime(text, LOCAL).replace(tzinfo=h.sandbox.salon.tz)


async def admin_act(h: Harness, action: AdminAction, phone: str) -> None:
    body: dict[str, Any] = {}
    if action.at:
        body["datetime"] = local_moment(h, action.at).isoformat()
    if action.staff_id is not None:
        body["staff_id"] = action.staff_id
    if action.services is not None:
        body["service_ids"] = action.services
    path = "/_sandbox/admin/records"
    method = "POST"
    if action.action == "create":
        body.update(phone=action.phone, name=action.name or "Клиент")
    else:
        path += f"/{await _record_id(h, action, phone)}"
        method = {"move": "PUT", "confirm": "PUT", "delete": "DELETE"}[action.action]
        if action.action == "confirm":
            body = {"attendance": 2}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, h.sandbox.base_url + path, json=body or None) as response,
    ):
        if response.status >= 300:
            raise AdminActionFailed(f"{action.action}: {response.status} {await response.text()}")


async def _record_id(h: Harness, action: AdminAction, phone: str) -> int:
    if isinstance(action.record, int):
        return action.record
    booking = (await h.conversation(phone)).booking
    if booking is None:
        raise AdminActionFailed(f"{action.action}: the conversation has no booking")
    return booking.record_id


async def reminders_of(h: Harness, phone: str) -> list[dict[str, Any]]:
    tz = h.sandbox.salon.tz
    return [
        {
            "kind": r.kind,
            "at": datetime.fromtimestamp(r.at_ms / 1000, tz).strftime(LOCAL),
            "status": r.shown_status,
        }
        for r in await h.follow_up.reminders.reminders_of(phone)
    ]


def record_counters(h: Harness) -> tuple[int, dict[str, int]]:
    """(webhooks the route received, record events applied by effect) so far."""
    received = 0
    for metric in h.metrics.yclients_webhooks.collect():
        received += int(sum(s.value for s in metric.samples if s.name.endswith("_total")))
    effects: dict[str, int] = {}
    for metric in h.metrics.record_events.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                effect = sample.labels["effect"]
                effects[effect] = effects.get(effect, 0) + int(sample.value)
    return received, effects
