"""One YClients record webhook event as plain values (`adapters.yclients.record_webhook`
reads the body; `engine.record_sync` decides what it means).

[reference, "YClients → your server webhooks"] `data` may hold only the fields that
changed, so every field but the status and the record id may be missing (None).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

RecordStatus = Literal["create", "update", "delete"]


@dataclasses.dataclass(frozen=True)
class RecordChange:
    status: RecordStatus
    record_id: int
    company_id: int | None = None
    start: str | None = None  # as sent: ISO with offset, or "YYYY-MM-DD HH:MM:SS" (local)
    staff_id: int | None = None
    master: str | None = None
    service_ids: tuple[int, ...] | None = None
    services: tuple[str, ...] | None = None  # titles
    phone: str | None = None  # digits
    client_name: str | None = None
    length_s: int | None = None
    attendance: int | None = None
    deleted: bool | None = None
    api_id: str | None = None
    last_change: str | None = None  # `last_change_date` as sent
