"""Handlers for what a client says around the booking: greetings, thanks, "нет",
"передумал", "опаздываю", a complaint, "позовите администратора", and words not
understood. None of them loses a visit being arranged: its question follows the answer
(`prompts.finish`).
"""

from __future__ import annotations

from datetime import datetime

from states import prompts
from states.machine import fire
from states.salon_errors import SalonAuthError
from states.slot_fill import SlotFill
from states.turn_context import Turn
from states.visit_changes import start_cancel, upcoming


def _upcoming_visit(turn: Turn) -> bool:
    b = turn.conversation.booking
    return b is not None and datetime.fromisoformat(b.datetime_iso) > turn.now


async def not_understood(turn: Turn, fill: SlotFill) -> None:
    """Mid-booking: nothing to do here; the pending question is asked again, one rung
    up the re-prompt ladder (`prompts.finish`)."""
    turn.guard("understood", False, fill.intent.value)


async def offer_help(turn: Turn, fill: SlotFill) -> None:
    """Nothing awaited and not understood: say what the bot can do — with examples the
    second time, and offer a person the third (never the same words twice in a row)."""
    c = turn.conversation
    turn.guard("understood", False, fill.intent.value)
    if c.no_progress >= prompts.HANDOFF:
        c.no_progress = -1  # `finish` counts this turn: the ladder starts again at 0
        await prompts.hand_off(turn, "ladder")
        return
    turn.say("not_understood" if c.no_progress == 0 else "not_understood_examples")


async def small_talk(turn: Turn, fill: SlotFill) -> None:
    """Thanks, emoji, "как дела" with nothing awaited: the visit if one is ahead."""
    b = turn.conversation.booking
    if b is not None and _upcoming_visit(turn):
        turn.answer(
            "see_you", date=turn.day(b.date), time=b.time, master=turn.view.master_name(b.staff_id)
        )
    else:
        turn.answer("small_talk")


async def nod(turn: Turn, fill: SlotFill) -> None:
    """Thanks or an emoji mid-booking: a word back, then the pending question."""
    turn.answer("nod")


async def greet(turn: Turn, fill: SlotFill) -> None:
    """Hello with nothing going on: introduce the salon and ask for the service."""
    c = turn.conversation
    name = f", {c.client_name}" if c.client_name else ""
    c.clear_request()
    fire(c, "ask_service")
    turn.ask("greeting", name=name, salon=turn.view.company.title)


async def greet_back(turn: Turn, fill: SlotFill) -> None:
    name = turn.conversation.client_name
    turn.answer("hello_again", name=f", {name}" if name else "")


async def other_times(turn: Turn, fill: SlotFill) -> None:
    """ "Нет" to the offered times: ask which day and time would suit."""
    c = turn.conversation
    c.offered, c.chosen = [], None
    c.slots.time = None
    c.slot_sources.pop("time", None)
    fire(c, "ask_date")
    turn.ask("ask_other_time")


async def what_to_change(turn: Turn, fill: SlotFill) -> None:
    """ "Нет" to the summary: nothing is booked; ask what to change."""
    c = turn.conversation
    c.chosen = None
    fire(c, "ask_change")
    prompts.ask(turn, turn.render("not_booking"))


async def abort(turn: Turn, fill: SlotFill) -> None:
    """ "Передумал", "не надо": drop the visit being arranged and say nothing is booked
    (a move being arranged leaves the booked visit as it was)."""
    c = turn.conversation
    if c.mode == "reschedule":
        await keep_visit(turn, fill)
        return
    c.clear_request()
    fire(c, "reset")
    turn.say("aborted")


async def keep_visit(turn: Turn, fill: SlotFill) -> None:
    """ "Нет" to cancelling or moving a visit: it stays as it is."""
    c = turn.conversation
    b = c.booking
    c.clear_request()
    fire(c, "reset")
    if b is None:
        turn.say("cancel_kept")
        return
    master = turn.view.master_name(b.staff_id)
    turn.say("visit_kept", date=turn.day(b.date), time=b.time, master=master)


async def stop_or_cancel(turn: Turn, fill: SlotFill) -> None:
    """ "Отмена" while a visit is being arranged drops it; while a booked visit is being
    moved, it means cancelling that visit (asked to confirm first)."""
    if turn.conversation.mode == "reschedule":
        await start_cancel(turn)
    else:
        await abort(turn, fill)


async def late_notice(turn: Turn, fill: SlotFill) -> None:
    """ "Опаздываю на 10 минут": thank, say the visit stands, never cancel it."""
    try:
        b = await upcoming(turn)
    except SalonAuthError:  # no user token: the visit cannot be looked up
        b = None
    if b is not None:
        master = turn.view.master_name(b.staff_id)
        turn.answer("late_ack_visit", date=turn.day(b.date), time=b.time, master=master)
    else:
        turn.answer("late_ack", phone=turn.salon_phone)


async def hand_off(turn: Turn, fill: SlotFill) -> None:
    """A complaint or "позовите администратора": a person takes over (issue 17 pauses
    the bot on `handoff`); the visit being arranged is kept as it is."""
    await prompts.hand_off(turn, fill.intent.value)
    turn.quiet = True
