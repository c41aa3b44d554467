"""Crash-safe message batching in Redis: append, claim, extend, finish, drop, stats.

Every mutation is one Lua script over the keys of one phone's bucket (see `engine.keys`),
so it is atomic and Redis Cluster-safe. The rule for messages that arrive while their
phone's batch is being processed: they wait in the phone's *pending* list and form the
next batch, which is due on its own clock but is not claimed before the running turn ends
(the due index holds the running claim's lease until then). Nothing is merged into a turn
that already started, and nothing is lost.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from collections.abc import Sequence
from typing import Any, cast

from redis.asyncio import ConnectionPool
from redis.asyncio.client import PubSub
from redis.asyncio.cluster import RedisCluster

from engine.clock import Clock
from engine.due_scan import bucket_heads, bucket_survey, due_in
from engine.keys import BUCKETS, KeyNames, Keys, bucket_of
from engine.redis_conn import (
    AsyncRedis,
    CoalescedScript,
    LuaScript,
    as_text,
    eval_many,
    is_cluster,
    lua_script,
    storage,
)
from states.messages import InboundMessage
from states.ports import AppendResult, BatchStats

DEDUPE_MS = 48 * 3600 * 1000  # the contract asks for at least 24 h
MAX_ATTEMPTS = 5  # a batch that failed this many claims goes to the dead list
# Messages held past the flood limit: the latest this many per phone, for this long.
HELD_MAX = 1000
HELD_TTL_MS = 7 * 24 * 3600 * 1000

# The KEYS of the scripts that run per message or per turn (their headers name them).
APPEND_KEYS = KeyNames(
    "pending", "meta", "claim", "seen", "due", "oldest", "stats", "flood", "held"
)
CLAIM_KEYS = KeyNames("pending", "meta", "inflight", "claim", "state", "takeover", "reminders")
FINISH_KEYS = KeyNames("due", "oldest", "pending", "meta", "inflight", "claim", "stats")


@dataclasses.dataclass(frozen=True)
class BatchPolicy:
    quiet_ms: int = 10_000
    max_size: int = 10
    max_wait_ms: int = 30_000
    lease_ms: int = 30_000
    flood_max_per_min: int = 30  # 0: no flood limit
    dead_max: int = 1000  # dead letters kept per bucket (the newest): the lists stay bounded


@dataclasses.dataclass(frozen=True)
class TurnStart:
    """What a turn reads first, read by the claim script right after it took the claim
    (issue 15: folded into the claim's round trip instead of three more)."""

    state_version: int
    state_doc: str | None  # the conversation JSON; None for a phone never seen
    paused_until_ms: int  # a person has the chat until then (0: never paused)
    reminders: dict[str, str]  # the phone's reminders hash (`engine.reminders.store`)


@dataclasses.dataclass(frozen=True)
class Batch:
    """A claimed batch: the messages of one turn, in timestamp-then-arrival order."""

    phone: str
    token: str
    attempt: int
    first_ms: int
    due_ms: int
    lease_until_ms: int
    messages: tuple[InboundMessage, ...]
    start: TurnStart | None = None

    @property
    def id(self) -> str:
        """Stable across retries of the same batch: derived from its first message."""
        return self.messages[0].id if self.messages else f"{self.phone}:{self.first_ms}"


def append_policy(policy: BatchPolicy, wake_channel: str) -> bytes:
    """append.lua's settings as its one policy argument, built once: every argument of a
    script call is encoded and framed again per call, and this one runs per message."""
    numbers = (
        policy.quiet_ms,
        policy.max_wait_ms,
        policy.max_size,
        DEDUPE_MS,
        policy.flood_max_per_min,
        HELD_MAX,
        HELD_TTL_MS,
    )
    return " ".join([*(str(int(n)) for n in numbers), wake_channel]).encode("utf-8")


class Batcher:
    """The batching operations over one Redis; the clock is injected (virtual in tests)."""

    def __init__(self, redis: AsyncRedis, keys: Keys, policy: BatchPolicy, clock: Clock) -> None:
        self.redis = redis
        self.keys = keys
        self.policy = policy
        self.clock = clock
        self._append = LuaScript(redis, "append.lua")
        self._append_policy = append_policy(policy, keys.wake_channel)
        self._claim = redis.register_script(lua_script("claim.lua"))
        self._extend = redis.register_script(lua_script("extend.lua"))
        # Many turns end at once under load: their acks share a round trip.
        self._finish = CoalescedScript(redis, redis.register_script(lua_script("finish.lua")))
        self._drop = redis.register_script(lua_script("drop.lua"))
        self._node_clients: dict[str, AsyncRedis] = {}

    def wake_subscriber(self) -> PubSub:
        """A Pub/Sub for the wake channel (the caller subscribes and closes it).

        On a Cluster it is a plain connection to one node: a classic PUBLISH (the append
        and finish scripts send one) reaches the subscribers on every node, and a plain
        connection does not depend on the cluster client's Pub/Sub support.
        """
        if not is_cluster(self.redis):
            return self.redis.pubsub(ignore_subscribe_messages=True)
        nodes = cast(RedisCluster, self.redis).nodes_manager
        # Known nodes, or before the first command the node of the URL (no I/O here: the
        # caller's subscribe is where an unreachable node shows up, and is retried).
        node = random.choice(list((nodes.nodes_cache or nodes.startup_nodes).values()))
        if node.name not in self._node_clients:
            # The node's own connection settings (password, TLS) from the cluster client.
            pool = ConnectionPool(connection_class=node.connection_class, **node.connection_kwargs)
            self._node_clients[node.name] = AsyncRedis(connection_pool=pool)
        return self._node_clients[node.name].pubsub(ignore_subscribe_messages=True)

    async def append(self, phone: str, message: InboundMessage) -> AppendResult:
        keys = self.keys.key_list(phone, APPEND_KEYS)
        with storage():
            queued, pending, due, _held = await self._append(
                keys,
                [phone, message.id, message.to_json(), self.clock.now_ms(), self._append_policy],
            )
        return AppendResult(queued=bool(queued), pending=int(pending), due_ms=int(due))

    async def next_due(self) -> list[tuple[int, float | None]]:
        """(bucket, earliest due ms or None) for every bucket, in one round trip."""
        return await bucket_heads(self.redis, self.keys.due)

    async def due_phones(self, bucket: int, now_ms: int, limit: int) -> list[str]:
        return await due_in(self.redis, self.keys.due(bucket), now_ms, limit)

    async def survey(self, now_ms: int, limit: int) -> list[tuple[int, float | None, list[str]]]:
        """Every bucket's earliest due time and up to `limit` phones due now, in one round
        trip."""
        return await bucket_survey(self.redis, self.keys.due, now_ms, limit)

    async def claim(self, phone: str) -> Batch | None:
        """Claim the phone's due batch (or re-claim one whose lease ran out)."""
        claimed = await self.claim_many([(bucket_of(phone), [phone])])
        return claimed[0] if claimed else None

    async def claim_many(self, picks: Sequence[tuple[int, Sequence[str]]]) -> list[Batch]:
        """Claim the due batches of the picked phones, given per bucket: one script call
        per bucket claims all its phones, and all buckets go in one round trip. A phone
        whose batch is not due, or is another worker's, is left out of the answer."""
        p = self.policy
        calls: list[tuple[list[str | bytes], list[Any]]] = []
        for bucket, phones in picks:
            if not phones:
                continue
            keys: list[str | bytes] = [self.keys.due(bucket), self.keys.dead(bucket)]
            keys += [self.keys.stats(bucket), self.keys.oldest(bucket)]
            args: list[Any] = [self.clock.now_ms(), p.lease_ms, MAX_ATTEMPTS]
            args += [p.max_size, p.dead_max]
            for phone in phones:
                assert bucket_of(phone) == bucket, "a phone claimed with another bucket's keys"
                keys += self.keys.key_list(phone, CLAIM_KEYS)
                args += [phone, secrets.token_hex(8)]
            calls.append((keys, args))
        answers = await eval_many(self.redis, self._claim, calls)
        claimed = []
        for (_, args), answer in zip(calls, answers, strict=True):
            for i, out in enumerate(answer):
                if out:
                    claimed.append(self._batch(as_text(args[5 + 2 * i]), out))
        return claimed

    @staticmethod
    def _batch(phone: str, out: list[Any]) -> Batch:
        messages = sorted(
            (InboundMessage.from_stored(raw) for raw in out[5]), key=lambda m: m.order_key
        )
        version, doc = out[6]
        reminders = out[8]
        return Batch(
            phone=phone,
            token=as_text(out[0]),
            attempt=int(out[1]),
            first_ms=int(out[2]),
            due_ms=int(out[3]),
            lease_until_ms=int(out[4]),
            messages=tuple(messages),
            start=TurnStart(
                state_version=int(version or 0),
                state_doc=as_text(doc) if doc is not None else None,
                paused_until_ms=int(out[7]),
                reminders={
                    as_text(reminders[i]): as_text(reminders[i + 1])
                    for i in range(0, len(reminders), 2)
                },
            ),
        )

    async def extend(self, batch: Batch) -> bool:
        """Heartbeat: push the lease forward; False means another worker owns the batch now."""
        k = self.keys.phone_keys(batch.phone)
        ok = await self._extend(
            keys=[k.due, k.claim],
            args=[batch.phone, batch.token, self.clock.now_ms(), self.policy.lease_ms],
        )
        return bool(ok)

    async def finish(self, batch: Batch, retry_after_ms: int | None = None) -> bool:
        """Done with the batch (or, with `retry_after_ms`, give it back for a later attempt)."""
        ok = await self._finish(
            keys=self.keys.key_list(batch.phone, FINISH_KEYS),
            args=[
                batch.phone,
                batch.token,
                self.clock.now_ms(),
                "done" if retry_after_ms is None else "retry",
                retry_after_ms or 0,
                self.keys.wake_channel,
            ],
        )
        return bool(ok)

    async def drop_pending(self, phone: str) -> int:
        k = self.keys.phone_keys(phone)
        with storage():
            n = await self._drop(
                keys=[k.due, k.oldest, k.pending, k.meta, k.claim, k.stats], args=[phone]
            )
        return int(n)

    async def pending_of(self, phone: str) -> tuple[int, int | None]:
        """(messages waiting for the next turn, when that batch is due in ms or None)."""
        k = self.keys.phone_keys(phone)
        pipe = self.redis.pipeline(transaction=False)
        pipe.llen(k.pending)
        pipe.hget(k.meta, "due_ms")
        count, due = await pipe.execute()
        return int(count), (int(due) if due is not None and int(count) else None)

    async def last_inbound_ms(self, phone: str) -> int | None:
        """When the client's last message arrived (ms; kept 48 h): the Cloud API's 24-hour
        customer service window runs from it."""
        raw = await self.redis.hget(self.keys.phone_keys(phone).meta, "inbound_ms")
        return int(raw) if raw is not None else None

    async def held_of(self, phone: str, last: int) -> tuple[int, list[InboundMessage]]:
        """(messages held past the flood limit, the latest `last` of them, oldest first)."""
        k = self.keys.phone_keys(phone)
        pipe = self.redis.pipeline(transaction=False)
        pipe.llen(k.held)
        pipe.lrange(k.held, -last, -1)
        count, raw = await pipe.execute()
        return int(count), [InboundMessage.from_stored(item) for item in raw]

    async def stats(self) -> BatchStats:
        with storage():
            return (await self.stats_and_counters())[0]

    async def stats_and_counters(self) -> tuple[BatchStats, dict[str, int]]:
        """The stats endpoint's figures, and every counter of the buckets' stats hashes
        summed (`held_messages` and `flood_episodes` of the flood limit among them)."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zcard(self.keys.due(bucket))
            pipe.zrange(self.keys.oldest(bucket), 0, 0, withscores=True)
            pipe.hgetall(self.keys.stats(bucket))
        rows = await pipe.execute()
        totals: dict[str, int] = {}
        pending_batches = 0
        oldest: float | None = None
        for i in range(BUCKETS):
            pending_batches += int(rows[3 * i])
            first = rows[3 * i + 1]
            if first and (oldest is None or first[0][1] < oldest):
                oldest = first[0][1]
            for name, value in rows[3 * i + 2].items():
                key = name.decode() if isinstance(name, bytes) else str(name)
                totals[key] = totals.get(key, 0) + int(value)
        now = self.clock.now_ms()
        stats = BatchStats(
            pending_batches=pending_batches,
            pending_messages=max(0, totals.get("pending_messages", 0)),
            oldest_pending_age_ms=max(0, int(now - oldest)) if oldest is not None else 0,
            processed_batches=totals.get("processed_batches", 0),
            processed_messages=totals.get("processed_messages", 0),
            failed_batches=totals.get("failed_batches", 0),
        )
        return stats, totals
