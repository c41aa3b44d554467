"""The Redis key layout, declared in one place.

Every key carries a hash tag, so every multi-key Lua script runs unchanged on Redis
Cluster. The design card tags keys per phone (`ai:{79161234567}:batch`); we tag them per
*bucket* of phones instead (`ai:{b07}:p:79161234567:batch`), because the due index that
workers claim from must be updated in the same atomic script as the phone's batch, and a
per-phone tag would put the index in another slot. With `BUCKETS` buckets the phones still
spread over the cluster, and a worker finds due batches with one read per bucket.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Any

BUCKETS = 16


def bucket_of(phone: str) -> int:
    """Stable bucket of a phone key (CRC32, the same in every process and language)."""
    return zlib.crc32(phone.encode()) % BUCKETS


def record_bucket(record_id: int) -> int:
    """The bucket of a YClients record: its record log and its webhook events."""
    return record_id % BUCKETS


@dataclasses.dataclass(frozen=True)
class BucketKey:
    """One key of every bucket: `key(bucket)` is its name there, in the bucket's slot."""

    tag: str  # "<prefix>:{b" (a bucket of phones) or "<prefix>:{r" (of YClients records)
    name: str

    def __call__(self, bucket: int) -> str:
        return f"{self.tag}{bucket:02d}}}:{self.name}"


# Each bucket's keys: the attribute of `Keys`, and where the key is: "b:<name>" in a
# bucket of phones, "r:<name>" in a bucket of records.
_BUCKET_KEYS = {
    "due": "b:due",
    "oldest": "b:oldest",
    "activity": "b:activity",
    "bookings": "b:bookings",
    "stats": "b:stats",
    "dead": "b:dead",
    "paused": "b:paused",
    "waiting": "b:waiting",
    "handoff_log": "b:handoffs",
    "reminders_due": "b:reminders:due",
    "record_events": "r:record_events",
    "record_events_due": "r:record_events:due",
    "record_events_dead": "r:record_events:dead",
}


class Keys:
    """Key names under one prefix; tests use their own prefix to share a Redis safely."""

    # Per bucket of phones.
    # ZSET phone -> when its batch is due (ms); while claimed, when the lease ends.
    due: BucketKey
    # ZSET phone -> arrival (ms) of its oldest message not yet processed.
    oldest: BucketKey
    # ZSET phone -> when its conversation was last saved (ms): the console's list.
    activity: BucketKey
    # ZSET "phone|record_id" -> when the bot booked that visit (ms), kept a few weeks.
    bookings: BucketKey
    # HASH of batch counters; summed over buckets for the stats endpoint.
    stats: BucketKey
    # LIST of batches given up after too many failed attempts, kept for the engineer.
    dead: BucketKey
    # ZSET phone -> until when (ms) a person has the chat and the bot keeps quiet.
    paused: BucketKey
    # ZSET phone -> since when (ms) the chat waits for a person (the hand-off queue).
    waiting: BucketKey
    # ZSET "phone|ms|reason" -> ms of every pause that began, kept a few weeks (the
    # console's hand-offs per day).
    handoff_log: BucketKey
    # ZSET "phone|record_id|kind" -> when the reminder's next job is due (ms): its send
    # time, the end of its claim's lease, or its answer deadline once sent.
    reminders_due: BucketKey

    # Per bucket of YClients records (an event is in the same slot as its record's log).
    # HASH event id -> JSON: record webhooks received and not yet applied.
    record_events: BucketKey
    # ZSET event id -> when it is due (ms): at once, after a retry's delay, or while
    # claimed, when the claim's lease ends.
    record_events_due: BucketKey
    # LIST of record events given up after too many failed attempts (capped).
    record_events_dead: BucketKey

    def __init__(self, prefix: str = "ai") -> None:
        self.prefix = prefix
        # Pub/Sub channel: a hint that a batch may be due sooner than workers think.
        self.wake_channel = f"{prefix}:wake"
        # ZSET worker id -> last heartbeat (ms), for `/healthz`.
        self.workers = f"{prefix}:workers"
        for attribute, where in _BUCKET_KEYS.items():
            kind, _, name = where.partition(":")
            setattr(self, attribute, BucketKey(f"{prefix}:{{{kind}", name))
        # What `phone_keys` shares with every phone of a bucket, made once.
        self._shared = [
            {name: getattr(self, name)(bucket) for name in _PHONE_SHARED}
            for bucket in range(BUCKETS)
        ]
        # The same for `key_list`, as bytes: "<prefix>:{bNN}:p:" and the shared keys.
        self._phone_heads = [f"{prefix}:{{b{bucket:02d}}}:p:".encode() for bucket in range(BUCKETS)]
        self._shared_bytes = [
            {name: key.encode() for name, key in shared.items()} for shared in self._shared
        ]

    def visit_record(self, record_id: int) -> str:
        """HASH: what we last knew of one YClients record (fingerprint, snapshot), the
        fingerprints of changes the bot is about to make itself, and `applied|<event>`
        (what it was before that webhook event changed it); tagged per record."""
        return f"{self.prefix}:{{r{record_bucket(record_id):02d}}}:record:{record_id}"

    def key_list(self, phone: str, names: KeyNames) -> list[bytes]:
        """The phone's keys `names` (`PhoneKeys` fields), in order, as bytes: what a script
        on a hot path declares (the webhook's append, the worker's claim and ack). Builds
        only those keys, and bytes go to the socket without redis-py's encoder; the names
        are those of `phone_keys`, whose fields they are (a test holds the two together)."""
        raw = phone.encode()
        bucket = zlib.crc32(raw) % BUCKETS
        shared = self._shared_bytes[bucket]
        head = self._phone_heads[bucket] + raw + b":"
        return [
            shared[name] if shared_name else head + suffix
            for name, suffix, shared_name in names.parts
        ]

    def phone_keys(self, phone: str) -> PhoneKeys:
        bucket = bucket_of(phone)
        base = f"{self.prefix}:{{b{bucket:02d}}}:p:{phone}"
        own: dict[str, Any] = {name: f"{base}:{name}" for name in _PHONE_OWN}
        return PhoneKeys(base, bucket, **self._shared[bucket], **own)


@dataclasses.dataclass(slots=True)
class PhoneKeys:
    """The keys of one phone, all in its bucket's hash slot."""

    base: str
    bucket: int
    # Its bucket's keys (`Keys`) that the phone's scripts touch.
    due: str
    oldest: str
    stats: str
    dead: str
    reminders_due: str
    paused: str
    waiting: str
    handoff_log: str
    # The phone's own keys, "<base>:<name>".
    # LIST of messages waiting for the next turn.
    pending: str
    # HASH: first_ms, last_ms, due_ms of the pending batch, and the arrival counter.
    meta: str
    # LIST of the messages of the batch a worker has claimed.
    inflight: str
    # HASH: token, lease_until, attempts, first_ms, due_ms of the claimed batch.
    claim: str
    # LIST of turn records (JSON), oldest first, capped: the console's timeline.
    timeline: str
    # LIST of what operators did to the conversation (JSON), oldest first, capped.
    actions: str
    # ZSET message id -> arrival (ms): the dedupe window.
    seen: str
    # ZSET arrival seq -> arrival (ms) of the last minute: the flood limit's window.
    flood: str
    # LIST of messages held past the flood limit: kept for a person, not answered.
    held: str
    # HASH: the persisted dialogue state (`doc` JSON and its `version`; save_state.lua).
    state: str
    # HASH reply id -> JSON: replies recorded before sending, marked after.
    outbox: str
    # HASH: the pause (until_ms, since_ms, reason), whether the chat waits for a person,
    # and the hand-off the notices were sent for (issue 17).
    takeover: str
    # HASH fingerprint -> count of texts the bot sent to this chat lately: the gateway's
    # echo of one of them is not the salon's person answering.
    sent: str
    # HASH "record_id|kind" -> JSON: the phone's visit reminders and their status.
    reminders: str


_PHONE_FIELDS = [f.name for f in dataclasses.fields(PhoneKeys)][2:]


class KeyNames:
    """Some fields of `PhoneKeys`, in a script's KEYS order, for `Keys.key_list`."""

    def __init__(self, *names: str) -> None:
        unknown = [name for name in names if name not in _PHONE_FIELDS]
        assert not unknown, f"not keys of a phone: {unknown}"
        self.names = names
        # (name, its suffix as bytes, whether it is a bucket's key shared by its phones)
        self.parts = [(name, name.encode(), name in _BUCKET_KEYS) for name in names]


_PHONE_SHARED = [name for name in _PHONE_FIELDS if name in _BUCKET_KEYS]
_PHONE_OWN = [name for name in _PHONE_FIELDS if name not in _BUCKET_KEYS]
