"""The dialogue's states, what the bot awaits in each, and the transition table (pytransitions).

A state is hierarchical: `collecting_master` is `collecting` while the bot awaits a
master. The conversation stores the two parts (`state`, `awaiting`); inspection shows
both, and `state` keeps the interface contract's meanings (idle, collecting, suggesting,
confirming, booking, booked, cancelling, rescheduling). What the bot awaits changes only
through a trigger here, never by assigning a string (issue 14).

One machine definition serves every phone; a turn attaches the conversation for the
length of one synchronous trigger and detaches it again (design card: one machine per
phone costs ~60 KB, pytransitions #379). Turns of one phone never overlap because the
worker holds the phone's claim, so the non-atomic transitions (#640) are safe here.

The guards are the rule that makes the bot trustworthy: no trigger reaches `confirming`
without a slot YClients reported free, `booking` without a name and a phone, or `booked`
without a record YClients created.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from transitions import MachineError
from transitions.extensions import HierarchicalMachine

from states.conversation import Conversation

IDLE = "idle"
COLLECTING = "collecting"
SUGGESTING = "suggesting"
CONFIRMING = "confirming"
BOOKING = "booking"
BOOKED = "booked"
CANCELLING = "cancelling"
RESCHEDULING = "rescheduling"

STATES = [IDLE, COLLECTING, SUGGESTING, CONFIRMING, BOOKING, BOOKED, CANCELLING, RESCHEDULING]
SEP = "_"


class Awaiting(StrEnum):
    """What the bot's last question asked for."""

    SERVICE = "service"
    MASTER = "master"
    DATE = "date"  # a day (the time follows as options)
    CHANGE = "change"  # which detail to change, after "нет" to the summary
    OPTION = "option"  # one of the numbered free slots
    YES_NO = "yes_no"  # the summary of a booking, a move or a cancellation
    NAME = "name"
    PHONE = "phone"
    REMINDER = "reminder"  # "да" or "не смогу" to a visit reminder (issue 16)


# Sub-states: what each state can await. `booking` is never at rest (a turn enters and
# leaves it), `idle` awaits nothing; `booked` awaits nothing, or the answer to a visit
# reminder (issue 16: the reminder asked "да" or "не смогу").
CHILDREN: dict[str, list[Awaiting]] = {
    COLLECTING: [
        Awaiting.SERVICE,
        Awaiting.MASTER,
        Awaiting.DATE,
        Awaiting.CHANGE,
        Awaiting.NAME,
        Awaiting.PHONE,
    ],
    SUGGESTING: [Awaiting.OPTION],
    CONFIRMING: [Awaiting.YES_NO, Awaiting.NAME, Awaiting.PHONE],
    CANCELLING: [Awaiting.YES_NO],
    RESCHEDULING: [Awaiting.DATE],
    BOOKED: [Awaiting.REMINDER],
}
# States that also rest as themselves, awaiting nothing, besides their sub-states.
RESTS_BARE = frozenset({BOOKED})


def leaf(state: str, awaiting: str | None) -> str:
    return f"{state}{SEP}{awaiting}" if awaiting else state


# Every state a conversation rests in between turns: the rows of the policy table.
RESTING = [
    leaf(s, a)
    for s in STATES
    if s != BOOKING
    for a in (
        ([None] if s in RESTS_BARE or s not in CHILDREN else [])
        + [str(x) for x in CHILDREN.get(s, [])]
    )
]

_BOOKING_FLOW = [COLLECTING, SUGGESTING, CONFIRMING, RESCHEDULING, IDLE, BOOKED]
_CONFIRMING = [leaf(CONFIRMING, a) for a in ("yes_no", "name", "phone")]

TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "ask_service", "source": "*", "dest": leaf(COLLECTING, "service")},
    {"trigger": "ask_master", "source": "*", "dest": leaf(COLLECTING, "master")},
    # In a reschedule the new day is asked for in `rescheduling`, else in `collecting`.
    {
        "trigger": "ask_date",
        "source": "*",
        "dest": leaf(RESCHEDULING, "date"),
        "conditions": ["in_reschedule_mode", "has_booking"],
    },
    {"trigger": "ask_date", "source": "*", "dest": leaf(COLLECTING, "date")},
    {"trigger": "ask_change", "source": "*", "dest": leaf(COLLECTING, "change")},
    {
        "trigger": "suggest",
        "source": _BOOKING_FLOW,
        "dest": leaf(SUGGESTING, "option"),
        "conditions": "has_options",
    },
    {
        "trigger": "propose",
        "source": _BOOKING_FLOW,
        "dest": leaf(CONFIRMING, "yes_no"),
        "conditions": ["has_services", "has_int_staff", "has_verified_slot"],
    },
    # The name or phone for a booking the client is saying yes to…
    {"trigger": "ask_name", "source": _CONFIRMING, "dest": leaf(CONFIRMING, "name")},
    {"trigger": "ask_phone", "source": _CONFIRMING, "dest": leaf(CONFIRMING, "phone")},
    # …or after YClients refused the one given (a failed booking rests in `collecting`),
    # or a phone first, to find the client's history or visits (an @lid sender).
    {"trigger": "ask_name", "source": "*", "dest": leaf(COLLECTING, "name")},
    {"trigger": "ask_phone", "source": "*", "dest": leaf(COLLECTING, "phone")},
    {"trigger": "booking_failed", "source": BOOKING, "dest": leaf(COLLECTING, "change")},
    {
        "trigger": "book",
        "source": CONFIRMING,
        "dest": BOOKING,
        "conditions": ["has_verified_slot", "has_name", "has_phone"],
    },
    {"trigger": "booked", "source": BOOKING, "dest": BOOKED, "conditions": "has_booking"},
    {
        "trigger": "rescheduled",
        "source": leaf(CONFIRMING, "yes_no"),
        "dest": BOOKED,
        "conditions": ["has_booking", "has_verified_slot"],
    },
    {
        "trigger": "booking_taken",
        "source": BOOKING,
        "dest": leaf(SUGGESTING, "option"),
        "conditions": "has_options",
    },
    {
        "trigger": "ask_cancel",
        "source": "*",
        "dest": leaf(CANCELLING, "yes_no"),
        "conditions": "has_booking",
    },
    {
        "trigger": "ask_reschedule",
        "source": "*",
        "dest": leaf(RESCHEDULING, "date"),
        "conditions": "has_booking",
    },
    # A visit reminder asked the client to confirm (issue 16); the answer leaves it.
    {
        "trigger": "remind",
        "source": "*",
        "dest": leaf(BOOKED, "reminder"),
        "conditions": "has_booking",
    },
    {"trigger": "reminder_answered", "source": leaf(BOOKED, "reminder"), "dest": BOOKED},
    {"trigger": "reset", "source": "*", "dest": IDLE},
]


class DialogueModel:
    """The conversation as pytransitions sees it; guards read the conversation only."""

    state: str

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def has_options(self) -> bool:
        return bool(self.conversation.offered)

    def has_services(self) -> bool:
        ids = self.conversation.slots.service_ids
        return bool(ids) and all(type(i) is int for i in ids or [])

    def has_int_staff(self) -> bool:
        # `bool` is an int subclass; a model once produced staff_id "last" (production log).
        staff = self.conversation.slots.staff_id
        return type(staff) is int and staff > 0

    def has_verified_slot(self) -> bool:
        c = self.conversation
        return (
            c.chosen is not None
            and c.chosen.staff_id == c.slots.staff_id
            and c.chosen.date == c.slots.date
            and c.chosen.time == c.slots.time
        )

    def has_name(self) -> bool:
        return bool(self.conversation.client_name)

    def has_phone(self) -> bool:
        return bool(self.conversation.client_phone)

    def has_booking(self) -> bool:
        return self.conversation.booking is not None

    def in_reschedule_mode(self) -> bool:
        # Not `is_rescheduling`: pytransitions adds `is_<state>` checks to the model and
        # warned on every turn that it skipped binding its own over this guard.
        return self.conversation.mode == "reschedule"


def _states() -> list[Any]:
    return [
        {"name": s, "children": [str(a) for a in CHILDREN[s]]} if s in CHILDREN else s
        for s in STATES
    ]


_MACHINE = HierarchicalMachine(
    model=None,
    states=_states(),
    transitions=TRANSITIONS,
    initial=IDLE,
    auto_transitions=False,
    send_event=False,
)


def machine_state(c: Conversation) -> str:
    """The conversation's place in the machine; a parent without what it awaits (a state
    saved before issue 14) rests in its first sub-state."""
    if c.state in RESTS_BARE and c.awaiting not in CHILDREN[c.state]:
        return c.state
    if c.state in CHILDREN and c.awaiting not in CHILDREN[c.state]:
        return leaf(c.state, CHILDREN[c.state][0])
    if c.state not in CHILDREN:
        return c.state if c.state in STATES else IDLE
    return leaf(c.state, c.awaiting)


def fire(conversation: Conversation, trigger: str) -> bool:
    """Run one trigger on the shared machine; False when a guard said no (state unchanged)."""
    model = DialogueModel(conversation)
    _MACHINE.add_model(model, initial=machine_state(conversation))
    try:
        moved = bool(model.trigger(trigger))  # type: ignore[attr-defined]
    except MachineError:
        moved = False
    finally:
        _MACHINE.remove_model(model)
    if moved:
        state, _, awaiting = model.state.partition(SEP)
        conversation.state = state
        conversation.awaiting = awaiting or None
    return moved


def guard_report(conversation: Conversation, trigger: str) -> list[str]:
    """Names of the guards of `trigger` that fail now (for the turn's trace)."""
    model = DialogueModel(conversation)
    failed: list[str] = []
    for t in TRANSITIONS:
        if t["trigger"] != trigger:
            continue
        conditions = t.get("conditions", [])
        for name in [conditions] if isinstance(conditions, str) else conditions:
            if not getattr(model, name)() and name not in failed:
                failed.append(name)
    return failed
