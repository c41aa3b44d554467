"""Handle one record webhook: merge it into what we knew, keep it once, say what it means.

The effect is applied to the log before it is returned (compare-and-set, retried when a
concurrent duplicate got there first), so of several identical events exactly one returns
an effect; the caller then updates the booking and reminders (idempotent) and tells the
client when `effect.notify` says so. A caller that dies in between retries the stored
event (`engine/record_sync/events.py`): the log kept what the record was before this
event (`applied|<event id>`), so the retry finds the same effect again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
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
        *,
        zone: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        """`zone`, when given, says the salon's zone when an event comes (it may only be
        known once YClients answered); else `timezone`."""
        self.log = log
        self.zone = ZoneInfo(timezone)
        self.clock = clock
        self.notices = notices or NoticePolicy()
        self._zone_of = zone

    async def handle(self, change: RecordChange, event_id: str = "") -> RecordEffect:
        """The effect of `change`; with the id of the stored webhook event it came in, a
        retry after a crash finds the effect this event had, not a duplicate."""
        if self._zone_of is not None:
            self.zone = ZoneInfo(await self._zone_of())
        if event_id and (before := await self.log.applied(change.record_id, event_id)):
            known, own = before
            effect = decide(change, known, self.zone, self.clock.now(), notices=self.notices)
            return dataclasses.replace(effect, own=True, notify=None) if own else effect
        for _ in range(MAX_TRIES):
            known = await self.log.load(change.record_id)
            effect = decide(change, known, self.zone, self.clock.now(), notices=self.notices)
            if effect.kind in ("stale", "incomplete", "unordered") or effect.duplicate:
                return effect
            assert effect.visit is not None  # set for every other kind
            outcome = await self.log.commit(
                known, effect.visit, change.last_change, event_id=event_id
            )
            if outcome == "conflict":
                continue
            if outcome == "duplicate":
                return dataclasses.replace(effect, kind="none", duplicate=True, notify=None)
            if outcome == "own":
                return dataclasses.replace(effect, own=True, notify=None)
            return effect
        raise RecordSyncConflict(f"record {change.record_id}: {MAX_TRIES} conflicts in a row")
