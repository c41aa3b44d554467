"""One turn of the dialogue: read the batch, let the filler propose, look the policy up,
reply.

The filler only proposes words; what happens is decided by the policy table
(`states.policy`): the conversation's resting state and what the bot awaits pick the row,
the fill's intent the column. Every question asked in the batch goes through the same
table ("сколько стоит и где вы?" is answered twice), then the turn ends with one
question, never the same one twice in a row (`prompts.finish`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from states import policy, prompts
from states.conversation import Conversation
from states.faq import SalonFaq
from states.handlers_reminder import ReminderAsk, take_reminder
from states.machine import BOOKED, fire, machine_state
from states.menus import choice_fill
from states.ports import ReminderAnswers
from states.salon import SalonBackend
from states.salon_errors import SalonError
from states.salon_view import SalonView
from states.slot_fill import (
    QUESTION_INTENTS,
    FillRequest,
    Intent,
    OfferedOption,
    SlotFill,
    SlotFiller,
)
from states.templates import say
from states.turn_context import Turn

DEFAULT_TIMEZONE = "Europe/Moscow"


@dataclasses.dataclass(frozen=True)
class TurnInput:
    texts: tuple[str, ...]  # the batch's text messages, in order
    non_text: int  # voice, images, stickers… in the batch
    pushname: str | None
    batch_id: str
    attempt: int
    now: datetime  # aware
    choice: str | None = None  # the id of a tapped choice: read without the filler
    reminder: ReminderAsk | None = None  # a visit reminder awaiting the client's answer


@dataclasses.dataclass
class TurnResult:
    replies: list[str]
    fill: SlotFill | None
    guards: list[dict[str, object]]


class Dialogue:
    def __init__(
        self,
        backend: SalonBackend,
        filler: SlotFiller,
        timezone: str | None = None,
        faq: SalonFaq | None = None,
        answers: ReminderAnswers | None = None,
    ) -> None:
        self.backend = backend
        self.filler = filler
        self.timezone = timezone
        self.faq = faq
        self.answers = answers

    async def run(self, c: Conversation, given: TurnInput) -> TurnResult:
        replies: list[str] = []
        if given.non_text:
            replies.append(say("non_text", c.language))
        if not given.texts:
            return TurnResult(replies, None, [])
        try:
            view = await SalonView.load(self.backend, self.faq)
        except SalonError:
            replies.append(say("schedule_unreachable", c.language))
            return TurnResult(replies, None, [{"guard": "catalogue_loaded", "ok": False}])
        zone = ZoneInfo(self.timezone or view.company.timezone or DEFAULT_TIMEZONE)
        now = given.now.astimezone(zone)
        turn = Turn(
            c, view, self.backend, now, given.batch_id, given.attempt, replies=replies,
            answers=self.answers,
        )  # fmt: skip
        take_reminder(c, given.reminder)
        if given.pushname and not c.client_name:
            c.client_name = given.pushname
        tapped = choice_fill(c, given.choice) if given.choice else None
        if tapped is None:
            fill = await self.filler.fill(request(turn, "\n".join(given.texts), zone.key))
        else:
            fill = tapped
        if tapped is None and any(ch.isalpha() for ch in "".join(given.texts)):
            # "2" or "18:00" is in no language: keep answering in the one the client used.
            c.language = fill.language.value
        await play(turn, fill)
        return TurnResult(turn.replies, fill, turn.guards)


async def play(turn: Turn, fill: SlotFill) -> None:
    """The turn after the filler: the policy's cells, then the question it ends with."""
    c = turn.conversation
    take_contact(c, fill)
    before = progress_marker(c)
    try:
        await respond(turn, fill)
        if not turn.quiet:
            await prompts.finish(turn, progress_marker(c) != before)
    except SalonError as error:
        turn.guard("yclients_answered", False, f"{type(error).__name__} {error.status}")
        turn.say("schedule_down", phone=turn.salon_phone)


async def respond(turn: Turn, fill: SlotFill) -> None:
    """Run the policy's cell for every question of the batch and for its intent."""
    c = turn.conversation
    was_booked = machine_state(c) == BOOKED  # not while a reminder awaits its answer
    if was_booked:  # the visit is done: its slots do not carry into what comes next
        c.clear_request()
    note_invalid(turn, fill)
    for intent in intents_of(fill):
        cell = policy.handler(machine_state(c), intent)
        await cell(
            turn, fill if intent is fill.intent else fill.model_copy(update={"intent": intent})
        )
    if was_booked and machine_state(c) == BOOKED:
        fire(c, "reset")  # "booked until the client writes again" (interface contract)
    if fill.intent not in QUESTION_INTENTS:
        c.topic = None  # a question's subject carries to the very next message only


def intents_of(fill: SlotFill) -> list[Intent]:
    """The batch's questions and its intent, each once; a request comes last, so its
    question ends the turn ("запишите на стрижку. а где вы?")."""
    extra = [
        q for q in dict.fromkeys(fill.questions) if q in QUESTION_INTENTS and q is not fill.intent
    ]
    if fill.intent in QUESTION_INTENTS:
        return [fill.intent, *extra]
    return [*extra, fill.intent]


def note_invalid(turn: Turn, fill: SlotFill) -> None:
    """A time or date that does not exist ("25:00", "31 февраля") is said so, honestly,
    before the question that follows (issue 13 reads them)."""
    if fill.invalid_time:
        turn.notes.append(turn.render("invalid_time", phrase=fill.invalid_time))
    if fill.invalid_date:
        turn.notes.append(turn.render("invalid_date", phrase=fill.invalid_date))
    if turn.notes:
        turn.answered = True


def request(turn: Turn, text: str, zone: str) -> FillRequest:
    c = turn.conversation
    options = tuple(OfferedOption(o.date, o.time, o.master) for o in c.offered) or tuple(
        OfferedOption("", "", ch.label if ch.kind == "master" else None, ch.label)
        for ch in c.choices
    )
    return FillRequest(
        text=text,
        state=c.state,
        catalogue=turn.view.catalogue,
        now=turn.now,
        timezone=zone,
        slots=c.slots.as_dict(),
        options=options,
        expecting=c.awaiting,
        batch_id=turn.batch_id,
    )


def take_contact(c: Conversation, fill: SlotFill) -> None:
    if fill.client_name and (c.awaiting == "name" or not c.client_name):
        c.client_name = fill.client_name.strip()[:80]
    if fill.phone and (c.awaiting == "phone" or not c.client_phone):
        c.client_phone = fill.phone


def progress_marker(c: Conversation) -> tuple[object, ...]:
    return (
        c.state,
        c.awaiting,
        str(c.slots.as_dict()),
        c.master_choice,
        str(c.time_window),  # "вечером", "когда удобно": a window is an answer too
        len(c.offered),
        c.client_name,
        c.client_phone,
        c.booking.record_id if c.booking else None,
    )
