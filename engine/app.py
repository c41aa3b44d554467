"""`ai-admin serve|webhook|worker`: the runtime's roles run until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING, Literal

from adapters.fillers.once import one_malloc_arena
from engine.runtime import open_runtime
from engine.settings import Settings
from engine.wiring import prepare_filler_threads

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("ai_admin")

Mode = Literal["serve", "webhook", "worker"]


async def serve(settings: Settings, mode: Mode) -> None:
    """Run the webhook, the worker, or both, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if mode != "webhook":
        one_malloc_arena()  # before any thread allocates: the filler's threads share it
    runtime_opened = open_runtime(
        settings, worker=mode != "webhook", metrics_served=mode != "worker"
    )
    async with runtime_opened as runtime:
        announce(settings, mode)
        services = list(runtime.http_services) if mode != "worker" else []
        if mode != "webhook":
            prepare_filler_threads()
            services += runtime.turns.services
        tasks = [asyncio.create_task(s.run(stop), name=type(s).__name__) for s in services]
        runner: web.AppRunner | None = None
        if mode != "worker":
            # The HTTP side's modules are imported by the roles that serve it (issue 15).
            from aiohttp import web

            from adapters.webhook.app import server_settings

            app = runtime.webhook_app()
            runner = web.AppRunner(app, **server_settings(settings.http_read_timeout_s))
            await runner.setup()
            site = web.TCPSite(runner, settings.host, settings.port)
            await site.start()
            log.info("listening on http://%s:%d", settings.host, settings.port)
            if mode == "serve":  # demo mode: the sandbox salon posts its record webhooks here
                runtime.sandbox_posts_to(_own_url(site, settings.host))
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
    if mode != "webhook" and not (settings.admin_chat or settings.handoff_webhook_url):
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


def _own_url(site: web.TCPSite, host: str) -> str:
    """This process's own listening address, as this machine reaches it."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    server = site._server
    port = server.sockets[0].getsockname()[1] if server and server.sockets else 0  # type: ignore[attr-defined]
    return f"http://{host}:{port}"


def _redact_url(url: str) -> str:
    """Drop a password from a redis URL before logging it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
