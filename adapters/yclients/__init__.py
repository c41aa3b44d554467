"""YClients: a typed client for the booking subset, the `SalonBackend` on top of it, and a
sandbox branch (`adapters.yclients.sandbox`) that answers like the real API.

Facts come from `shared/reference/yclients-whatsapp-contract.md`; comments cite them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Unpack

from adapters.yclients.backend import YClientsBackend
from adapters.yclients.client import YClientsClient
from adapters.yclients.limiter import RateLimiter
from adapters.yclients.transport import RetryPolicy, Transport, TransportOptions

__all__ = [
    "RateLimiter",
    "RetryPolicy",
    "Transport",
    "YClientsBackend",
    "YClientsClient",
    "build_backend",
]


def build_backend(
    base_url: str,
    partner_token: str,
    company_id: int,
    user_token: str | None = None,
    *,
    catalogue_ttl_s: float = 60.0,
    default_timezone: str = "Europe/Moscow",
    today: Callable[[], date] = date.today,
    **sending: Unpack[TransportOptions],
) -> YClientsBackend:
    """The composition root's one call: `base_url` is the API root without `/api/v1`
    (`YCLIENTS_BASE_URL`); `sending` goes to the `Transport`. Close it with
    `await backend.client.close()`."""
    transport = Transport(base_url, partner_token, user_token, **sending)
    client = YClientsClient(transport, company_id, catalogue_ttl_s=catalogue_ttl_s)
    return YClientsBackend(client, default_timezone=default_timezone, today=today)
