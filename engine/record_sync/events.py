"""YClients record webhooks kept in Redis until they are applied (issue 16).

YClients sends each event once and never retries, so the route only stores it (one
script) and answers; a worker's follower (`engine/record_sync/follower.py`) claims it
with a lease, applies it, and only then drops it. An event is kept in its record's bucket
(`Keys.record_events`), beside the record's log, so both are in one Redis Cluster slot.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from typing import Any, Literal

from engine.keys import BUCKETS, record_bucket
from engine.leased_queue import LeasedQueue
from engine.redis_conn import as_text, storage
from states.record_change import RecordChange

MAX_ATTEMPTS = 8


def change_to_dict(change: RecordChange) -> dict[str, Any]:
    return dataclasses.asdict(change)


def change_from_dict(data: dict[str, Any]) -> RecordChange:
    fields = {f.name for f in dataclasses.fields(RecordChange)}
    values = {k: v for k, v in data.items() if k in fields}
    for name in ("service_ids", "services"):
        if values.get(name) is not None:
            values[name] = tuple(values[name])
    return RecordChange(**values)


@dataclasses.dataclass(frozen=True)
class RecordEvent:
    """A claimed event: `job` "run", or "gave_up" after too many attempts."""

    id: str
    change: RecordChange
    received_ms: int
    attempts: int
    token: str
    job: Literal["run", "gave_up"] = "run"

    @property
    def bucket(self) -> int:
        return record_bucket(self.change.record_id)


@dataclasses.dataclass
class RecordEvents(LeasedQueue[RecordEvent]):
    """Each event in its record's bucket: a hash of events and their due set."""

    max_attempts: int = dataclasses.field(default=MAX_ATTEMPTS, kw_only=True)

    def due_set(self, bucket: int) -> str:
        return self.keys.record_events_due(bucket)

    def _keys(self, bucket: int) -> list[str]:
        return [self.keys.record_events(bucket), self.due_set(bucket)]

    async def add(self, change: RecordChange) -> str:
        """Keep one received event, due at once; its id."""
        now = self.clock.now_ms()
        event_id = f"{change.record_id}:{now}:{secrets.token_hex(6)}"
        entry = {"change": change_to_dict(change), "received_ms": now, "attempts": 0, "token": ""}
        with storage():  # the route answers 503 (states.ports.StorageUnavailable)
            await self.script("record_event_add")(
                keys=self._keys(record_bucket(change.record_id)),
                args=[event_id, json.dumps(entry, ensure_ascii=False), now],
            )
        return event_id

    async def claim(self, event_id: str) -> RecordEvent | None:
        record_id = event_id.partition(":")[0]
        if not record_id.isdigit():
            return None
        bucket = record_bucket(int(record_id))
        keys = [*self._keys(bucket), self.keys.record_events_dead(bucket)]
        out, token = await self.lease("record_event_claim", keys, event_id)
        if not out:
            return None
        job, raw = as_text(out[0]), json.loads(out[1])
        return RecordEvent(
            id=event_id,
            change=change_from_dict(raw["change"]),
            received_ms=int(raw.get("received_ms") or 0),
            attempts=int(raw.get("attempts") or 0),
            token=token,
            job="gave_up" if job == "gave_up" else "run",
        )

    async def finish(
        self, event: RecordEvent, outcome: Literal["done", "retry", "later"], due_ms: int = 0
    ) -> bool:
        """Drop the applied event, or make it due again at `due_ms`; False when the claim
        had been lost (its lease ran out and another follower took it)."""
        ok = await self.script("record_event_finish")(
            keys=self._keys(event.bucket), args=[event.id, event.token, outcome, due_ms]
        )
        return bool(ok)

    async def pending(self) -> int:
        """Events received and not yet applied (all buckets)."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zcard(self.due_set(bucket))
        return sum(int(n) for n in await pipe.execute())
