"""The composition root: the one place where concrete clients are built and wired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import Literal

import aiohttp
from aiohttp import web

from adapters.messengers.cloud import CloudMessenger
from adapters.messengers.log import LogMessenger
from adapters.messengers.venom import VenomMessenger
from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import CloudConfig, WebhookConfig
from engine.batcher import Batcher, BatchPolicy
from engine.clock import Clock, SystemClock
from engine.console_data import serve_console
from engine.conversations import ConversationStore
from engine.dialogue_runner import DialogueRunner
from engine.health import RedisHealth
from engine.inspection import Inspector
from engine.keys import Keys
from engine.metrics import Metrics
from engine.redis_conn import open_redis
from engine.settings import Settings
from engine.wiring import salon_backend, salon_faq, slot_filler, warm_up_fillers
from engine.worker import Worker
from states.ports import Messenger

log = logging.getLogger("ai_admin")

Mode = Literal["serve", "webhook", "worker"]


def batch_policy(settings: Settings) -> BatchPolicy:
    return BatchPolicy(
        quiet_ms=settings.batch_timeout_ms,
        max_size=settings.batch_max_size,
        max_wait_ms=settings.batch_max_wait_ms,
        lease_ms=settings.batch_lease_ms,
    )


def webhook_config(settings: Settings) -> WebhookConfig:
    return WebhookConfig(
        webhook_token=settings.webhook_token,
        admin_token=settings.admin_token,
        demo=settings.demo,
        batch_timeout_ms=settings.batch_timeout_ms,
        max_batch_size=settings.batch_max_size,
        cloud=CloudConfig(
            verify_token=settings.whatsapp_verify_token,
            app_secret=settings.whatsapp_app_secret,
        ),
    )


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
        metrics = Metrics(batcher)
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
                build_messenger(settings, session),
                batcher.clock,
                settings.salon_timezone,
                metrics,
                faq=salon_faq(settings),
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
                Inspector(store, batcher),
                metrics,
            )
            serve_console(app, settings, store, batcher)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("listening on http://%s:%d", settings.host, settings.port)
        await stop.wait()
        log.info("stopping")
        if runner is not None:
            await runner.cleanup()
        if tasks:
            await asyncio.gather(*tasks)


def announce(settings: Settings, mode: Mode) -> None:
    where = settings.redis_url or f"embedded redis under {settings.data_dir}"
    log.info("ai-admin %s starting (redis: %s)", mode, _redact_url(where))
    if settings.demo:
        log.warning(
            "DEMO MODE: YCLIENTS_PARTNER_TOKEN is unset, the built-in sandbox salon stands in "
            "for YClients; no real bookings are made"
        )


def _redact_url(url: str) -> str:
    """Drop a password from a redis URL before logging it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
