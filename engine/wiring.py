"""The product's parts built from settings: the salon backend (YClients or the demo
sandbox in-process), the slot filler (OpenAI with the offline fallback, or offline)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from adapters.fillers import OfflineFiller, OpenAIFiller, make_openai_client
from adapters.yclients import Transport, YClientsBackend, YClientsClient
from adapters.yclients.sandbox import SandboxSalon, running_sandbox
from engine.clock import Clock
from engine.metrics import Metrics
from engine.settings import Settings
from states.slot_fill import SlotFiller

log = logging.getLogger("ai_admin")


def yclients_backend(
    base_url: str, partner: str, company_id: int, user: str | None, timezone: str, clock: Clock
) -> YClientsBackend:
    client = YClientsClient(Transport(base_url, partner, user), company_id)
    # The client-history window is counted on our clock (virtual in tests), not the host's.
    return YClientsBackend(client, default_timezone=timezone, today=lambda: clock.now().date())


@contextlib.asynccontextmanager
async def salon_backend(
    settings: Settings, clock: Clock, sandbox_salon: SandboxSalon | None = None
) -> AsyncIterator[YClientsBackend]:
    """YClients, or in demo mode the sandbox served in-process and reached over HTTP."""
    timezone = settings.salon_timezone or "Europe/Moscow"
    if settings.demo:
        salon = sandbox_salon or SandboxSalon(clock=clock.now)
        async with running_sandbox(salon) as sandbox:
            log.info("demo salon sandbox at %s (company %d)", sandbox.base_url, sandbox.company_id)
            backend = yclients_backend(
                sandbox.base_url,
                sandbox.partner_token,
                sandbox.company_id,
                sandbox.user_token,
                timezone,
                clock,
            )
            try:
                yield backend
            finally:
                await backend.client.close()
        return
    assert settings.yclients_partner_token and settings.yclients_company_id
    backend = yclients_backend(
        settings.yclients_base_url,
        settings.yclients_partner_token,
        settings.yclients_company_id,
        settings.yclients_user_token,
        timezone,
        clock,
    )
    try:
        yield backend
    finally:
        await backend.client.close()


def slot_filler(settings: Settings, metrics: Metrics | None = None) -> SlotFiller:
    if settings.openai_api_key is None:
        return OfflineFiller()
    client = make_openai_client(settings.openai_api_key, settings.openai_base_url)
    on_fallback = (lambda reason: metrics.llm_fallbacks.labels(reason).inc()) if metrics else None
    return OpenAIFiller(client, settings.openai_model, on_fallback=on_fallback)
