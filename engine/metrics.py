"""Prometheus metrics: one registry per process, fed by the webhook, worker and turns.

Counters are per process (each webhook or worker process exposes its own `/metrics`);
the batch gauges are read from Redis at scrape time, so any process shows the fleet's.
`/metrics` answers even when Redis does not (issue 11): `ai_admin_redis_up` is 0 then
and the Redis-backed gauges are NaN ("unknown"), never a stale number or a 500.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from redis.exceptions import RedisError

from engine.batcher import Batcher
from engine.dead_letters import DeadLetters
from engine.pauses import PauseStore, Reason
from engine.redis_conn import REDIS_ERRORS
from states.slot_fill import FillRequest, SlotFill, SlotFiller

_LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# A scrape waits this long for Redis, then reports it down: Prometheus gives up at 10 s.
REDIS_READ_TIMEOUT_S = 2.0

log = logging.getLogger(__name__)
HANDOFF_REASONS = tuple(reason.value for reason in Reason)


class Metrics:
    def __init__(
        self,
        batcher: Batcher | None = None,
        letters: DeadLetters | None = None,
        pauses: PauseStore | None = None,
    ) -> None:
        self.batcher = batcher
        self.letters = letters
        self.pauses = pauses
        self.registry = CollectorRegistry()
        r = self.registry
        self.webhook_requests = Counter(
            "ai_admin_webhook_requests", "Webhook requests by outcome", ["outcome"], registry=r
        )
        self._webhook_outcomes: dict[str, Counter] = {}
        self.pending_batches = Gauge(
            "ai_admin_pending_batches", "Batches waiting or being processed", registry=r
        )
        self.pending_messages = Gauge(
            "ai_admin_pending_messages", "Messages not yet processed", registry=r
        )
        self.oldest_pending_age = Gauge(
            "ai_admin_oldest_pending_age_seconds",
            "Age of the oldest unprocessed message",
            registry=r,
        )
        self.failed_batches = Gauge(
            "ai_admin_failed_batches", "Batches given up after repeated failures", registry=r
        )
        self.dead_letters = Gauge(
            "ai_admin_dead_letters",
            "Failed batches kept for a person (`ai-admin dead-letters`); bounded",
            registry=r,
        )
        self.workers_seen = Gauge(
            "ai_admin_workers_seen", "Workers that reported in the last 30 s", registry=r
        )
        self.redis_up = Gauge(
            "ai_admin_redis_up", "1 when Redis answered this scrape, else 0", registry=r
        )
        self.held_messages = Gauge(
            "ai_admin_flood_held_messages",
            "Messages held unanswered past the per-phone flood limit (fleet total)",
            registry=r,
        )
        self.flood_episodes = Gauge(
            "ai_admin_flood_episodes",
            "Floods that got a notice: a phone past FLOOD_MAX_PER_MIN (fleet total)",
            registry=r,
        )
        self.paused_conversations = Gauge(
            "ai_admin_paused_conversations",
            "Chats a person has: the bot keeps quiet in them (fleet total)",
            registry=r,
        )
        self.handoffs = Gauge(
            "ai_admin_handoffs",
            "Chats handed to a person, by reason: ask_human, complaint, ladder (the dialogue), "
            "salon_reply (the salon answered from its WhatsApp), operator (fleet total)",
            ["reason"],
            registry=r,
        )
        self.input_cut = Counter(
            "ai_admin_input_truncated",
            "Messages a turn read only in part, by cap (message or batch characters)",
            ["cap"],
            registry=r,
        )
        self.flush_lag = Histogram(
            "ai_admin_flush_lag_seconds",
            "Processing start minus due time",
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.turn_duration = Histogram(
            "ai_admin_turn_duration_seconds",
            "One dialogue turn, claim to ack",
            buckets=_TURN_BUCKETS,
            registry=r,
        )
        self.turns = Counter("ai_admin_turns", "Turns by outcome", ["outcome"], registry=r)
        self.llm_calls = Counter(
            "ai_admin_llm_calls", "Slot fills by source", ["source"], registry=r
        )
        self.llm_latency = Histogram(
            "ai_admin_slot_fill_seconds",
            "Slot filler latency",
            ["filler"],
            buckets=_TURN_BUCKETS,
            registry=r,
        )
        self.llm_fallbacks = Counter(
            "ai_admin_llm_fallbacks",
            "LLM failures answered by the offline filler",
            ["reason"],
            registry=r,
        )
        self.yclients_calls = Counter(
            "ai_admin_yclients_calls",
            "YClients calls by endpoint and outcome",
            ["endpoint", "outcome"],
            registry=r,
        )
        self.bookings = Counter("ai_admin_bookings", "Bookings by outcome", ["outcome"], registry=r)
        self.replies = Counter("ai_admin_replies", "Replies by outcome", ["outcome"], registry=r)
        # Issue 16: visit reminders and the salon's own changes (YClients record webhooks).
        self.reminders = Counter(
            "ai_admin_reminders",
            "Visit reminders by event: sent, confirmed, declined, unanswered, failed, "
            "expired (the visit began first), retry",
            ["event"],
            registry=r,
        )
        self.admin_notices = Counter(
            "ai_admin_admin_notices",
            "Messages to the salon's ADMIN_CHAT by reason and outcome",
            ["reason", "outcome"],
            registry=r,
        )
        self.yclients_webhooks = Counter(
            "ai_admin_yclients_webhooks",
            "YClients webhooks received, by event status and what the route did",
            ["status", "outcome"],
            registry=r,
        )
        self.record_events = Counter(
            "ai_admin_record_events",
            "YClients record events applied, by status and effect (duplicate: a repeat of a "
            "change already applied)",
            ["status", "effect"],
            registry=r,
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
        if self.batcher is not None:
            try:
                async with asyncio.timeout(REDIS_READ_TIMEOUT_S):
                    await self._read_redis(self.batcher)
                self.redis_up.set(1)
            except (*REDIS_ERRORS, TimeoutError, RedisError) as exc:
                log.warning("metrics: redis unavailable (%s)", type(exc).__name__)
                self.redis_up.set(0)
                for gauge in self._redis_gauges():
                    gauge.set(math.nan)
                for reason in HANDOFF_REASONS:
                    self.handoffs.labels(reason).set(math.nan)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _redis_gauges(self) -> tuple[Gauge, ...]:
        return (
            self.pending_batches,
            self.pending_messages,
            self.oldest_pending_age,
            self.failed_batches,
            self.workers_seen,
            self.held_messages,
            self.flood_episodes,
            self.dead_letters,
            self.paused_conversations,
        )

    async def _read_redis(self, batcher: Batcher) -> None:
        stats, counters = await batcher.stats_and_counters()
        now = batcher.clock.now_ms()
        seen = await batcher.redis.zcount(batcher.keys.workers, now - 30_000, "+inf")
        values = (
            stats.pending_batches,
            stats.pending_messages,
            stats.oldest_pending_age_ms / 1000,
            stats.failed_batches,
            seen,
            counters.get("held_messages", 0),
            counters.get("flood_episodes", 0),
            await self.letters.count() if self.letters else math.nan,
            await self.pauses.paused_count() if self.pauses else 0,
        )
        for gauge, value in zip(self._redis_gauges(), values, strict=True):
            gauge.set(value)
        for reason in HANDOFF_REASONS:  # every reason, so a rate over zero is defined
            self.handoffs.labels(reason).set(counters.get(f"handoffs:{reason}", 0))

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
