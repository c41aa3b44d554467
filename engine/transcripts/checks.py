"""Compare what one step caused with what the transcript expects.

Mappings are matched as subsets (only the keys the transcript names), lists element by
element with equal length, scalars by equality — so `slots: {staff_id: 3413963}` checks
one slot and `records: []` checks that nothing was booked.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

from adapters.yclients.sandbox import LoggedRequest, SandboxSalon
from adapters.yclients.sandbox.salon import SandboxRecord, digits
from engine.transcripts.model import RepliesExpect, RequestExpect, Step, Visit
from engine.transcripts.report import Mismatch


@dataclasses.dataclass(frozen=True)
class StepOutcome:
    number: int
    phone: str
    replies: list[str]
    turns: int
    conversation: dict[str, Any]
    requests: list[LoggedRequest]
    llm_calls: int = 0
    paused: bool = False  # a person has the chat after the step
    reminders: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # after it
    admin_chat: list[str] = dataclasses.field(default_factory=list)  # sent during it
    webhooks_received: int = 0
    record_effects: dict[str, int] = dataclasses.field(default_factory=dict)


def subset_problems(expected: Any, got: Any, path: str = "") -> list[str]:
    """Where `got` does not contain `expected` (paths like `appointments.0.staff_id`)."""
    here = path or "(value)"
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{here}: not a mapping"]
        problems: list[str] = []
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in got:
                if value is not None:
                    problems.append(f"{sub}: missing")
                continue
            problems += subset_problems(value, got[key], sub)
        return problems
    if isinstance(expected, list):
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            return [f"{here}: expected {len(expected)} items"]
        problems = []
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            problems += subset_problems(e, g, f"{path}.{i}" if path else str(i))
        return problems
    return [] if expected == got else [f"{here}: {expected!r} != {got!r}"]


def _matches_request(want: RequestExpect, got: LoggedRequest) -> bool:
    if got.endpoint != want.endpoint:
        return False
    if want.method is not None and got.method != want.method.upper():
        return False
    if want.json_body is not None and subset_problems(want.json_body, got.json):
        return False
    if want.query is not None:
        query = {k: (v[0] if len(v) == 1 else v) for k, v in got.query.items()}
        if subset_problems(want.query, query):
            return False
    return True


def _request_summary(r: LoggedRequest) -> str:
    return f"{r.method} {r.endpoint}" + (f" {r.json}" if r.json is not None else "")


def _visit(r: SandboxRecord, salon: SandboxSalon) -> dict[str, Any]:
    local = r.start.astimezone(salon.tz)
    return {
        "staff_id": r.staff_id,
        "at": local.strftime("%Y-%m-%d %H:%M"),
        "services": list(r.service_ids),
        "attendance": r.attendance,
    }


def _visits_match(expected: list[Visit], got: list[dict[str, Any]]) -> bool:
    if len(expected) != len(got):
        return False
    wanted = [v.model_dump(exclude_none=True) for v in expected]
    return all(not subset_problems(w, g) for w, g in zip(wanted, got, strict=True))


def bot_bookings(salon: SandboxSalon) -> list[dict[str, Any]]:
    """Records the bot made (they carry an api_id), not deleted, by start."""
    made = [r for r in salon.records.values() if r.api_id and not r.deleted]
    return [_visit(r, salon) for r in sorted(made, key=lambda r: (r.start, r.id))]


def upcoming_visits(salon: SandboxSalon, phone: str, now: datetime) -> list[dict[str, Any]]:
    client = salon.client_by_phone(phone)
    if client is None:
        return []
    ahead = [
        r
        for r in salon.records.values()
        if r.client_id == client.id and not r.deleted and r.start >= now
    ]
    return [_visit(r, salon) for r in sorted(ahead, key=lambda r: (r.start, r.id))]


def _check_texts(want: RepliesExpect | None, texts: list[str], what: str) -> list[Mismatch]:
    if want is None:
        return []
    found: list[Mismatch] = []
    text = "\n".join(texts)
    if want.count is not None and len(texts) != want.count:
        found.append(Mismatch(f"{what} count", want.count, len(texts)))
    found += [Mismatch(f"{what} contain", s, texts) for s in want.contains if s not in text]
    found += [Mismatch(f"{what} do not contain", s, texts) for s in want.not_contains if s in text]
    found += [
        Mismatch(f"{what} match regex", p, texts)
        for p in want.regex
        if not re.search(p, text, re.MULTILINE)
    ]
    return found


def _check_replies(step: Step, out: StepOutcome) -> list[Mismatch]:
    return _check_texts(step.expect.replies, out.replies, "replies") + _check_texts(
        step.expect.admin_chat, out.admin_chat, "admin chat messages"
    )


def _check_reminders_and_events(step: Step, out: StepOutcome) -> list[Mismatch]:
    e = step.expect
    found: list[Mismatch] = []
    if e.reminders is not None:
        want = [r.model_dump(exclude_none=True) for r in e.reminders]
        if subset_problems(want, out.reminders):
            found.append(Mismatch("reminders", want, out.reminders))
    events = e.record_events
    received = events.received if events is not None else None
    if received is not None and received != out.webhooks_received:
        found.append(Mismatch("record webhooks received", received, out.webhooks_received))
    if events is not None and events.effects is not None:
        got = {k: out.record_effects.get(k, 0) for k in events.effects}
        if got != events.effects:
            found.append(Mismatch("record event effects", events.effects, out.record_effects))
    return found


def _check_conversation(step: Step, out: StepOutcome) -> list[Mismatch]:
    e, doc = step.expect, out.conversation
    found: list[Mismatch] = []
    if e.state is not None and doc.get("state") != e.state:
        found.append(Mismatch("state", e.state, doc.get("state")))
    subsets = (
        ("slots", e.slots, doc.get("slots")),
        ("slot_sources", e.slot_sources, doc.get("slot_sources")),
        ("conversation", e.conversation, doc),
        ("llm fill", e.fill, (doc.get("last_turn") or {}).get("llm_fill")),
    )
    for what, want, got in subsets:
        if want is not None and (problems := subset_problems(want, got)):
            shown = {k: doc.get(k) for k in want} if what == "conversation" else got
            found.append(Mismatch(f"{what} ({'; '.join(problems)})", want, shown))
    return found


def _check_requests(step: Step, out: StepOutcome) -> list[Mismatch]:
    found: list[Mismatch] = []
    for want in step.expect.requests:
        hits = [r for r in out.requests if _matches_request(want, r)]
        enough = bool(hits) if want.count is None else len(hits) == want.count
        if not enough:
            shown = want.model_dump(by_alias=True, exclude_none=True)
            calls = [_request_summary(r) for r in out.requests if r.endpoint == want.endpoint]
            count = "at least 1" if want.count is None else str(want.count)
            found.append(Mismatch(f"{count} request(s) like", shown, calls or "no such call"))
    for endpoint in step.expect.no_requests:
        calls = [_request_summary(r) for r in out.requests if r.endpoint == endpoint]
        if calls:
            found.append(Mismatch(f"no {endpoint} request", [], calls))
    return found


def _check_salon(step: Step, salon: SandboxSalon, now: datetime) -> list[Mismatch]:
    e = step.expect
    found: list[Mismatch] = []
    if e.records is not None:
        made = bot_bookings(salon)
        if not _visits_match(e.records, made):
            want = [v.model_dump(exclude_none=True) for v in e.records]
            found.append(Mismatch("records booked by the bot", want, made))
    for phone, expected in (e.visits or {}).items():
        ahead = upcoming_visits(salon, digits(phone), now)
        if not _visits_match(expected, ahead):
            want = [v.model_dump(exclude_none=True) for v in expected]
            found.append(Mismatch(f"upcoming visits of {phone}", want, ahead))
    return found


def check_step(step: Step, out: StepOutcome, salon: SandboxSalon, now: datetime) -> list[Mismatch]:
    found: list[Mismatch] = []
    if step.expect.turns is not None and out.turns != step.expect.turns:
        found.append(Mismatch("turns", step.expect.turns, out.turns))
    if step.llm and out.llm_calls < len(step.llm):
        found.append(Mismatch("LLM calls (scripted answers unused)", len(step.llm), out.llm_calls))
    found += _check_conversation(step, out)  # the state first: it says the most
    found += _check_replies(step, out)
    if step.expect.paused is not None and out.paused != step.expect.paused:
        found.append(Mismatch("a person has the chat (paused)", step.expect.paused, out.paused))
    found += _check_requests(step, out)
    found += _check_salon(step, salon, now)
    found += _check_reminders_and_events(step, out)
    return found
