"""Handlers that move the visit being arranged: take what the client asked for, pick an
offered option or numbered choice, say yes to the summary, give a name or a phone.

Each is a small function of the turn (conversation, salon view, backend seam) and the
fill; `states.policy` says in which (state, awaiting, intent) cell each one runs.
"""

from __future__ import annotations

from states import effects
from states.conversation import Choice, Conversation, Option
from states.form import plan, propose
from states.machine import IDLE, fire
from states.slot_fill import MasterChoice, SlotFill
from states.slot_merge import mentions_request, merge
from states.turn_context import Turn
from states.visit_changes import ONLY_WHEN, start_cancel, start_reschedule


async def take_request(turn: Turn, fill: SlotFill) -> None:
    """Fold the client's words into the visit and ask for what is still missing. A move
    keeps the visit's services and master (YClients moves a record in time only)."""
    if turn.conversation.mode == "reschedule":
        fill = fill.model_copy(update=ONLY_WHEN)
    if await merge(turn, fill):
        _from_topic(turn)
        await plan(turn)


def _from_topic(turn: Turn) -> None:
    """A master or day the client's last question was about fills what this request left
    unsaid ("когда Бари свободен?" — "тогда в пятницу в 17 на стрижку")."""
    c = turn.conversation
    topic, c.topic = c.topic or {}, None
    staff, day = topic.get("staff_id"), topic.get("date")
    if isinstance(staff, int) and c.slots.staff_id is None and c.master_choice is None:
        c.slots.staff_id, c.master_choice = staff, "named"
        c.slot_sources["staff_id"] = "question"
    if isinstance(day, str) and c.slots.date is None:
        c.slots.date, c.slot_sources["date"] = day, "question"


async def new_request(turn: Turn, fill: SlotFill) -> None:
    """A new visit from a state that holds none (idle, booked, a cancellation asked)."""
    c = turn.conversation
    c.clear_request()
    if c.state != IDLE:
        fire(c, "reset")
    await take_request(turn, fill)


async def pick(turn: Turn, fill: SlotFill) -> None:
    """An offered free slot (by number, time or master), or a numbered choice."""
    c = turn.conversation
    option = picked_option(c, fill)
    if option is not None:
        turn.guard("option_picked", True, f"{option.date} {option.time} {option.master}")
        await propose(turn, option)
        return
    if not c.offered and fill.option is not None and 1 <= fill.option <= len(c.choices):
        await take_choice(turn, c.choices[fill.option - 1])
        return
    await take_request(turn, fill)


async def only_one(turn: Turn, fill: SlotFill) -> None:
    """ "Да" to a question with one thing on offer picks it ("Снежана — или к любому?")."""
    c = turn.conversation
    masters = [m for m in turn.view.masters_for(c.slots.service_ids or []) if m.bookable]
    if len(c.offered) == 1:
        await propose(turn, c.offered[0])
    elif not c.offered and len(c.choices) == 1:
        await take_choice(turn, c.choices[0])
    elif c.awaiting == "master" and len(masters) == 1 and not c.choices:
        await take_choice(turn, Choice("master", str(masters[0].id), masters[0].name))
    else:
        turn.guard("one_option_on_offer", False, str(len(c.offered) or len(c.choices)))


async def confirm(turn: Turn, fill: SlotFill) -> None:
    """Yes to the summary: book the visit, or move the booked one."""
    if turn.conversation.mode == "reschedule":
        await effects.reschedule(turn)
    else:
        await effects.book(turn)


async def change_or_confirm(turn: Turn, fill: SlotFill) -> None:
    """At the summary, words that change the visit change it; words that repeat it
    ("да, записывайте", "запишите") say yes. A time that does not exist says neither."""
    if fill.invalid_time or fill.invalid_date:
        return
    if changes_request(turn, fill):
        await take_request(turn, fill)
    else:
        await confirm(turn, fill)


async def contact_given(turn: Turn, fill: SlotFill) -> None:
    """The name or phone asked for (taken before the cell runs): carry on with what it
    was asked for — the booking the client said yes to, or the visit to find."""
    c = turn.conversation
    if mentions_request(fill):
        c.after_contact = None
        await take_request(turn, fill)
        return
    if not (c.client_name if c.awaiting == "name" else c.client_phone):
        return  # not given: the question is asked again
    purpose, c.after_contact = c.after_contact, None
    if c.state == "confirming" or (purpose == "book" and fire(c, "propose")):
        await effects.book(turn)
    elif purpose == "cancel":
        await start_cancel(turn)
    elif purpose == "reschedule":
        await start_reschedule(turn, fill)
    else:
        await take_request(turn, fill)


async def take_choice(turn: Turn, choice: Choice) -> None:
    """A numbered choice: a service, a master (or any), a day, or what to change."""
    c = turn.conversation
    turn.guard("choice_picked", True, f"{choice.kind} {choice.label}")
    c.choices = []
    if choice.kind == "service":
        c.slots.service_ids, c.slot_sources["service_ids"] = [int(choice.value)], "user"
    elif choice.kind == "master":
        c.slots.staff_id, c.slot_sources["staff_id"] = int(choice.value), "user"
        c.master_choice = "named"
    elif choice.kind == "any_master":
        c.slots.staff_id, c.master_choice = None, "any"
        c.slot_sources.pop("staff_id", None)
    elif choice.kind == "date":
        c.slots.date, c.slot_sources["date"] = choice.value, "user"
    else:  # "change": forget that part; the form asks for it again
        slot = {"service": "service_ids", "master": "staff_id"}.get(choice.value, choice.value)
        setattr(c.slots, slot, None)
        c.slot_sources.pop(slot, None)
        c.master_choice = None if slot == "staff_id" else c.master_choice
    c.chosen, c.offered = None, []
    await plan(turn)


def picked_option(c: Conversation, fill: SlotFill) -> Option | None:
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
    return matches[0] if matches and len({(o.date, o.master) for o in matches}) == 1 else None


def changes_request(turn: Turn, fill: SlotFill) -> bool:
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
