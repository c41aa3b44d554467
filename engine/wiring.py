"""The product's parts built from settings: the salon backend (YClients or the demo
sandbox in-process), the slot filler (OpenAI with the offline fallback, or offline)."""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator

from adapters.fillers import OfflineFiller, OpenAIFiller, make_openai_client
from adapters.yclients import YClientsBackend, build_backend
from adapters.yclients.sandbox import SandboxSalon, running_sandbox
from adapters.yclients.sandbox.fixture import DEMO_FAQ
from engine.clock import Clock
from engine.metrics import Metrics
from engine.settings import Settings, read_salon_faq
from states.faq import SalonFaq
from states.slot_fill import Catalogue, FillRequest, SlotFiller

log = logging.getLogger("ai_admin")


def yclients_backend(
    base_url: str, partner: str, company_id: int, user: str | None, timezone: str, clock: Clock
) -> YClientsBackend:
    # The client-history window is counted on our clock (virtual in tests), not the host's.
    return build_backend(
        base_url,
        partner,
        company_id,
        user,
        default_timezone=timezone,
        today=lambda: clock.now().date(),
    )


@contextlib.asynccontextmanager
async def salon_backend(
    settings: Settings, clock: Clock, sandbox_salon: SandboxSalon | None = None
) -> AsyncIterator[YClientsBackend]:
    """YClients, or in demo mode the sandbox served in-process and reached over HTTP."""
    timezone = settings.salon_timezone or "Europe/Moscow"
    async with contextlib.AsyncExitStack() as stack:
        where: tuple[str, str, int, str | None]
        if settings.demo:
            salon = sandbox_salon or SandboxSalon(clock=clock.now)
            sandbox = await stack.enter_async_context(running_sandbox(salon))
            log.info("demo salon sandbox at %s (company %d)", sandbox.base_url, sandbox.company_id)
            where = (
                sandbox.base_url,
                sandbox.partner_token,
                sandbox.company_id,
                sandbox.user_token,
            )
        else:
            assert settings.yclients_partner_token and settings.yclients_company_id
            where = (
                settings.yclients_base_url,
                settings.yclients_partner_token,
                settings.yclients_company_id,
                settings.yclients_user_token,
            )
        backend = yclients_backend(*where, timezone, clock)
        stack.push_async_callback(backend.client.close)
        yield backend


def salon_faq(settings: Settings) -> SalonFaq:
    """SALON_FAQ, else in demo mode the demo salon's own; a real salon without one gets
    honest "ask the front desk" answers."""
    if settings.salon_faq is not None:
        return read_salon_faq(settings.salon_faq)
    return read_salon_faq(DEMO_FAQ, "demo salon FAQ") if settings.demo else SalonFaq()


def warm_up_fillers(clock: Clock) -> None:
    """Read one sample with the offline filler at start (the LLM filler falls back to it):
    its dictionaries load here, not during the first client's turn (about a second).

    The filler reads in a worker thread (issue 13); a 1 ms GIL switch interval hands the
    interpreter back to the event loop within a millisecond of its asking, and freezing
    what start-up built (dictionaries, lexicon) keeps full garbage collections short."""
    sample = FillRequest(
        text="Запишите на стрижку завтра в 18:00",
        state="idle",
        catalogue=Catalogue.of(["Мужская стрижка"], ["Бари"]),
        now=clock.now(),
        timezone="Europe/Moscow",
    )
    OfflineFiller().fill_now(sample)
    sys.setswitchinterval(0.001)
    gc.freeze()


def slot_filler(settings: Settings, metrics: Metrics | None = None) -> SlotFiller:
    if settings.openai_api_key is None:
        return OfflineFiller()
    client = make_openai_client(settings.openai_api_key, settings.openai_base_url)
    on_fallback = (lambda reason: metrics.llm_fallbacks.labels(reason).inc()) if metrics else None
    return OpenAIFiller(client, settings.openai_model, on_fallback=on_fallback)
