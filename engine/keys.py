"""The Redis key layout, declared in one place.

Every key carries a hash tag, so every multi-key Lua script runs unchanged on Redis
Cluster. The design card tags keys per phone (`ai:{79161234567}:batch`); we tag them per
*bucket* of phones instead (`ai:{b07}:p:79161234567:batch`), because the due index that
workers claim from must be updated in the same atomic script as the phone's batch, and a
per-phone tag would put the index in another slot. With `BUCKETS` buckets the phones still
spread over the cluster, and a worker finds due batches with one read per bucket.
"""

from __future__ import annotations

import zlib

BUCKETS = 16


def bucket_of(phone: str) -> int:
    """Stable bucket of a phone key (CRC32, the same in every process and language)."""
    return zlib.crc32(phone.encode()) % BUCKETS


def record_bucket(record_id: int) -> int:
    """The bucket of a YClients record: its record log and its webhook events."""
    return record_id % BUCKETS


class Keys:
    """Key names under one prefix; tests use their own prefix to share a Redis safely."""

    def __init__(self, prefix: str = "ai") -> None:
        self.prefix = prefix
        # Formatted once: a phone's keys are built for every message that arrives.
        self._tags = tuple(f"{prefix}:{{b{bucket:02d}}}" for bucket in range(BUCKETS))

    def _tag(self, bucket: int) -> str:
        return self._tags[bucket]

    def _phone(self, phone: str) -> str:
        return f"{self._tag(bucket_of(phone))}:p:{phone}"

    # Per bucket.
    def due(self, bucket: int) -> str:
        """ZSET phone -> when its batch is due (ms); while claimed, when the lease ends."""
        return f"{self._tag(bucket)}:due"

    def oldest(self, bucket: int) -> str:
        """ZSET phone -> arrival (ms) of its oldest message not yet processed."""
        return f"{self._tag(bucket)}:oldest"

    def activity(self, bucket: int) -> str:
        """ZSET phone -> when its conversation was last saved (ms): the console's list."""
        return f"{self._tag(bucket)}:activity"

    def bookings(self, bucket: int) -> str:
        """ZSET "phone|record_id" -> when the bot booked that visit (ms), kept a few weeks."""
        return f"{self._tag(bucket)}:bookings"

    def stats(self, bucket: int) -> str:
        """HASH of batch counters; summed over buckets for the stats endpoint."""
        return f"{self._tag(bucket)}:stats"

    def dead(self, bucket: int) -> str:
        """LIST of batches given up after too many failed attempts, kept for the engineer."""
        return f"{self._tag(bucket)}:dead"

    def paused(self, bucket: int) -> str:
        """ZSET phone -> until when (ms) a person has the chat and the bot keeps quiet."""
        return f"{self._tag(bucket)}:paused"

    def waiting(self, bucket: int) -> str:
        """ZSET phone -> since when (ms) the chat waits for a person (the hand-off queue)."""
        return f"{self._tag(bucket)}:waiting"

    def handoff_log(self, bucket: int) -> str:
        """ZSET "phone|ms|reason" -> ms of every pause that began, kept a few weeks (the
        console's hand-offs per day)."""
        return f"{self._tag(bucket)}:handoffs"

    def reminders_due(self, bucket: int) -> str:
        """ZSET "phone|record_id|kind" -> when the reminder's next job is due (ms): its
        send time, the end of its claim's lease, or its answer deadline once sent."""
        return f"{self._tag(bucket)}:reminders:due"

    def _record_tag(self, bucket: int) -> str:
        return f"{self.prefix}:{{r{bucket:02d}}}"

    def visit_record(self, record_id: int) -> str:
        """HASH: what we last knew of one YClients record (fingerprint, snapshot), the
        fingerprints of changes the bot is about to make itself, and `applied|<event>`
        (what it was before that webhook event changed it); tagged per record."""
        return f"{self._record_tag(record_bucket(record_id))}:record:{record_id}"

    def record_events(self, bucket: int) -> str:
        """HASH event id -> JSON: YClients record webhooks received and not yet applied,
        in the bucket of their record (so the record's log is in the same slot)."""
        return f"{self._record_tag(bucket)}:record_events"

    def record_events_due(self, bucket: int) -> str:
        """ZSET event id -> when it is due (ms): at once, after a retry's delay, or while
        claimed, when the claim's lease ends."""
        return f"{self._record_tag(bucket)}:record_events:due"

    def record_events_dead(self, bucket: int) -> str:
        """LIST of record events given up after too many failed attempts (capped)."""
        return f"{self._record_tag(bucket)}:record_events:dead"

    def phone_keys(self, phone: str) -> PhoneKeys:
        return PhoneKeys(self._phone(phone), self, bucket_of(phone))

    @property
    def wake_channel(self) -> str:
        """Pub/Sub channel: a hint that a batch may be due sooner than workers think."""
        return f"{self.prefix}:wake"

    @property
    def workers(self) -> str:
        """ZSET worker id -> last heartbeat (ms), for `/healthz`."""
        return f"{self.prefix}:workers"


class PhoneKeys:
    """The keys of one phone, all in its bucket's hash slot."""

    def __init__(self, base: str, keys: Keys, bucket: int) -> None:
        self.base = base
        self.bucket = bucket
        self.due = keys.due(bucket)
        self.oldest = keys.oldest(bucket)
        self.stats = keys.stats(bucket)
        self.dead = keys.dead(bucket)
        self.reminders_due = keys.reminders_due(bucket)
        self.paused = keys.paused(bucket)
        self.waiting = keys.waiting(bucket)
        self.handoff_log = keys.handoff_log(bucket)

    @property
    def pending(self) -> str:
        """LIST of messages waiting for the next turn."""
        return f"{self.base}:pending"

    @property
    def meta(self) -> str:
        """HASH: first_ms, last_ms, due_ms of the pending batch, and the arrival counter."""
        return f"{self.base}:meta"

    @property
    def inflight(self) -> str:
        """LIST of the messages of the batch a worker has claimed."""
        return f"{self.base}:inflight"

    @property
    def claim(self) -> str:
        """HASH: token, lease_until, attempts, first_ms, due_ms of the claimed batch."""
        return f"{self.base}:claim"

    @property
    def timeline(self) -> str:
        """LIST of turn records (JSON), oldest first, capped: the console's timeline."""
        return f"{self.base}:timeline"

    @property
    def actions(self) -> str:
        """LIST of what operators did to the conversation (JSON), oldest first, capped."""
        return f"{self.base}:actions"

    @property
    def seen(self) -> str:
        """ZSET message id -> arrival (ms): the dedupe window."""
        return f"{self.base}:seen"

    @property
    def flood(self) -> str:
        """ZSET arrival seq -> arrival (ms) of the last minute: the flood limit's window."""
        return f"{self.base}:flood"

    @property
    def held(self) -> str:
        """LIST of messages held past the flood limit: kept for a person, not answered."""
        return f"{self.base}:held"

    @property
    def state(self) -> str:
        """HASH: the persisted dialogue state (`doc` JSON and its `version`; save_state.lua)."""
        return f"{self.base}:state"

    @property
    def outbox(self) -> str:
        """HASH reply id -> JSON: replies recorded before sending, marked after."""
        return f"{self.base}:outbox"

    @property
    def takeover(self) -> str:
        """HASH: the pause (until_ms, since_ms, reason), whether the chat waits for a
        person, and the hand-off the notices were sent for (issue 17)."""
        return f"{self.base}:takeover"

    @property
    def sent(self) -> str:
        """HASH fingerprint -> count of texts the bot sent to this chat lately: the
        gateway's echo of one of them is not the salon's person answering."""
        return f"{self.base}:sent"

    @property
    def reminders(self) -> str:
        """HASH "record_id|kind" -> JSON: the phone's visit reminders and their status."""
        return f"{self.base}:reminders"
