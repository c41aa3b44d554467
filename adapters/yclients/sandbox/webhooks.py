"""Record webhooks, posted the way YClients posts them (reference, "YClients → your server
webhooks"): a POST of `{"company_id", "resource": "record", "resource_id", "status":
"create|update|delete", "data": {…record…}}` on every change, sent once, without retries,
in no guaranteed order. One edit arrives as several identical `update` events (about 4 in
production), and `data` may hold only the fields that changed.

Configured with `POST /_sandbox/webhooks` (or `RecordWebhooks.configure`): `url` (None:
off), `update_copies` (4), `max_delay_s` (each POST waits a random delay up to this, so
events overtake each other; 0 keeps the order), `partial` (updates carry only the changed
fields), `seed`. Every attempt is logged in `deliveries`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from typing import Any

import aiohttp

from adapters.yclients.sandbox import views
from adapters.yclients.sandbox.salon import SandboxRecord, SandboxSalon

log = logging.getLogger(__name__)

# The record fields of the sandbox -> the keys of a record's view they show in.
_VIEW_KEYS = {
    "start": ("date", "datetime"),
    "staff_id": ("staff_id", "staff"),
    "service_ids": ("services",),
    "length_s": ("seance_length", "length"),
    "attendance": ("attendance", "visit_attendance"),
    "deleted": ("deleted",),
    "comment": ("comment",),
    "api_id": ("api_id",),
}


@dataclasses.dataclass(frozen=True)
class Delivery:
    at: float  # time.time() of the attempt
    status: str  # the event's: create | update | delete
    resource_id: int
    body: dict[str, Any]
    http_status: int | None  # None when the POST failed (refused, timed out)
    error: str | None = None


@dataclasses.dataclass
class WebhookConfig:
    url: str | None = None
    update_copies: int = 4
    max_delay_s: float = 0.2
    partial: bool = False
    seed: int | None = None


class RecordWebhooks:
    """Listens to the salon's record changes and posts them to `config.url`."""

    def __init__(self, salon: SandboxSalon, config: WebhookConfig | None = None) -> None:
        self.salon = salon
        self.config = config or WebhookConfig()
        self.deliveries: list[Delivery] = []
        self._random = random.Random(self.config.seed)
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        salon.listeners.append(self.on_change)

    def configure(self, **values: Any) -> WebhookConfig:
        """Change the configuration; unknown names or bad values raise ValueError."""
        merged = {**dataclasses.asdict(self.config), **values}
        unknown = set(values) - set(dataclasses.asdict(self.config))
        if unknown:
            raise ValueError(f"unknown webhook settings: {sorted(unknown)}")
        if merged["url"] is not None and not str(merged["url"]).startswith(("http://", "https")):
            raise ValueError("url: an http(s) URL or null")
        if type(merged["update_copies"]) is not int or not 1 <= merged["update_copies"] <= 20:
            raise ValueError("update_copies: an integer from 1 to 20")
        delay = merged["max_delay_s"]
        if not isinstance(delay, int | float) or not 0 <= delay <= 10:
            raise ValueError("max_delay_s: from 0 to 10 seconds")
        self.config = WebhookConfig(**merged)
        if "seed" in values:
            self._random = random.Random(self.config.seed)
        return self.config

    def body(self, status: str, record: SandboxRecord, changed: frozenset[str]) -> dict[str, Any]:
        data = views.record(self.salon, record)
        if self.config.partial and status == "update":
            keys = {"id"} | {k for name in changed for k in _VIEW_KEYS.get(name, ())}
            data = {k: v for k, v in data.items() if k in keys}
        return {
            "company_id": self.salon.company_id,
            "resource": "record",
            "resource_id": record.id,
            "status": status,
            "data": data,
        }

    def on_change(self, status: str, record: SandboxRecord, changed: frozenset[str]) -> None:
        if self.config.url is None:
            return
        copies = self.config.update_copies if status == "update" else 1
        body = self.body(status, record, changed)  # the record as it is now, not when sent
        for _ in range(copies):
            delay = self._random.uniform(0, self.config.max_delay_s)
            task = asyncio.get_running_loop().create_task(self._post(self.config.url, body, delay))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _post(self, url: str, body: dict[str, Any], delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        if self._session is None:
            self._session = aiohttp.ClientSession()
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(
                url, json=body, timeout=aiohttp.ClientTimeout(total=5)
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = type(exc).__name__  # sent once: no retry, as YClients does
            log.info("sandbox webhook to %s failed: %s", url, error)
        self.deliveries.append(
            Delivery(time.time(), body["status"], body["resource_id"], body, status, error)
        )

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until every webhook posted so far has been sent (or has failed)."""
        if self._tasks:
            await asyncio.wait_for(asyncio.gather(*self._tasks), timeout=timeout_s)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
