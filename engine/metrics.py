"""Prometheus metrics: one registry per process, fed by the webhook, worker and turns.

Counters are per process (each `serve` or `webhook` process exposes its own `/metrics`);
the batch gauges are read from Redis at scrape time, so any process shows the fleet's.
`/metrics` answers even when Redis does not (issue 11): `ai_admin_redis_up` is 0 then
and the Redis-backed gauges are NaN ("unknown"), never a stale number or a 500.

A process that serves no HTTP (`ai-admin worker`) has nobody to read its counts: its
`Metrics(exposed=False)` counts into `UNREAD`, and `prometheus_client` (with the HTTP
server, WSGI and gzip modules its package imports, ~1.4 MB) is never imported (issue 15).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, Self

from redis.exceptions import RedisError

from engine.batcher import Batcher
from engine.dead_letters import DeadLetters
from engine.pauses import PauseStore, Reason
from engine.redis_conn import REDIS_ERRORS
from states.slot_fill import FillRequest, LlmReason, SlotFill, SlotFiller

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

_LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# A scrape waits this long for Redis, then reports it down: Prometheus gives up at 10 s.
REDIS_READ_TIMEOUT_S = 2.0

log = logging.getLogger(__name__)
HANDOFF_REASONS = tuple(reason.value for reason in Reason)


# The fleet's numbers, read from Redis at every scrape (`_read_redis`): gauge -> help.
FLEET_GAUGES = {
    "ai_admin_pending_batches": "Batches waiting or being processed",
    "ai_admin_pending_messages": "Messages not yet processed",
    "ai_admin_oldest_pending_age_seconds": "Age of the oldest unprocessed message",
    "ai_admin_failed_batches": "Batches given up after repeated failures",
    "ai_admin_workers_seen": "Workers that reported in the last 30 s",
    "ai_admin_flood_held_messages": "Messages held unanswered past the per-phone flood limit "
    "(fleet total)",
    "ai_admin_flood_episodes": "Floods that got a notice: a phone past FLOOD_MAX_PER_MIN "
    "(fleet total)",
    "ai_admin_dead_letters": "Failed batches kept for a person (`ai-admin dead-letters`); bounded",
    "ai_admin_paused_conversations": "Chats a person has: the bot keeps quiet in them "
    "(fleet total)",
}


class Count(Protocol):
    """A counter (prometheus_client's `Counter`, or `UNREAD`)."""

    def labels(self, *values: str) -> Self: ...
    def inc(self, amount: float = 1) -> None: ...
    def collect(self) -> Iterable[Any]: ...


class Timing(Protocol):
    """A histogram (prometheus_client's `Histogram`, or `UNREAD`)."""

    def labels(self, *values: str) -> Self: ...
    def observe(self, amount: float) -> None: ...


class Level(Protocol):
    """A gauge (prometheus_client's `Gauge`, or `UNREAD`)."""

    def labels(self, *values: str) -> Self: ...
    def set(self, value: float) -> None: ...


class Unread:
    """Every metric of a process that exposes none: counts go nowhere."""

    def labels(self, *values: str) -> Self:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def observe(self, amount: float) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def collect(self) -> Iterable[Any]:
        return ()


UNREAD = Unread()


@dataclasses.dataclass
class Metrics:
    batcher: Batcher | None = None
    letters: DeadLetters | None = None
    pauses: PauseStore | None = None
    exposed: bool = True  # False: no `/metrics` in this process, so nothing is counted

    def __post_init__(self) -> None:
        self.registry: CollectorRegistry | None = None
        if self.exposed:
            from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

            self.registry = r = CollectorRegistry()

        def counter(name: str, doc: str, *labels: str) -> Count:
            return Counter(name, doc, labels, registry=r) if self.exposed else UNREAD

        def histogram(name: str, doc: str, buckets: tuple[float, ...], *labels: str) -> Timing:
            if not self.exposed:
                return UNREAD
            return Histogram(name, doc, labels, buckets=buckets, registry=r)

        def gauge(name: str, doc: str, *labels: str) -> Level:
            return Gauge(name, doc, labels, registry=r) if self.exposed else UNREAD

        self.fleet = {name: gauge(name, doc) for name, doc in FLEET_GAUGES.items()}
        self._webhook_outcomes: dict[str, Count] = {}
        self.redis_up = gauge("ai_admin_redis_up", "1 when Redis answered this scrape, else 0")
        self.handoffs = gauge(
            "ai_admin_handoffs",
            "Chats handed to a person, by reason: ask_human, complaint, ladder (the dialogue), "
            "salon_reply (the salon answered from its WhatsApp), operator (fleet total)",
            "reason",
        )
        self.webhook_requests = counter(
            "ai_admin_webhook_requests", "Webhook requests by outcome", "outcome"
        )
        self.input_cut = counter(
            "ai_admin_input_truncated",
            "Messages a turn read only in part, by cap (message or batch characters)",
            "cap",
        )
        self.flush_lag = histogram(
            "ai_admin_flush_lag_seconds", "Processing start minus due time", _LAG_BUCKETS
        )
        self.turn_duration = histogram(
            "ai_admin_turn_duration_seconds", "One dialogue turn, claim to ack", _TURN_BUCKETS
        )
        self.turns = counter("ai_admin_turns", "Turns by outcome", "outcome")
        self.llm_calls = counter("ai_admin_llm_calls", "Slot fills by source", "source")
        self.llm_latency = histogram(
            "ai_admin_slot_fill_seconds", "Slot filler latency", _TURN_BUCKETS, "filler"
        )
        self.llm_fallbacks = counter(
            "ai_admin_llm_fallbacks", "LLM failures answered by the offline filler", "reason"
        )
        self.llm_requests = counter(
            "ai_admin_llm_requests",
            "Batches read with an LLM configured, by reason: full_fill sent one request; "
            "plain_yes_no, plain_option, plain_time, plain_date were plain answers read "
            "without one; repeat reused a retried batch's fill; over_budget refused a second "
            "call for one batch (the offline rules read it)",
            "reason",
        )
        for reason in LlmReason:  # every reason from the start, so a rate over zero is defined
            self.llm_requests.labels(reason.value)
        self.yclients_calls = counter(
            "ai_admin_yclients_calls",
            "YClients calls by endpoint and outcome",
            "endpoint",
            "outcome",
        )
        self.bookings = counter("ai_admin_bookings", "Bookings by outcome", "outcome")
        self.replies = counter("ai_admin_replies", "Replies by outcome", "outcome")
        # Issue 16: visit reminders and the salon's own changes (YClients record webhooks).
        self.reminders = counter(
            "ai_admin_reminders",
            "Visit reminders by event: sent, confirmed, declined, unanswered, failed, "
            "expired (the visit began first), retry",
            "event",
        )
        self.admin_notices = counter(
            "ai_admin_admin_notices",
            "Messages to the salon's ADMIN_CHAT by reason and outcome",
            "reason",
            "outcome",
        )
        self.yclients_webhooks = counter(
            "ai_admin_yclients_webhooks",
            "YClients webhooks received, by event status and what the route did",
            "status",
            "outcome",
        )
        self.record_events = counter(
            "ai_admin_record_events",
            "YClients record events applied, by status and effect (duplicate: a repeat of a "
            "change already applied)",
            "status",
            "effect",
        )

    # The webhook's observer protocol (states.ports.WebhookObserver).
    def request(self, outcome: str) -> None:
        # Once per webhook request: the labelled child is looked up (under the metric's
        # lock) once per outcome, not per request; outcomes are a handful of words.
        child = self._webhook_outcomes.get(outcome)
        if child is None:
            child = self._webhook_outcomes[outcome] = self.webhook_requests.labels(outcome)
        child.inc()

    def yclients_webhook(self, status: str, outcome: str) -> None:
        self.yclients_webhooks.labels(status, outcome).inc()

    def record_event(self, status: str, effect: str) -> None:
        self.record_events.labels(status, effect).inc()

    async def render(self) -> tuple[bytes, str]:
        if self.registry is None:
            raise RuntimeError("these metrics are not exposed (Metrics(exposed=False))")
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        if self.batcher is not None:
            try:
                async with asyncio.timeout(REDIS_READ_TIMEOUT_S):
                    await self._read_redis(self.batcher)
                self.redis_up.set(1)
            except (*REDIS_ERRORS, TimeoutError, RedisError) as exc:
                log.warning("metrics: redis unavailable (%s)", type(exc).__name__)
                self.redis_up.set(0)
                for gauge in self.fleet.values():
                    gauge.set(math.nan)
                for reason in HANDOFF_REASONS:
                    self.handoffs.labels(reason).set(math.nan)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    async def _read_redis(self, batcher: Batcher) -> None:
        stats, counters = await batcher.stats_and_counters()
        now = batcher.clock.now_ms()
        seen = await batcher.redis.zcount(batcher.keys.workers, now - 30_000, "+inf")
        values = {
            "ai_admin_pending_batches": stats.pending_batches,
            "ai_admin_pending_messages": stats.pending_messages,
            "ai_admin_oldest_pending_age_seconds": stats.oldest_pending_age_ms / 1000,
            "ai_admin_failed_batches": stats.failed_batches,
            "ai_admin_workers_seen": seen,
            "ai_admin_flood_held_messages": counters.get("held_messages", 0),
            "ai_admin_flood_episodes": counters.get("flood_episodes", 0),
            "ai_admin_dead_letters": await self.letters.count() if self.letters else math.nan,
            "ai_admin_paused_conversations": (
                await self.pauses.paused_count() if self.pauses else 0
            ),
        }
        for name, gauge in self.fleet.items():
            gauge.set(values[name])
        for reason in HANDOFF_REASONS:  # every reason, so a rate over zero is defined
            self.handoffs.labels(reason).set(counters.get(f"handoffs:{reason}", 0))

    def llm_request(self, reason: LlmReason) -> None:
        self.llm_requests.labels(reason.value).inc()

    # Turns.
    def observe_turn(
        self, seconds: float, calls: Iterable[dict[str, Any]], guards: Iterable[dict[str, Any]]
    ) -> None:
        self.turn_duration.observe(seconds)
        self.turns.labels("ok").inc()
        for call in calls:
            outcome = "ok" if call.get("ok") else str(call.get("status") or call.get("error"))
            self.yclients_calls.labels(call["call"], outcome).inc()
        for guard in guards:
            if guard.get("guard") == "yclients_created" and guard.get("ok"):
                self.bookings.labels("created").inc()
            elif guard.get("guard") == "yclients_accepted" and not guard.get("ok"):
                self.bookings.labels("refused").inc()
            elif guard.get("guard") == "reminder_answered":
                self.reminders.labels(str(guard.get("detail"))).inc()


class TimedFiller:
    """A SlotFiller that times the filler it wraps and counts fills by source."""

    def __init__(self, inner: SlotFiller, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics
        self.name = type(inner).__name__

    async def fill(self, request: FillRequest) -> SlotFill:
        started = time.perf_counter()
        result = await self.inner.fill(request)
        self.metrics.llm_latency.labels(self.name).observe(time.perf_counter() - started)
        self.metrics.llm_calls.labels(result.source.value).inc()
        return result
