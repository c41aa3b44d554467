"""The composition root: the one place where concrete clients are built and wired."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
from collections.abc import AsyncIterator
from typing import Literal

import aiohttp
from aiohttp import web

from adapters.messengers.cloud import CloudMessenger
from adapters.messengers.log import LogMessenger
from adapters.messengers.venom import VenomMessenger
from adapters.webhook.app import build_webhook_app, server_settings
from adapters.webhook.context import CloudConfig, WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import Clock, SystemClock
from engine.console_data import serve_console
from engine.conversations import ConversationStore
from engine.dialogue_runner import DialogueRunner
from engine.echoes import EchoNotingMessenger, SentTexts
from engine.handoff_webhook import HandoffWebhook
from engine.handoffs import HandOffs
from engine.health import RedisHealth
from engine.inspection import Inspector
from engine.keys import Keys
from engine.metrics import Metrics
from engine.pauses import PauseStore
from engine.redis_conn import open_redis
from engine.salon_notice import SalonNotifier
from engine.settings import Settings
from engine.takeover import Takeovers
from engine.turn_reading import ReadCaps
from engine.wiring import salon_backend, salon_faq, slot_filler, warm_up_fillers
from engine.worker import Worker
from states.dialogue import DEFAULT_TIMEZONE
from states.ports import Messenger

log = logging.getLogger("ai_admin")

Mode = Literal["serve", "webhook", "worker"]


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


def webhook_config(settings: Settings) -> WebhookConfig:
    return WebhookConfig(
        webhook_token=settings.webhook_token,
        admin_token=settings.admin_token,
        demo=settings.demo,
        batch_timeout_ms=settings.batch_timeout_ms,
        max_batch_size=settings.batch_max_size,
        read_timeout_s=settings.http_read_timeout_s,
        cloud=CloudConfig(
            verify_token=settings.whatsapp_verify_token,
            app_secret=settings.whatsapp_app_secret,
        ),
    )


@dataclasses.dataclass(frozen=True)
class TakeoverParts:
    """The messenger every sender uses (it notes each text for echo matching), who has
    each chat, and what a hand-off does (issue 17)."""

    messenger: Messenger
    pauses: PauseStore
    takeover: Takeovers
    handoffs: HandOffs


def takeover_parts(
    settings: Settings,
    batcher: Batcher,
    store: ConversationStore,
    session: aiohttp.ClientSession,
) -> TakeoverParts:
    sent = SentTexts(batcher.redis, batcher.keys)
    messenger = EchoNotingMessenger(build_messenger(settings, session), sent)
    pauses = PauseStore(batcher.redis, batcher.keys, batcher.clock, settings.handoff_pause_s)
    webhook = None
    if settings.handoff_webhook_url and settings.handoff_webhook_secret:
        webhook = HandoffWebhook(
            session, settings.handoff_webhook_url, settings.handoff_webhook_secret
        )
    handoffs = HandOffs(
        pauses,
        SalonNotifier(messenger, settings.admin_chat),
        webhook,
        settings.salon_timezone or DEFAULT_TIMEZONE,
    )
    takeover = Takeovers(pauses, sent, store.activity, messenger)
    return TakeoverParts(messenger, pauses, takeover, handoffs)


def build_messenger(settings: Settings, session: aiohttp.ClientSession) -> Messenger:
    if settings.messenger == "venom" and settings.venom_send_url:
        return VenomMessenger(session, settings.venom_send_url)
    token, number_id = settings.whatsapp_token, settings.whatsapp_phone_number_id
    if settings.messenger == "cloud" and token and number_id:
        return CloudMessenger(session, settings.whatsapp_graph_url, number_id, token)
    return LogMessenger()


@contextlib.asynccontextmanager
async def runtime(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Batcher]:
    """Redis and the batcher over it; everything else is built from these."""
    async with open_redis(settings.redis_url, settings.data_dir) as redis:
        yield Batcher(redis, Keys(), batch_policy(settings), clock or SystemClock())


def conversation_store(settings: Settings, batcher: Batcher) -> ConversationStore:
    return ConversationStore(
        batcher.redis, batcher.keys, batcher.clock, idle_ttl_s=settings.state_idle_ttl_s
    )


async def serve(settings: Settings, mode: Mode) -> None:
    """Run the webhook, the worker, or both, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        batcher = await stack.enter_async_context(runtime(settings))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        store = conversation_store(settings, batcher)
        parts = takeover_parts(settings, batcher, store, session)
        metrics = Metrics(batcher, parts.pauses)
        announce(settings, mode)
        tasks: list[asyncio.Task[None]] = []
        runner: web.AppRunner | None = None
        if mode in ("serve", "worker"):
            backend = await stack.enter_async_context(salon_backend(settings, batcher.clock))
            warm_up_fillers(batcher.clock)
            handler = DialogueRunner(
                store,
                backend,
                slot_filler(settings, metrics),
                parts.messenger,
                batcher.clock,
                settings.salon_timezone,
                metrics,
                faq=salon_faq(settings),
                caps=read_caps(settings),
                pauses=parts.pauses,
                handoffs=parts.handoffs,
            )
            worker = Worker(
                batcher,
                handler,
                batcher.clock,
                on_flush_lag=lambda ms: metrics.flush_lag.observe(max(0, ms) / 1000),
            )
            tasks.append(asyncio.create_task(worker.run(stop), name="worker"))
        if mode in ("serve", "webhook"):
            app = build_webhook_app(
                batcher,
                RedisHealth(
                    batcher.redis, batcher, max_pending_age_ms=settings.batch_max_wait_ms + 60_000
                ),
                webhook_config(settings),
                Inspector(store, batcher, parts.pauses),
                metrics,
                parts.takeover,
            )
            serve_console(app, settings, store, batcher, parts.takeover)
            runner = web.AppRunner(app, **server_settings(settings.http_read_timeout_s))
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("listening on http://%s:%d", settings.host, settings.port)
        await stop.wait()
        log.info("stopping")
        # The HTTP side and the worker stop side by side, each bounded (a stop takes a few
        # seconds at most, issue 11): requests under way get the runner's shutdown
        # timeout, turns under way the worker's drain timeout, then go back to the queue.
        if runner is not None:
            tasks.append(asyncio.create_task(runner.cleanup(), name="http-stop"))
        if tasks:
            await asyncio.gather(*tasks)


def announce(settings: Settings, mode: Mode) -> None:
    where = settings.redis_url or f"embedded redis under {settings.data_dir}"
    log.info("ai-admin %s starting (redis: %s)", mode, _redact_url(where))
    if mode != "worker":
        announce_exposure(settings)
    if not (settings.admin_chat or settings.handoff_webhook_url):
        log.info(
            "ADMIN_CHAT and HANDOFF_WEBHOOK_URL unset: hand-offs pause the bot and wait in "
            "the console's hand-off queue, nobody is messaged"
        )
    if settings.demo:
        log.warning(
            "DEMO MODE: YCLIENTS_PARTNER_TOKEN is unset, the built-in sandbox salon stands in "
            "for YClients; no real bookings are made"
        )


def announce_exposure(settings: Settings) -> None:
    """Say who can reach the endpoints; loudly when anyone can (AI_ADMIN_INSECURE=1)."""
    missing = " and ".join(settings.missing_tokens)
    if not missing:
        return
    if settings.loopback_only:
        log.info(
            "%s unset: the endpoints are open to this machine only (%s)", missing, settings.host
        )
        return
    log.warning(
        "INSECURE: listening on %s:%d with %s unset (AI_ADMIN_INSECURE=1): anyone who can "
        "reach this port can post messages as any client and read or reset every conversation",
        settings.host,
        settings.port,
        missing,
    )


def _redact_url(url: str) -> str:
    """Drop a password from a redis URL before logging it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
