"""Visit reminders in Redis: scheduled per phone, due per bucket, claimed like batches.

Each phone's reminders sit in one hash (`PhoneKeys.reminders`), their next job in the
bucket's due set (`Keys.reminders_due`); both carry the bucket's hash tag, so every script
touches one slot (Redis Cluster). A job is claimed with a lease (the due set then holds the
lease's end): a sender that dies leaves it to run out, and the job is claimed again.

A reminder goes through scheduled -> sending (claimed) -> sent, then confirmed | declined
| unanswered; failed (the gateway refused it for good, or too many claims) and expired (the
visit began before it could go) end it early. "sent" is marked only after the gateway took
the message, so a sender killed between the two sends it again: the one duplicate allowed,
as for replies (`engine/dialogue_runner.py`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from engine.leased_queue import LeasedQueue
from engine.redis_conn import ScriptCall, as_text
from engine.reminders.timing import PlannedReminder, ReminderPolicy, SkippedReminder, plan_reminders
from engine.visit import Visit

KEEP_AFTER_VISIT_MS = 7 * 24 * 3600 * 1000  # shown in inspection this long after the visit
MAX_ATTEMPTS = 5

Status = Literal[
    "scheduled", "sending", "sent", "expiring", "confirmed", "declined", "unanswered",
    "failed", "expired",
]  # fmt: skip
Outcome = Literal["sent", "retry", "failed", "expired", "unanswered"]
ANSWERS = ("confirmed", "declined")


@dataclasses.dataclass(frozen=True)
class Reminder:
    """One reminder of one visit, as stored."""

    phone: str
    record_id: int
    kind: str  # the offset's label, e.g. "24h"
    at_ms: int
    visit_ms: int
    status: Status
    attempts: int = 0
    sent_ms: int = 0
    deadline_ms: int = 0  # until when an answer is awaited (0: none)
    answered_ms: int = 0
    asked: bool = False  # the text asked the client to confirm

    @property
    def field(self) -> str:
        return f"{self.record_id}|{self.kind}"

    @property
    def member(self) -> str:
        return f"{self.phone}|{self.field}"

    @property
    def shown_status(self) -> str:
        """The interface's status word: a claimed job still shows what it was."""
        return {"sending": "scheduled", "expiring": "sent"}.get(self.status, self.status)

    def view(self, timezone: str | tzinfo | None = None) -> dict[str, Any]:
        """Inspection's `reminders[]` item: `at`, `kind`, `status`, and a few extras."""
        zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone

        def moment(ms: int) -> str | None:
            if not ms:
                return None
            at = datetime.fromtimestamp(ms / 1000, UTC)
            return (at.astimezone(zone) if zone else at).isoformat()

        return {
            "at": moment(self.at_ms),
            "kind": self.kind,
            "status": self.shown_status,
            "record_id": self.record_id,
            "visit_at": moment(self.visit_ms),
            "sent_at": moment(self.sent_ms),
            "answer_until": moment(self.deadline_ms),
        }

    @classmethod
    def from_entry(cls, phone: str, raw: str | bytes) -> Reminder:
        data: dict[str, Any] = json.loads(raw)
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        for name in ("record_id", "at_ms", "visit_ms", "attempts", "sent_ms", "deadline_ms",
                     "answered_ms"):  # fmt: skip
            values[name] = int(values.get(name) or 0)  # Lua numbers come back as floats
        return cls(phone=phone, **values)


@dataclasses.dataclass(frozen=True)
class ClaimedReminder:
    """A due job taken by one sender: `send` the reminder, or `expire` its wait for an answer."""

    job: Literal["send", "expire", "gave_up"]
    reminder: Reminder
    visit: Visit | None  # None only if the details were lost (then the job cannot run)
    token: str
    visit_confirmed: bool  # an earlier reminder of this visit was answered "yes"


@dataclasses.dataclass(frozen=True)
class ScheduleResult:
    added: int
    kept: int
    removed: int
    planned: tuple[PlannedReminder, ...]
    skipped: tuple[SkippedReminder, ...]


@dataclasses.dataclass
class ReminderStore(LeasedQueue[ClaimedReminder]):
    """Each phone's reminders in one hash, their next jobs in the bucket's due set."""

    max_attempts: int = dataclasses.field(default=MAX_ATTEMPTS, kw_only=True)
    keep_after_visit_ms: int = dataclasses.field(default=KEEP_AFTER_VISIT_MS, kw_only=True)

    def due_set(self, bucket: int) -> str:
        return self.keys.reminders_due(bucket)

    def _keys(self, phone: str) -> list[str]:
        k = self.keys.phone_keys(phone)
        return [k.reminders, k.reminders_due]

    async def _run(self, name: str, phone: str, *args: Any) -> Any:
        """`reminder_<name>.lua` on the phone's reminders and its bucket's due set."""
        return await self.script(f"reminder_{name}")(keys=self._keys(phone), args=list(args))

    # ---- the visit's side: schedule, move, drop ------------------------------------

    async def schedule_visit(self, visit: Visit, policy: ReminderPolicy) -> ScheduleResult:
        """Plan the visit's reminders as of now and store them (see `schedule`)."""
        planned, skipped = plan_reminders(visit.start, self.clock.now(), policy)
        return await self.schedule(visit, planned, skipped)

    async def schedule(
        self,
        visit: Visit,
        planned: Sequence[PlannedReminder],
        skipped: Sequence[SkippedReminder] = (),
    ) -> ScheduleResult:
        """Make `planned` the visit's reminders. Idempotent for one visit time: reminders
        already sent or answered keep their status; a moved visit (another start) gets its
        reminders anew. A deleted visit has none (`drop_visit`)."""
        if visit.deleted:
            dropped = await self.drop_visit(visit.phone, visit.record_id)
            return ScheduleResult(0, 0, dropped, (), tuple(skipped))
        name, *args = self._schedule_call(visit, planned)
        added, kept, removed = await self._run(name, visit.phone, *args)
        return ScheduleResult(int(added), int(kept), int(removed), tuple(planned), tuple(skipped))

    def _schedule_call(self, visit: Visit, planned: Sequence[PlannedReminder]) -> list[Any]:
        """("schedule", reminder_schedule.lua's ARGV...)."""
        call: list[Any] = [
            "schedule",
            visit.phone,
            visit.record_id,
            visit.start_ms,
            visit.to_json(),
            self.clock.now_ms(),
            self.keep_after_visit_ms,
        ]
        for reminder in planned:
            call += [reminder.kind, int(reminder.at.timestamp() * 1000)]
        return call

    def follow_call(self, visit: Visit, policy: ReminderPolicy | None) -> list[Any]:
        """What `schedule_visit` (a `policy`) or `drop_visit` (None, or a deleted visit)
        does, as a call the state save of the visit's phone runs ([name, *ARGV]: the save
        holds these scripts, engine/lua/save_state.lua): a turn's reminders cost no round
        trip of their own."""
        if policy is None or visit.deleted:
            return ["drop", visit.phone, visit.record_id]
        return self._schedule_call(visit, plan_reminders(visit.start, self.clock.now(), policy)[0])

    def follow_script_call(self, call: Sequence[Any]) -> ScriptCall:
        """A `follow_call` as a script call of its own, on its visit's phone's keys: for a
        visit booked under another phone than the conversation's (an @lid chat, a number
        the client typed), whose save holds only its own phone's keys."""
        name, *args = call
        return self.script(f"reminder_{name}"), self._keys(str(args[0])), args

    async def drop_visit(self, phone: str, record_id: int) -> int:
        """Drop every reminder of a deleted or cancelled visit; how many there were."""
        return int(await self._run("drop", phone, phone, record_id))

    # ---- the client's side: list, answer --------------------------------------------

    async def reminders_of(self, phone: str) -> list[Reminder]:
        """The phone's reminders, by time."""
        return self.reminders_in(phone, await self.redis.hgetall(self._hash(phone)))

    @staticmethod
    def reminders_in(phone: str, raw: Mapping[Any, Any]) -> list[Reminder]:
        """The reminders of the phone's hash as read (the claim script reads it for a turn)."""
        found = [
            Reminder.from_entry(phone, value)
            for field, value in raw.items()
            if not as_text(field).startswith("v|")
        ]
        return sorted(found, key=lambda r: (r.at_ms, r.record_id, r.kind))

    def _hash(self, phone: str) -> str:
        return self.keys.phone_keys(phone).reminders

    async def visit_of(self, phone: str, record_id: int) -> Visit | None:
        raw = await self.redis.hget(self._hash(phone), f"v|{record_id}")
        return Visit.from_json(raw) if raw else None

    async def awaiting_answer(
        self, phone: str, *, late: bool = False, answered_since_ms: int | None = None
    ) -> Reminder | None:
        """The latest reminder sent to this phone that asked for an answer and has none.
        With `late`, also one whose wait is over (`unanswered`) while its visit is ahead: a
        "да" hours later still confirms. With `answered_since_ms`, also one answered since
        then (a turn retried after it recorded the answer sees the same question)."""
        found = self.reminders_in(phone, await self.redis.hgetall(self._hash(phone)))
        return self.awaiting_in(found, late=late, answered_since_ms=answered_since_ms)

    def awaiting_in(
        self, found: Sequence[Reminder], *, late: bool = False, answered_since_ms: int | None = None
    ) -> Reminder | None:
        """`awaiting_answer` over reminders already read."""
        now = self.clock.now_ms()

        def open_(r: Reminder) -> bool:
            if r.status in ("sent", "expiring"):
                return True
            if late and r.status == "unanswered" and r.visit_ms > now:
                return True
            since = answered_since_ms
            return since is not None and r.status in ANSWERS and r.answered_ms >= since

        waiting = [r for r in found if r.asked and open_(r)]
        return max(waiting, key=lambda r: r.sent_ms) if waiting else None

    async def answer(self, phone: str, record_id: int, outcome: str) -> int:
        """The client answered about the visit ("confirmed" or "declined"): its reminders
        awaiting an answer, or past their wait, take it (`states.ports.ReminderAnswers`)."""
        if outcome not in ANSWERS:
            raise ValueError(f"not an answer to a reminder: {outcome!r}")
        return int(await self._run("answer", phone, phone, record_id, outcome, self.clock.now_ms()))

    # ---- the sender's side: find, claim, finish -------------------------------------

    async def claim(self, member: str) -> ClaimedReminder | None:
        """Claim the member's due job (or one whose lease ran out)."""
        phone, _, field = member.partition("|")
        if not phone or not field:
            return None
        out, token = await self.lease("reminder_claim", self._keys(phone), member, field)
        if not out:
            return None
        job, entry, visit_raw, confirmed = out
        visit = Visit.from_json(visit_raw) if visit_raw else None
        return ClaimedReminder(
            job=as_text(job),  # type: ignore[arg-type]
            reminder=Reminder.from_entry(phone, entry),
            visit=visit,
            token=token,
            visit_confirmed=bool(int(confirmed)),
        )

    async def finish(
        self, claim: ClaimedReminder, outcome: Outcome, next_at: datetime | None = None
    ) -> bool:
        """End a claimed job. `sent` with `next_at`: the answer is awaited until then;
        `retry` at `next_at`; `failed`, `expired`, `unanswered` end the reminder.
        False when the claim had been lost (its lease ran out and another sender took it)."""
        r = claim.reminder
        next_ms = int(next_at.timestamp() * 1000) if next_at is not None else 0
        if outcome == "retry" and not next_ms:
            raise ValueError("a retry needs its time")
        ok = await self._run(
            "finish", r.phone, r.member, r.field, claim.token, self.clock.now_ms(), outcome, next_ms
        )
        return bool(ok)
