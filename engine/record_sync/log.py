"""What we last knew of each YClients record, in Redis, so that one change arriving as
several webhooks has one effect (`Keys.visit_record`, one hash per record).

Kept `KEEP_AFTER_VISIT` past the visit and at least `MIN_TTL` (webhooks are sent at once;
duplicates come within seconds). The bot announces its own changes with `expect` before it
calls YClients and records the result with `remember` after.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Literal

from engine.clock import Clock
from engine.keys import Keys
from engine.record_sync.effects import Known, fingerprint
from engine.redis_conn import AsyncRedis, Command, ScriptCall, as_text, eval_calls, lua_script
from engine.visit import Visit

MIN_TTL = timedelta(days=2)
KEEP_AFTER_VISIT = timedelta(days=2)
EXPECT_FOR = timedelta(minutes=10)  # a change the bot makes reaches YClients well within this

Outcome = Literal["applied", "own", "duplicate", "conflict"]


class RecordLog:
    def __init__(self, redis: AsyncRedis, keys: Keys, clock: Clock) -> None:
        self.redis = redis
        self.keys = keys
        self.clock = clock
        self._commit = redis.register_script(lua_script("record_log.lua"))
        self._expect = redis.register_script(lua_script("record_expect.lua"))

    def _ttl_ms(self, visit: Visit) -> int:
        until_visit = visit.start_ms + KEEP_AFTER_VISIT / timedelta(milliseconds=1)
        return int(max(until_visit - self.clock.now_ms(), MIN_TTL / timedelta(milliseconds=1)))

    async def load(self, record_id: int) -> Known | None:
        [answer] = await eval_calls(self.redis, [self.load_command(record_id)])
        return self.known_in(answer)

    def load_command(self, record_id: int) -> Command:
        """`load` as a command, to send with others (`eval_calls`); `known_in` its answer."""
        return Command(("HMGET", self.keys.visit_record(record_id), "fp", "visit", "last_change"))

    @staticmethod
    def known_in(answer: Any) -> Known | None:
        fp, visit, last_change = answer
        if fp is None or visit is None:
            return None
        return Known(Visit.from_json(visit), as_text(fp), as_text(last_change) or None)

    async def commit(
        self,
        known: Known | None,
        visit: Visit,
        last_change: str | None,
        *,
        force: bool = False,
        event_id: str = "",
    ) -> Outcome:
        """Store `visit` if the record is still as `known` (compare-and-set); with the
        webhook event's id, what the record was before is kept for `applied`."""
        _, keys, args = self._commit_call(known, visit, last_change, force, event_id)
        out = await self._commit(keys=keys, args=args)
        verdict = as_text(out[0])
        if verdict == "applied":
            return "own" if int(out[1]) else "applied"
        return "duplicate" if verdict == "duplicate" else "conflict"

    def _commit_call(
        self, known: Known | None, visit: Visit, last_change: str | None, force: bool, event_id: str
    ) -> ScriptCall:
        args = [
            known.fingerprint if known else "",
            fingerprint(visit),
            visit.to_json(),
            last_change or "",
            self.clock.now_ms(),
            self._ttl_ms(visit),
            "force" if force else "",
            event_id,
        ]
        return self._commit, [self.keys.visit_record(visit.record_id)], args

    async def applied(self, record_id: int, event_id: str) -> tuple[Known | None, bool] | None:
        """What the record was before event `event_id` changed it, and whether that change
        was the bot's own; None when this event changed nothing (yet)."""
        raw = await self.redis.hget(self.keys.visit_record(record_id), f"applied|{event_id}")
        if raw is None:
            return None
        before: dict[str, Any] = json.loads(raw)
        known = None
        if before.get("fp") and before.get("visit"):
            visit = Visit.from_json(before["visit"])
            known = Known(visit, str(before["fp"]), str(before.get("last_change") or "") or None)
        return known, bool(int(before.get("own") or 0))

    async def expect(self, visit: Visit) -> None:
        """The bot is about to make the record look like `visit` (book, move, cancel,
        confirm): webhooks showing exactly that are its own, not the salon's."""
        script, keys, args = self.expect_call(visit)
        await script(keys=keys, args=args)

    def expect_call(self, visit: Visit) -> ScriptCall:
        """`expect` as a script call, to send with others (`eval_calls`)."""
        until = self.clock.now_ms() + int(EXPECT_FOR / timedelta(milliseconds=1))
        key = self.keys.visit_record(visit.record_id)
        return self._expect, [key], [fingerprint(visit), until, self._ttl_ms(visit)]

    async def remember(self, visit: Visit) -> None:
        """The bot's change landed (YClients answered): this is what the record is now."""
        await self.commit(None, visit, None, force=True)

    def remember_call(self, visit: Visit) -> ScriptCall:
        """`remember` as a script call, for a turn to send in its save's round trip (the
        record's own slot: `eval_calls`)."""
        return self._commit_call(None, visit, None, True, "")
