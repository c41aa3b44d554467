"""The product's parts built from settings, for `engine.runtime`: the salon backend
(YClients or the demo sandbox in-process), the slot filler (OpenAI with the offline
fallback, or offline), the messenger, the batching policy and the webhook's config."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp

from adapters.fillers import OfflineFiller
from adapters.fillers.once import release_free_heap
from adapters.messengers.cloud import CloudMessenger
from adapters.messengers.log import LogMessenger
from adapters.messengers.venom import VenomMessenger
from adapters.yclients import RateLimiter, RetryPolicy, YClientsBackend, build_backend
from engine.batcher import BatchPolicy
from engine.clock import Clock
from engine.follow_up_config import FollowUpConfig, notice_policy
from engine.metrics import Metrics
from engine.reminders.text import TemplateSpec
from engine.settings import Settings, read_salon_faq
from engine.turn_reading import ReadCaps
from states.dialogue import DEFAULT_TIMEZONE
from states.faq import SalonFaq
from states.ports import Messenger
from states.slot_fill import SlotFiller

if TYPE_CHECKING:
    from adapters.webhook.context import WebhookConfig
    from adapters.yclients.sandbox import RunningSandbox, SandboxSalon

log = logging.getLogger("ai_admin")


def batch_policy(settings: Settings) -> BatchPolicy:
    return BatchPolicy(
        quiet_ms=settings.batch_timeout_ms,
        max_size=settings.batch_max_size,
        max_wait_ms=settings.batch_max_wait_ms,
        lease_ms=settings.batch_lease_ms,
        flood_max_per_min=settings.flood_max_per_min,
    )


def read_caps(settings: Settings) -> ReadCaps:
    return ReadCaps(settings.message_max_chars, settings.batch_max_chars)


def follow_up_config(settings: Settings) -> FollowUpConfig:
    template = settings.whatsapp_reminder_template
    return FollowUpConfig(
        offsets=settings.reminder_offsets,
        quiet=settings.reminder_quiet,
        answer_wait=settings.reminder_answer_wait,
        template=TemplateSpec.parse(template) if template else None,
        admin_chat=settings.admin_chat,
        notices=notice_policy(settings.salon_change_notices),
        timezone=settings.salon_timezone,
    )


def webhook_config(
    settings: Settings, yclients_secret: str | None = None, company_id: int | None = None
) -> WebhookConfig:
    """`yclients_secret`: YCLIENTS_WEBHOOK_SECRET, or the one the demo's sandbox posts with.
    The stats endpoint reports the batching the batcher runs with (`batch_policy`); the HTTP
    side's modules (aiohttp.web) are imported here: a worker never needs them."""
    from adapters.webhook.context import CloudConfig, WebhookConfig, YClientsWebhookConfig

    policy = batch_policy(settings)
    return WebhookConfig(
        cloud=CloudConfig(
            verify_token=settings.whatsapp_verify_token,
            app_secret=settings.whatsapp_app_secret,
        ),
        yclients=YClientsWebhookConfig(
            yclients_secret or settings.yclients_webhook_secret,
            company_id or settings.yclients_company_id,
        ),
        webhook_token=settings.webhook_token,
        admin_token=settings.admin_token,
        demo=settings.demo,
        batch_timeout_ms=policy.quiet_ms,
        max_batch_size=policy.max_size,
        read_timeout_s=settings.http_read_timeout_s,
    )


def build_messenger(settings: Settings, session: aiohttp.ClientSession) -> Messenger:
    if settings.messenger == "venom" and settings.venom_send_url:
        return VenomMessenger(session, settings.venom_send_url)
    token, number_id = settings.whatsapp_token, settings.whatsapp_phone_number_id
    if settings.messenger == "cloud" and token and number_id:
        return CloudMessenger(session, settings.whatsapp_graph_url, number_id, token)
    return LogMessenger()


@contextlib.asynccontextmanager
async def salon_backend(
    settings: Settings,
    clock: Clock,
    sandbox_salon: SandboxSalon | None = None,
    *,
    user_token: bool = True,
    timeout_s: float = 10.0,
    retry: RetryPolicy | None = None,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[tuple[YClientsBackend, RunningSandbox | None]]:
    """YClients, or in demo mode the sandbox served in-process and reached over HTTP
    (with its user token unless `user_token` is False); the sandbox too when it runs."""
    async with contextlib.AsyncExitStack() as stack:
        sandbox: RunningSandbox | None = None
        where: tuple[str, str, int, str | None]
        if settings.demo:
            # The sandbox (an aiohttp server) is imported in demo mode only (issue 15).
            from adapters.yclients.sandbox import SandboxSalon, running_sandbox

            salon = sandbox_salon or SandboxSalon(clock=clock.now)
            sandbox = await stack.enter_async_context(running_sandbox(salon))
            log.info("demo salon sandbox at %s (company %d)", sandbox.base_url, sandbox.company_id)
            where = (
                sandbox.base_url,
                sandbox.partner_token,
                sandbox.company_id,
                sandbox.user_token if user_token else None,
            )
        else:
            assert settings.yclients_partner_token and settings.yclients_company_id
            where = (
                settings.yclients_base_url,
                settings.yclients_partner_token,
                settings.yclients_company_id,
                settings.yclients_user_token,
            )
        backend = build_backend(
            *where,
            timeout_s=timeout_s,
            retry=retry,
            limiter=limiter,
            default_timezone=settings.salon_timezone or DEFAULT_TIMEZONE,
            # The client-history window is counted on our clock (virtual in tests).
            today=lambda: clock.now().date(),
        )
        stack.push_async_callback(backend.client.close)
        yield backend, sandbox


def salon_faq(settings: Settings) -> SalonFaq:
    """SALON_FAQ, else in demo mode the demo salon's own; a real salon without one gets
    honest "ask the front desk" answers."""
    if settings.salon_faq is not None:
        return read_salon_faq(settings.salon_faq)
    if not settings.demo:
        return SalonFaq()
    from adapters.yclients.sandbox.fixture import DEMO_FAQ

    return read_salon_faq(DEMO_FAQ, "demo salon FAQ")


def prepare_filler_threads() -> None:
    """The filler reads in a worker thread (issue 13): a 1 ms GIL switch interval hands the
    interpreter back to the event loop within a millisecond of its asking. The heap the
    start freed (imports, settings, schemas built and dropped) goes back to the system:
    ~0.5 MB of an idle worker's RSS (issue 15).

    Its dictionaries are not loaded here but by the first turn, in that turn's filler
    thread (~1-2 s once per process; turns arriving meanwhile wait in their own threads,
    never on the event loop), so an idle worker does not hold them (issue 15,
    `adapters.fillers.once`)."""
    sys.setswitchinterval(0.001)
    release_free_heap()


def slot_filler(settings: Settings, metrics: Metrics | None = None) -> SlotFiller:
    if settings.openai_api_key is None:
        return OfflineFiller()
    # Imported only with a key: `openai` costs ~15 MB and 0.8 s of start (issue 15).
    from adapters.fillers.openai_filler import OpenAIFiller, make_openai_client

    client = make_openai_client(settings.openai_api_key, settings.openai_base_url)
    on_fallback = (lambda reason: metrics.llm_fallbacks.labels(reason).inc()) if metrics else None
    llm = OpenAIFiller(client, settings.openai_model, on_fallback=on_fallback)
    # Plain answers skip the LLM; a batch never costs two calls (issue 15). Imported here:
    # a worker without an LLM never loads it.
    from adapters.fillers.llm_gate import LlmGate

    return LlmGate(llm, on_reason=metrics.llm_request if metrics else None)
