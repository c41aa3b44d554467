"""Fold one turn's proposal into the conversation, resolving words to YClients ids.

The filler proposes names ("Мужская стрижка", "Бари", same_as_last); only names found in
the live catalogue become ids, and "the last master" comes from the client's own records
(design card), never passed through as a literal.
"""

from __future__ import annotations

from states.conversation import Conversation
from states.machine import fire
from states.prompts import masters_line
from states.salon import last_master_id
from states.salon_errors import SalonAuthError
from states.slot_fill import MasterChoice, SlotFill
from states.turn_context import Turn
from states.wording import human_list

SOURCE_USER = "user"
SOURCE_LAST_MASTER = "history:last_master"


def mentions_request(fill: SlotFill) -> bool:
    """Did the client say anything about the visit itself?"""
    return bool(
        fill.service_phrases
        or fill.services
        or fill.master_choice
        or fill.date
        or fill.time
        or fill.time_from
    )


async def merge(turn: Turn, fill: SlotFill) -> bool:
    """Apply the proposal; False when a reply already explains why we cannot go on."""
    c = turn.conversation
    before = (c.slots.as_dict(), c.master_choice, c.time_window)
    # The day and time stand even when the service or master said with them is refused:
    # "к тому же мастеру завтра в 12" from a newcomer must not lose "завтра в 12".
    if fill.date is not None:
        _set(c, "date", fill.date)
    if fill.time is not None:
        _set(c, "time", fill.time)
        c.time_window = None
    elif fill.time_from is not None and fill.time_to is not None:
        c.time_window = [fill.time_from, fill.time_to]
        _set(c, "time", None)
    merged = _merge_services(turn, fill) and await _merge_master(turn, fill)
    if (c.slots.as_dict(), c.master_choice, c.time_window) != before:
        c.no_progress = 0
        c.offered = []
    return merged


def _set(c: Conversation, slot: str, value: object, source: str = SOURCE_USER) -> None:
    setattr(c.slots, slot, value)
    if value is None:
        c.slot_sources.pop(slot, None)
    else:
        c.slot_sources[slot] = source


def _merge_services(turn: Turn, fill: SlotFill) -> bool:
    found = [s for name in fill.services if (s := turn.view.service_named(name))]
    if found:
        _set(turn.conversation, "service_ids", [s.id for s in found])
        return True
    if fill.service_phrases:
        phrase = fill.service_phrases[0]
        turn.guard("service_in_catalogue", False, phrase)
        fire(turn.conversation, "ask_service")
        lead = turn.render("no_such_service", phrase=phrase)
        turn.ask("offer_services", lead=lead, examples=turn.view.service_examples())
        return False
    return True


async def _merge_master(turn: Turn, fill: SlotFill) -> bool:
    c = turn.conversation
    if fill.master_choice is MasterChoice.ANY:
        c.master_choice = "any"
        _set(c, "staff_id", None)
    elif fill.master_choice is MasterChoice.NAMED and fill.master is not None:
        master = turn.view.master_named(fill.master)
        if not turn.guard("master_in_catalogue", master is not None, fill.master):
            # Only masters who do the service asked for (Снежана does not cut men's hair).
            service_ids = c.slots.service_ids or []
            names = masters_line(turn)
            fire(c, "ask_master")
            if service_ids:
                service = turn.view.services_title(service_ids, turn.lang)
                turn.ask("unknown_master", name=fill.master, service=service, masters=names)
            else:
                turn.ask("unknown_master_any", name=fill.master, masters=names)
            return False
        assert master is not None
        c.master_choice = "named"
        _set(c, "staff_id", master.id)
    elif fill.master_choice is MasterChoice.SAME_AS_LAST:
        return await resolve_last_master(turn)
    return True


async def resolve_last_master(turn: Turn) -> bool:
    c = turn.conversation
    if not c.client_phone:
        # An @lid sender: the phone comes first, then the history (interface contract).
        c.master_choice = "same_as_last"
        fire(c, "ask_phone")
        turn.ask("ask_phone")
        return False
    try:
        client = await turn.backend.find_client(c.client_phone)
        staff_id = last_master_id(await turn.backend.client_records(client.id)) if client else None
    except SalonAuthError:
        # No YCLIENTS_USER_TOKEN: the history cannot be read; ask, as for a newcomer.
        turn.guard("history_readable", False, "no user token")
        client, staff_id = None, None
    master = turn.view.master(staff_id) if staff_id else None
    if not turn.guard("last_master_found", master is not None and master.bookable):
        c.master_choice = None
        names = human_list([m.name for m in turn.view.masters if m.bookable], turn.lang)
        fire(c, "ask_master")
        turn.ask("no_history", masters=names)
        return False
    assert master is not None
    if client and not c.client_name:
        c.client_name = client.name
    c.master_choice = "named"
    _set(c, "staff_id", master.id, SOURCE_LAST_MASTER)
    return True
