"""Handle one record webhook: merge it into what we knew, keep it once, say what it means.

The effect is applied to the log before it is returned (compare-and-set, retried when a
concurrent duplicate got there first), so of several identical events exactly one returns
an effect; the caller then updates the booking and reminders (idempotent) and tells the
client when `effect.notify` says so. A caller that dies in between loses that one effect:
YClients does not retry webhooks either.
"""

from __future__ import annotations

import dataclasses
import logging
from zoneinfo import ZoneInfo

from engine.clock import Clock
from engine.record_sync.effects import NoticePolicy, RecordEffect, decide
from engine.record_sync.log import RecordLog
from states.record_change import RecordChange

log = logging.getLogger(__name__)

MAX_TRIES = 5


class RecordSyncConflict(Exception):
    """The record kept changing under us: MAX_TRIES compare-and-sets lost in a row."""


class RecordSync:
    def __init__(
        self,
        log: RecordLog,
        timezone: str,
        clock: Clock,
        notices: NoticePolicy | None = None,
    ) -> None:
        self.log = log
        self.zone = ZoneInfo(timezone)
        self.clock = clock
        self.notices = notices or NoticePolicy()

    async def handle(self, change: RecordChange) -> RecordEffect:
        for _ in range(MAX_TRIES):
            known = await self.log.load(change.record_id)
            effect = decide(change, known, self.zone, self.clock.now(), notices=self.notices)
            if effect.kind in ("stale", "incomplete") or effect.duplicate:
                return effect
            assert effect.visit is not None  # set for every other kind
            outcome = await self.log.commit(known, effect.visit, change.last_change)
            if outcome == "conflict":
                continue
            if outcome == "duplicate":
                return dataclasses.replace(effect, kind="none", duplicate=True, notify=None)
            if outcome == "own":
                return dataclasses.replace(effect, own=True, notify=None)
            return effect
        raise RecordSyncConflict(f"record {change.record_id}: {MAX_TRIES} conflicts in a row")
