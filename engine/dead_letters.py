"""Batches given up after too many failed attempts (`claim.lua` moves them to the dead
lists, one per bucket): listing them, and putting one back in its phone's queue.

A letter's id is its bucket and a hash of the entry as stored: the entries carry no id of
their own, and a list index would shift under a concurrent requeue. Each list keeps the
newest `BatchPolicy.dead_max` letters. The console and `ai-admin dead-letters` use this.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from engine.clock import Clock
from engine.keys import BUCKETS, Keys
from engine.redis_conn import AsyncRedis
from states.console import DeadLetter
from states.messages import InboundMessage

LETTER_ID = re.compile(r"\d{2}-[0-9a-f]{16}")  # bucket, then a hash of the stored entry


def _letter_id(bucket: int, raw: bytes) -> str:
    return f"{bucket:02d}-{hashlib.sha256(raw).hexdigest()[:16]}"


def _stored_messages(raw: bytes) -> tuple[str, list[str]]:
    entry = json.loads(raw)
    messages = entry.get("messages") or []  # cjson writes an empty list as {}
    return str(entry["phone"]), [str(m) for m in messages] if isinstance(messages, list) else []


def shown_message(stored: str | bytes) -> str:
    """A queued message as an operator reads it: its text, or its kind (`<image>`)."""
    message = InboundMessage.from_stored(stored)
    return message.body if message.is_text else f"<{message.type}>"


class DeadLetters:
    def __init__(self, redis: AsyncRedis, keys: Keys, clock: Clock) -> None:
        self.redis = redis
        self.keys = keys
        self.clock = clock
        script = (Path(__file__).parent / "lua" / "requeue_dead.lua").read_text(encoding="utf-8")
        self._requeue = redis.register_script(script)

    async def _entries(self, per_bucket: int) -> list[tuple[int, bytes]]:
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.lrange(self.keys.dead(bucket), -per_bucket, -1)
        rows: list[list[bytes]] = await pipe.execute()
        return [(bucket, raw) for bucket, row in enumerate(rows) for raw in row]

    async def list(self, limit: int) -> list[DeadLetter]:
        """The newest `limit` letters, newest first."""
        letters = []
        for bucket, raw in await self._entries(limit):
            entry = json.loads(raw)
            phone, stored = _stored_messages(raw)
            letters.append(
                DeadLetter(
                    id=_letter_id(bucket, raw),
                    phone=phone,
                    failed_at=datetime.fromtimestamp(int(entry["failed_ms"]) / 1000, UTC),
                    messages=[shown_message(m) for m in stored],
                )
            )
        letters.sort(key=lambda letter: letter.failed_at, reverse=True)
        return letters[:limit]

    async def count(self) -> int:
        """How many letters the dead lists hold (the metric `ai_admin_dead_letters`)."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.llen(self.keys.dead(bucket))
        return sum(int(n) for n in await pipe.execute())

    async def requeue(self, letter_id: str) -> str | None:
        """Put the letter's messages back in front of its phone's queue, due at once;
        the letter's phone, or None when no such letter exists (any more)."""
        bucket_text, _, _ = letter_id.partition("-")
        if not bucket_text.isdigit() or int(bucket_text) >= BUCKETS:
            return None
        bucket = int(bucket_text)
        entries = cast(list[bytes], await self.redis.lrange(self.keys.dead(bucket), 0, -1))
        for raw in entries:
            if _letter_id(bucket, raw) != letter_id:
                continue
            phone, stored = _stored_messages(raw)
            k = self.keys.phone_keys(phone)
            done = await self._requeue(
                keys=[k.dead, k.pending, k.meta, k.claim, k.due, k.oldest, k.stats],
                args=[raw, phone, self.clock.now_ms(), self.keys.wake_channel, *stored],
            )
            return phone if done else None
        return None
