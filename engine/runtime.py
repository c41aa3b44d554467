"""The composition root: `open_runtime(settings)` is the one place the engine is put together.

Every command (`serve`, `webhook`, `worker`, `chat`, `replay`, `inspect`), the engine
harness of the tests and transcripts, and the benchmarks get their parts from it, so what
the tests exercise is what production runs. Tests and tools change parts only through
`Overrides` (clock, Redis client and key prefix, filler, messenger, sandbox salon, FAQ,
YClients client limits, a wrapper around the batch handler…); everything else comes from
`Settings`.

How to extend it:
- a setting: declare it in `engine/settings.py` (its docstring says how), read it here
  where the part that needs it is built.
- a part: a field of `Runtime` (shared by every role: Redis, batcher, store, metrics…) or
  of `Turns` (the worker side: salon backend, filler, runner, worker), built in
  `open_runtime` / `_open_turns` from `settings` and `overrides`; a part a test must
  replace gets a field in `Overrides`. Async resources go on the exit stack.
- a long-running task of the worker role (a sender loop, a sweeper): an object with
  `async run(stop: asyncio.Event)` appended to `Turns.services`; `serve`/`worker` run
  each until the stop, side by side with the batch worker. A task of the HTTP role goes
  into `Runtime.http_services` the same way.
- a route: `webhook_app()`, which `serve`/`webhook` (and HTTP tests) serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Protocol

import aiohttp

from adapters.yclients import RateLimiter, RetryPolicy, YClientsBackend
from engine.batcher import Batcher
from engine.clock import Clock, SystemClock
from engine.console_data import EngineConsoleData
from engine.conversations import ConversationStore
from engine.dead_letters import DeadLetters
from engine.dialogue_runner import DialogueRunner
from engine.echoes import SentTexts, echo_noting
from engine.follow_up import FollowUp, open_follow_up
from engine.handoff_webhook import HandoffWebhook
from engine.handoffs import HandOffs
from engine.health import RedisHealth
from engine.inspection import Inspector
from engine.keys import Keys
from engine.metrics import Metrics
from engine.pauses import PauseStore
from engine.record_sync.events import RecordEvents
from engine.redis_conn import AsyncRedis, open_redis
from engine.reminders.store import ReminderStore
from engine.salon_notice import SalonNotifier
from engine.settings import Settings
from engine.takeover import Takeovers
from engine.wiring import (
    batch_policy,
    build_messenger,
    follow_up_config,
    read_caps,
    salon_backend,
    salon_faq,
    slot_filler,
    webhook_config,
)
from engine.worker import BatchHandler, Worker
from states.dialogue import DEFAULT_TIMEZONE
from states.faq import SalonFaq
from states.ports import Messenger
from states.salon import SalonBackend
from states.slot_fill import SlotFiller

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.yclients.sandbox import RunningSandbox, SandboxSalon


class Service(Protocol):
    """A long-running task: runs until `stop` is set, then finishes or gives its work back."""

    async def run(self, stop: asyncio.Event) -> None: ...


@dataclasses.dataclass(frozen=True)
class YClientsLimits:
    """The YClients client's timeout, retries and rate limit, in real seconds (tests lift
    them so a transcript shows a timeout or a retried 5xx without waiting)."""

    timeout_s: float = 10.0
    retry: RetryPolicy | None = None
    limiter: RateLimiter | None = None

    @classmethod
    def lifted(cls, timeout_s: float | None = None) -> YClientsLimits:
        """For a virtual clock: no rate limit, and retries (a 5xx is still retried for
        reads) without real seconds of backoff; a virtual hour passes in no real time."""
        return cls(
            timeout_s=timeout_s or cls.timeout_s,
            retry=RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.05, max_retry_after_s=1),
            limiter=RateLimiter(per_second=10**6, per_minute=10**8),
        )


@dataclasses.dataclass(frozen=True)
class Overrides:
    """Parts a caller supplies instead of building them from `Settings`; None: built."""

    clock: Clock | None = None
    # The clock dialogue dates and conversation times are read on, when it is not `clock`
    # (a test worker process batches on real time but on the demo salon's fixed day).
    dialogue_clock: Clock | None = None
    redis: AsyncRedis | None = None  # the caller's client, left open; else REDIS_URL/embedded
    keys: Keys | None = None  # the caller's key prefix (tests share one Redis)
    filler: SlotFiller | None = None
    messenger: Messenger | None = None
    salon: SandboxSalon | None = None  # demo mode: the sandbox salon to serve (tests seed it)
    sandbox_user_token: bool = True  # demo mode: False reaches it with the partner token alone
    faq: SalonFaq | None = None
    yclients: YClientsLimits = YClientsLimits()
    # Wrappers around what is built: test doubles that kill a process at a point, timers.
    backend: Callable[[YClientsBackend], SalonBackend] | None = None
    handler: Callable[[DialogueRunner], BatchHandler] | None = None
    worker_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Turns:
    """The worker side: the salon, the dialogue runner and the batch worker that drives it,
    and beside it the reminder sender and the record follower (issue 16)."""

    backend: SalonBackend
    sandbox: RunningSandbox | None  # demo mode: the sandbox salon served in-process
    messenger: Messenger
    runner: DialogueRunner
    worker: Worker
    follow_up: FollowUp
    services: list[Service]  # what `serve`/`worker` run until the stop, the worker first


@dataclasses.dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    redis: AsyncRedis
    keys: Keys
    batcher: Batcher
    store: ConversationStore
    metrics: Metrics
    health: RedisHealth
    inspector: Inspector
    dead_letters: DeadLetters
    console: EngineConsoleData  # the operator console's data (`/admin`, `dead-letters`)
    http: aiohttp.ClientSession  # outbound HTTP: messengers, notices
    # Every sender's messenger: it notes each text so venom's echo of it is not taken for
    # the salon's person (issue 17).
    messenger: Messenger
    pauses: PauseStore  # who has each chat: the bot, or a person until when
    takeover: Takeovers  # the salon's own WhatsApp, the admin API, the CLI, the console
    notifier: SalonNotifier  # ADMIN_CHAT: hand-offs, unanswered reminders
    http_services: list[Service]
    _turns: Turns | None
    # Issue 16: the visit reminders (inspection shows them) and the YClients record events
    # the webhook route keeps for the worker; the route's secret (YCLIENTS_WEBHOOK_SECRET,
    # or in demo mode one made up at start, for the sandbox to post with).
    reminders: ReminderStore
    record_events: RecordEvents
    yclients_webhook_secret: str | None

    @property
    def turns(self) -> Turns:
        if self._turns is None:
            raise RuntimeError("this runtime was opened without the worker side (worker=False)")
        return self._turns

    @property
    def worker(self) -> Worker:
        return self.turns.worker

    def webhook_app(self) -> web.Application:
        """The HTTP side: webhooks, stats, inspection, health, metrics, the console.

        Imported here: a `worker` process never serves HTTP, and the console brings
        jinja2 (issue 15: the worker's memory)."""
        from adapters.console.app import mount_console
        from adapters.webhook.app import build_webhook_app

        sandbox = self._turns.sandbox if self._turns else None
        app = build_webhook_app(
            self.batcher,
            self.health,
            webhook_config(
                self.settings,
                self.yclients_webhook_secret,
                sandbox.company_id if sandbox else None,
            ),
            self.inspector,
            self.metrics,
            self.takeover,
            self.record_events,
        )
        mount_console(app, self.console, self.settings.admin_token)
        return app

    def sandbox_posts_to(self, base_url: str) -> None:
        """Demo mode: the sandbox salon posts its record webhooks to this service's route
        (served at `base_url`), as YClients would to a registered URL."""
        sandbox = self._turns.sandbox if self._turns else None
        if sandbox is None or self.yclients_webhook_secret is None:
            return
        url = f"{base_url.rstrip('/')}/webhook/yclients/{self.yclients_webhook_secret}"
        sandbox.webhooks.configure(url=url)


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings,
    overrides: Overrides | None = None,
    *,
    worker: bool = True,
    metrics_served: bool = True,
) -> AsyncIterator[Runtime]:
    """Every part, built from `settings` (and `overrides`); closed in reverse on exit.
    `worker=False` (the `webhook` role, `inspect`) builds no salon, filler or worker;
    `metrics_served=False` (the `worker` role: no HTTP) counts no metrics nobody could
    read (`Metrics(exposed=False)`)."""
    o = overrides or Overrides()
    clock = o.clock or SystemClock()
    async with contextlib.AsyncExitStack() as stack:
        redis = o.redis
        if redis is None:
            redis = await stack.enter_async_context(
                open_redis(settings.redis_url, settings.data_dir)
            )
        keys = o.keys or Keys()
        batcher = Batcher(redis, keys, batch_policy(settings), clock)
        store = ConversationStore(
            redis, keys, o.dialogue_clock or clock, idle_ttl_s=settings.state_idle_ttl_s
        )
        letters = DeadLetters(redis, keys, clock)
        # A chat's pause is read on the dialogue's clock, like its conversation.
        pauses = PauseStore(redis, keys, o.dialogue_clock or clock, settings.handoff_pause_s)
        metrics = Metrics(batcher, letters, pauses, exposed=metrics_served)
        http = await stack.enter_async_context(aiohttp.ClientSession())
        health = RedisHealth(redis, batcher, max_pending_age_ms=settings.batch_max_wait_ms + 60_000)
        sent = SentTexts(redis, keys)
        messenger = echo_noting(o.messenger or build_messenger(settings, http), sent)
        notifier = SalonNotifier(messenger, settings.admin_chat, sleep=clock.sleep)
        takeover = Takeovers(pauses, sent, store.activity, messenger)
        turns = None
        if worker:
            zone = settings.salon_timezone or DEFAULT_TIMEZONE
            hook = handoff_webhook(settings, http, clock)
            handoffs = HandOffs(pauses, notifier, hook, zone)
            turns = await _open_turns(
                stack, settings, o, batcher, store, metrics, messenger, handoffs, notifier
            )
        reminders = ReminderStore(redis, keys, clock)
        secret = settings.yclients_webhook_secret
        if secret is None and settings.demo:
            secret = secrets.token_urlsafe(18)  # known to this process and its sandbox only
        yield Runtime(
            settings=settings,
            clock=clock,
            redis=redis,
            keys=keys,
            batcher=batcher,
            store=store,
            metrics=metrics,
            health=health,
            inspector=Inspector(store, batcher, pauses, reminders, settings.salon_timezone),
            dead_letters=letters,
            console=EngineConsoleData(
                store, batcher, settings.salon_timezone or DEFAULT_TIMEZONE, letters, takeover
            ),
            http=http,
            messenger=messenger,
            pauses=pauses,
            takeover=takeover,
            notifier=notifier,
            http_services=[],
            _turns=turns,
            reminders=reminders,
            record_events=RecordEvents(redis, keys, clock),
            yclients_webhook_secret=secret,
        )


async def _open_turns(
    stack: contextlib.AsyncExitStack,
    settings: Settings,
    o: Overrides,
    batcher: Batcher,
    store: ConversationStore,
    metrics: Metrics,
    messenger: Messenger,
    handoffs: HandOffs,
    notifier: SalonNotifier,
) -> Turns:
    clock = o.dialogue_clock or batcher.clock
    limits = o.yclients
    yclients, sandbox = await stack.enter_async_context(
        salon_backend(
            settings,
            clock,
            o.salon,
            user_token=o.sandbox_user_token,
            timeout_s=limits.timeout_s,
            retry=limits.retry,
            limiter=limits.limiter,
        )
    )
    backend = o.backend(yclients) if o.backend else yclients
    follow_up = await open_follow_up(
        follow_up_config(settings),
        batcher.redis,
        batcher.keys,
        clock,
        store,
        backend,
        yclients,
        messenger,
        notifier,
        batcher.last_inbound_ms,
        metrics,
    )
    runner = DialogueRunner(
        store,
        backend,
        o.filler or slot_filler(settings, metrics),
        messenger,
        clock,
        settings.salon_timezone,
        metrics,
        faq=o.faq if o.faq is not None else salon_faq(settings),
        caps=read_caps(settings),
        pauses=handoffs.pauses,
        handoffs=handoffs,
        visits=follow_up.tracker,
    )
    worker = Worker(
        batcher,
        o.handler(runner) if o.handler else runner,
        batcher.clock,
        worker_id=o.worker_id,
        on_flush_lag=lambda ms: metrics.flush_lag.observe(max(0, ms) / 1000),
    )
    services: list[Service] = [worker, follow_up.follower, follow_up.sender]
    return Turns(backend, sandbox, messenger, runner, worker, follow_up, services)


def handoff_webhook(
    settings: Settings, http: aiohttp.ClientSession, clock: Clock
) -> HandoffWebhook | None:
    """HANDOFF_WEBHOOK_URL, signed with HANDOFF_WEBHOOK_SECRET (settings require both)."""
    if not (settings.handoff_webhook_url and settings.handoff_webhook_secret):
        return None
    return HandoffWebhook(
        http, settings.handoff_webhook_url, settings.handoff_webhook_secret, sleep=clock.sleep
    )
