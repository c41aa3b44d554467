"""The dialogue's states and transition table, on pytransitions.

One machine definition serves every phone; a turn attaches the conversation for the
length of one synchronous trigger and detaches it again (design card: one machine per
phone costs ~60 KB, pytransitions #379). Turns of one phone never overlap because the
worker holds the phone's claim, so the non-atomic transitions (#640) are safe here.

The guards are the rule that makes the bot trustworthy: no trigger reaches `confirming`
without a slot YClients reported free, `booking` without a name and a phone, or `booked`
without a record YClients created.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

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

TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "collect", "source": "*", "dest": COLLECTING},
    {"trigger": "suggest", "source": "*", "dest": SUGGESTING, "conditions": "has_options"},
    {
        "trigger": "propose",
        "source": [IDLE, COLLECTING, SUGGESTING, CONFIRMING, BOOKED, RESCHEDULING],
        "dest": CONFIRMING,
        "conditions": ["has_services", "has_int_staff", "has_verified_slot"],
    },
    {
        "trigger": "book",
        "source": CONFIRMING,
        "dest": BOOKING,
        "conditions": ["has_verified_slot", "has_name", "has_phone"],
    },
    {"trigger": "booked", "source": BOOKING, "dest": BOOKED, "conditions": "has_booking"},
    {
        "trigger": "rescheduled",
        "source": CONFIRMING,
        "dest": BOOKED,
        "conditions": ["has_booking", "has_verified_slot"],
    },
    {"trigger": "booking_failed", "source": BOOKING, "dest": COLLECTING},
    {
        "trigger": "booking_taken",
        "source": BOOKING,
        "dest": SUGGESTING,
        "conditions": "has_options",
    },
    {"trigger": "ask_cancel", "source": "*", "dest": CANCELLING, "conditions": "has_booking"},
    {"trigger": "ask_reschedule", "source": "*", "dest": RESCHEDULING, "conditions": "has_booking"},
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


_MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=TRANSITIONS,
    initial=IDLE,
    auto_transitions=False,
    send_event=False,
)


def fire(conversation: Conversation, trigger: str) -> bool:
    """Run one trigger on the shared machine; False when a guard said no (state unchanged)."""
    model = DialogueModel(conversation)
    _MACHINE.add_model(model, initial=conversation.state)
    try:
        moved = bool(model.trigger(trigger))  # type: ignore[attr-defined]
    except MachineError:
        moved = False
    finally:
        _MACHINE.remove_model(model)
    if moved:
        conversation.state = model.state
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
            if not getattr(model, name)():
                failed.append(name)
    return failed
