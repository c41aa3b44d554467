"""One YClients record webhook event as plain values (`adapters.yclients.record_webhook`
reads the body; `engine.record_sync` decides what it means).

[reference, "YClients → your server webhooks"] `data` may hold only the fields that
changed, so every field but the status and the record id may be missing (None).
"""

from __future__ import annotations

import dataclasses
from typing import Literal, Protocol

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
    # Read with `GET /record` just now, not a webhook: the record as it is, so its order
    # against the webhooks we applied is not in doubt (`engine.record_sync.effects`).
    read: bool = False


class RecordReader(Protocol):
    """Reads one record from YClients as an event (for a partial webhook about a record
    never seen, and before the bot changes a record it knows nothing of)."""

    async def record_change(self, record_id: int) -> RecordChange | None:
        """The record as it is now; None when YClients has no such record."""
        ...
