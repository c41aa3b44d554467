"""One turn of the dialogue: read the batch, let the filler propose, decide, reply.

The filler only proposes words; everything that decides (which trigger fires, which id is
booked) is deterministic code here and in `slot_merge`, `planner` and `effects`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from states import effects
from states.conversation import Conversation, Option
from states.machine import BOOKED, CANCELLING, CONFIRMING, SUGGESTING, fire
from states.planner import plan, propose
from states.salon import SalonBackend
from states.salon_errors import SalonError
from states.salon_view import SalonView
from states.slot_fill import FillRequest, Intent, MasterChoice, OfferedOption, SlotFill, SlotFiller
from states.slot_merge import mentions_request, merge
from states.templates import say
from states.turn_context import Turn
from states.visit_changes import start_cancel, start_reschedule

DEFAULT_TIMEZONE = "Europe/Moscow"
LADDER_STEPS = 2  # after this many turns without progress, offer the salon's phone


@dataclasses.dataclass(frozen=True)
class TurnInput:
    texts: tuple[str, ...]  # the batch's text messages, in order
    non_text: int  # voice, images, stickers… in the batch
    pushname: str | None
    batch_id: str
    attempt: int
    now: datetime  # aware


@dataclasses.dataclass
class TurnResult:
    replies: list[str]
    fill: SlotFill | None
    guards: list[dict[str, object]]


class Dialogue:
    def __init__(
        self, backend: SalonBackend, filler: SlotFiller, timezone: str | None = None
    ) -> None:
        self.backend = backend
        self.filler = filler
        self.timezone = timezone

    async def run(self, c: Conversation, given: TurnInput) -> TurnResult:
        replies: list[str] = []
        if given.non_text:
            replies.append(say("non_text", c.language))
        if not given.texts:
            return TurnResult(replies, None, [])
        try:
            view = await SalonView.load(self.backend)
        except SalonError:
            replies.append(say("schedule_unreachable", c.language))
            return TurnResult(replies, None, [{"guard": "catalogue_loaded", "ok": False}])
        zone = ZoneInfo(self.timezone or view.company.timezone or DEFAULT_TIMEZONE)
        turn = Turn(
            c, view, self.backend, given.now.astimezone(zone), given.batch_id, given.attempt
        )
        turn.replies = replies
        if given.pushname and not c.client_name:
            c.client_name = given.pushname
        if c.state == BOOKED:  # "booked until the client writes again" (interface contract)
            c.clear_request()
            fire(c, "reset")
        fill = await self.filler.fill(self._request(turn, "\n".join(given.texts), zone.key))
        if any(ch.isalpha() for ch in "".join(given.texts)):
            # "2" or "18:00" is in no language: keep answering in the one the client used.
            c.language = fill.language.value
        self._take_contact(c, fill)
        before = _progress_marker(c)
        try:
            await self._dispatch(turn, fill)
        except SalonError as error:
            turn.guard("yclients_answered", False, f"{type(error).__name__} {error.status}")
            turn.say("schedule_down", phone=turn.salon_phone)
        self._ladder(turn, fill, before)
        return TurnResult(turn.replies, fill, turn.guards)

    def _request(self, turn: Turn, text: str, zone: str) -> FillRequest:
        c = turn.conversation
        return FillRequest(
            text=text,
            state=c.state,
            catalogue=turn.view.catalogue,
            now=turn.now,
            timezone=zone,
            slots=c.slots.as_dict(),
            options=tuple(OfferedOption(o.date, o.time, o.master) for o in c.offered),
            expecting=c.expecting,
        )

    @staticmethod
    def _take_contact(c: Conversation, fill: SlotFill) -> None:
        if fill.client_name and (c.expecting == "name" or not c.client_name):
            c.client_name = fill.client_name.strip()[:80]
        if fill.phone and (c.expecting == "phone" or not c.client_phone):
            c.client_phone = fill.phone

    async def _dispatch(self, turn: Turn, fill: SlotFill) -> None:
        c, intent = turn.conversation, fill.intent
        asks_visit = mentions_request(fill)
        waiting_for_contact = c.state == CONFIRMING and c.expecting in ("name", "phone")
        if waiting_for_contact and not asks_visit and c.client_name and c.client_phone:
            return await effects.book(turn)  # the client already said yes
        if c.state == CANCELLING and intent in (Intent.CONFIRM, Intent.DENY):
            if intent is Intent.CONFIRM:
                return await effects.cancel(turn)
            fire(c, "reset")
            c.expecting = None
            return turn.say("cancel_kept")
        if intent is Intent.CANCEL:
            return await start_cancel(turn)
        if intent is Intent.RESCHEDULE:
            return await start_reschedule(turn, fill)
        if c.state == CONFIRMING and not _changes_request(turn, fill):
            if intent is Intent.CONFIRM:
                if c.mode == "reschedule":
                    return await effects.reschedule(turn)
                return await effects.book(turn)
            if intent is Intent.DENY:
                c.chosen = None
                c.expecting = None
                fire(c, "collect")
                return turn.say("what_to_change")
        if c.state == SUGGESTING and (picked := _picked_option(c, fill)) is not None:
            turn.guard("option_picked", True, f"{picked.date} {picked.time} {picked.master}")
            return await propose(turn, picked)
        if intent is Intent.ASK_PRICE and not (fill.date or fill.time):
            return self._prices(turn, fill)
        if intent is Intent.ASK_HOURS and not asks_visit:
            return turn.say("hours", address=turn.view.company.address, phone=turn.salon_phone)
        if intent is Intent.GREETING and not asks_visit:
            name = f", {c.client_name}" if c.client_name else ""
            fire(c, "collect")
            c.expecting = "service"
            return turn.say("greeting", name=name, salon=turn.view.company.title)
        if not asks_visit and intent not in (Intent.BOOK, Intent.CHANGE) and c.state == "idle":
            b = c.booking
            if b is not None and datetime.fromisoformat(b.datetime_iso) > turn.now:
                # "спасибо" after booking deserves no puzzlement: remind of the visit.
                return turn.say(
                    "see_you",
                    date=turn.day(b.date),
                    time=b.time,
                    master=turn.view.master_name(b.staff_id),
                )
            return turn.say("not_understood")
        if await merge(turn, fill):
            await plan(turn)
        elif c.state not in (SUGGESTING, CONFIRMING):
            fire(c, "collect")

    def _prices(self, turn: Turn, fill: SlotFill) -> None:
        wanted = [s for n in fill.services if (s := turn.view.service_named(n))]
        shown = wanted or [s for s in turn.view.services if s.bookable]
        lines = [
            turn.render("price_line", service=s.title, price=turn.view.price([s.id], turn.lang))
            for s in shown
        ]
        turn.say("prices", lines="\n".join(lines))

    def _ladder(self, turn: Turn, fill: SlotFill, before: tuple[object, ...]) -> None:
        """Re-prompt ladder: after LADDER_STEPS turns without progress, offer the phone."""
        c = turn.conversation
        if fill.intent in (Intent.ASK_PRICE, Intent.ASK_HOURS, Intent.GREETING):
            return
        if _progress_marker(c) != before:
            c.no_progress = 0
            return
        c.no_progress += 1
        if c.no_progress >= LADDER_STEPS:
            turn.say("call_us", phone=turn.salon_phone)
            c.no_progress = 0


def _progress_marker(c: Conversation) -> tuple[object, ...]:
    return (
        c.state,
        str(c.slots.as_dict()),
        c.master_choice,
        len(c.offered),
        c.client_name,
        c.client_phone,
        c.booking.record_id if c.booking else None,
    )


def _changes_request(turn: Turn, fill: SlotFill) -> bool:
    """Does the proposal ask for something other than what is being confirmed?"""
    c = turn.conversation
    services = [s.id for n in fill.services if (s := turn.view.service_named(n))]
    master = turn.view.master_named(fill.master) if fill.master else None
    return bool(
        (fill.date and fill.date != c.slots.date)
        or (fill.time and fill.time != c.slots.time)
        or fill.time_from
        or (services and services != c.slots.service_ids)
        or (master and master.id != c.slots.staff_id)
        or fill.master_choice in (MasterChoice.ANY, MasterChoice.SAME_AS_LAST)
        or (fill.service_phrases and not services)
    )


def _picked_option(c: Conversation, fill: SlotFill) -> Option | None:
    """The offered option the client chose: by number, or by time (and master)."""
    if fill.option is not None and 1 <= fill.option <= len(c.offered):
        return c.offered[fill.option - 1]
    if fill.time is None:
        return None
    matches = [
        o
        for o in c.offered
        if o.time == fill.time
        and (fill.date is None or o.date == fill.date)
        and (fill.master is None or o.master.lower() == fill.master.lower())
    ]
    return (
        matches[0]
        if len(matches) >= 1 and len({(o.date, o.master) for o in matches}) == 1
        else None
    )
