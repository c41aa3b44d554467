"""The question a turn ends with, and the loop breaker.

What the bot awaits is the machine's sub-state, so the pending question can always be
rendered from the conversation alone, at three levels:
0. the plain question ("К какому мастеру записать? Бари, Артём — или к любому?");
1. the same with concrete numbered choices (masters, services, days, the options again);
2. a hand-off: a person will answer, and when (the bot is paused for the chat).

The same question is never sent twice in a row: a repeat goes one level up. A turn that
moves nothing and answers nothing climbs the ladder (1, then 2); a turn that answered a
question ("где вы?") asks the pending question again in other words (0 ↔ 1), once.
"""

from __future__ import annotations

from states.conversation import Choice, Option, Prompt
from states.facts import next_working_days, when_a_person_answers
from states.machine import Awaiting
from states.salon import Master
from states.turn_context import Turn
from states.wording import capitalised, human_list, numbered

HANDOFF = 2  # the ladder's last level
MAX_CHOICES = 8
CHANGE_PARTS = ("service", "master", "date", "time")


def able_masters(turn: Turn, exclude: int | None = None) -> list[Master]:
    ids = turn.conversation.slots.service_ids or []
    able = turn.view.masters_for(ids) if ids else turn.view.masters
    return [m for m in able if m.bookable and m.id != exclude]


def masters_line(turn: Turn, exclude: int | None = None) -> str:
    return human_list([m.name for m in able_masters(turn, exclude)], turn.lang)


def options_heading(turn: Turn, options: list[Option]) -> str:
    """Names a day or a master only when every option shares it: a heading never names
    a master the list does not offer (issue 14)."""
    days = {o.date for o in options}
    masters = {o.master for o in options}
    first = options[0]
    if len(days) == 1 and len(masters) == 1:
        return turn.render("heading_day_master", date=turn.day(first.date), master=first.master)
    if len(days) == 1:
        return turn.render("heading_day", date=turn.day(first.date))
    return turn.render("heading_any")


def summary(turn: Turn, variant: str = "") -> str:
    """The booking, move or cancellation the client is asked to say yes to; `variant` is
    "" (as first asked), "_short" (with how to answer) or "_again" (after an answer)."""
    c = turn.conversation
    if c.state == "cancelling" and c.booking is not None:
        b = c.booking
        return turn.render(
            "cancel_confirm" + variant,
            service=turn.view.services_title(b.service_ids, turn.lang),
            date=turn.day(b.date),
            time=b.time,
            master=turn.view.master_name(b.staff_id),
        )
    assert c.chosen is not None
    ids = c.slots.service_ids or []
    key = "reschedule_confirm" if c.mode == "reschedule" else "confirm"
    return turn.render(
        key + variant,
        service=turn.view.services_title(ids, turn.lang),
        master=c.chosen.master,
        date=turn.day(c.chosen.date),
        time=c.chosen.time,
        price=turn.view.price(ids, turn.lang),
    )


def reminder_question(turn: Turn, variant: str = "") -> str:
    """A visit reminder's question, as the dialogue asks it again: `variant` "" (as
    first asked), "_again" (after an answer) or "_short" (how to answer)."""
    b = turn.conversation.booking
    assert b is not None  # `booked_reminder` needs a booking
    master = turn.view.master_name(b.staff_id)
    return turn.render("reminder_ask" + variant, date=turn.day(b.date), time=b.time, master=master)


def plain(turn: Turn) -> str:
    """Level 0: the pending question, as first asked."""
    c = turn.conversation
    awaiting = c.awaiting
    if awaiting == Awaiting.REMINDER:
        return reminder_question(turn)
    if awaiting == Awaiting.SERVICE:
        return turn.render("ask_service", examples=turn.view.service_examples())
    if awaiting == Awaiting.MASTER:
        return turn.render("ask_master", masters=masters_line(turn))
    if awaiting == Awaiting.DATE and c.state == "rescheduling" and c.booking is not None:
        return turn.render("reschedule_ask", date=turn.day(c.booking.date), time=c.booking.time)
    if awaiting == Awaiting.DATE:
        return turn.render("ask_date")
    if awaiting == Awaiting.CHANGE:
        return turn.render("what_to_change")
    if awaiting == Awaiting.OPTION:
        heading = options_heading(turn, c.offered)
        return turn.render("pick_option", heading=heading, options=turn.option_lines(c.offered))
    if awaiting == Awaiting.YES_NO:
        return summary(turn)
    return turn.render("ask_name" if awaiting == Awaiting.NAME else "ask_phone")


def again(turn: Turn) -> str:
    """The pending question once more, in other words, after answering something else."""
    c = turn.conversation
    awaiting = c.awaiting
    if awaiting == Awaiting.REMINDER:
        return reminder_question(turn, "_again")
    if awaiting == Awaiting.YES_NO:
        return summary(turn, "_again")
    if awaiting == Awaiting.OPTION:
        return turn.render("pick_option_reask", options=turn.option_lines(c.offered))
    if awaiting == Awaiting.MASTER:
        return turn.render("ask_master_again", masters=masters_line(turn))
    if awaiting == Awaiting.DATE and c.state == "rescheduling":
        return turn.render("reschedule_ask_again")
    return turn.render(f"ask_{awaiting}_reask")


async def with_choices(turn: Turn) -> str:
    """Level 1: the pending question with concrete numbered choices (kept in `choices`,
    so "2" picks one)."""
    c = turn.conversation
    awaiting = c.awaiting
    if awaiting == Awaiting.OPTION:
        return turn.render("pick_option_again", options=turn.option_lines(c.offered))
    if awaiting == Awaiting.YES_NO:
        return summary(turn, "_short")
    if awaiting == Awaiting.REMINDER:
        return reminder_question(turn, "_short")
    if awaiting in (Awaiting.NAME, Awaiting.PHONE):
        return turn.render(f"ask_{awaiting}_again")
    c.choices = await _choices(turn, awaiting)
    if not c.choices:
        return plain(turn)
    lines = numbered([ch.label for ch in c.choices])
    key = "choose_new_date" if c.state == "rescheduling" else f"choose_{awaiting}"
    return turn.render(key, choices=lines)


async def _choices(turn: Turn, awaiting: str | None) -> list[Choice]:
    if awaiting == Awaiting.SERVICE:
        bookable = [s for s in turn.view.services if s.bookable][:MAX_CHOICES]
        return [Choice("service", str(s.id), s.title) for s in bookable]
    if awaiting == Awaiting.MASTER:
        masters = [Choice("master", str(m.id), m.name) for m in able_masters(turn)]
        return [*masters, Choice("any_master", "", turn.render("any_master"))]
    if awaiting == Awaiting.CHANGE:
        return [Choice("change", part, turn.render(f"part_{part}")) for part in CHANGE_PARTS]
    days = await next_working_days(turn, turn.today, MAX_CHOICES - 3)
    return [Choice("date", d.isoformat(), turn.day(d.isoformat())) for d in days]


def ask(turn: Turn, lead: str = "") -> None:
    """End the turn with the pending question (the machine says what it awaits)."""
    turn.question = (lead, plain(turn))


async def finish(turn: Turn, progressed: bool) -> None:
    """Send the turn's question — or the pending one again — never twice the same."""
    c = turn.conversation
    stuck = not progressed and not turn.answered
    c.no_progress = c.no_progress + 1 if stuck else 0
    if turn.question is None and (c.awaiting is None or not (turn.answered or stuck)):
        if turn.notes:
            turn.replies.append(" ".join(turn.notes))
        c.prompt = None if turn.replies else c.prompt
        return
    last = c.prompt
    lead, text = turn.question or ("", "")
    level = min(c.no_progress, HANDOFF) if stuck else 0
    if level == 0 and not text:
        text = again(turn)
    text = await _at_level(turn, level, text)
    while last is not None and text == last.text and level < HANDOFF:
        level += 1
        text = await _at_level(turn, level, text)
    if level >= HANDOFF:
        c.no_progress = 0
        await hand_off(turn, "ladder")
        text = turn.replies.pop()
    if level == 0 and c.awaiting != Awaiting.OPTION:
        c.choices = []
    lead = capitalised(" ".join([*turn.notes, lead]).strip())
    message = f"{lead}\n{capitalised(text)}" if lead else capitalised(text)
    if turn.question is None and turn.answered and turn.replies and level < HANDOFF:
        turn.replies[-1] += "\n\n" + message  # the question follows the answer it came with
    else:
        turn.replies.append(message)
    c.prompt = Prompt(text, level)


async def _at_level(turn: Turn, level: int, asked: str) -> str:
    if level == 0:
        return asked or plain(turn)
    if level == 1:
        return await with_choices(turn)
    return ""


async def hand_off(turn: Turn, reason: str) -> None:
    """Ask a person to take over and tell the client when a person will answer. The
    engine pauses the bot for this chat and notifies the salon once the turn is saved
    (`batch` names the turn, so a retried turn does it once); what was on offer stays in
    the conversation for whoever answers, and for the bot when it has the chat again."""
    c = turn.conversation
    c.handoff = {"reason": reason, "at": turn.now.isoformat(), "batch": turn.batch_id}
    turn.guard("handoff", True, reason)
    when = await when_a_person_answers(turn)
    turn.say(f"handoff_{reason}", when=when, phone=turn.salon_phone)
