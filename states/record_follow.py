"""The conversation follows the salon's own changes to a client's visit (issue 16): an
administrator booked, moved or deleted it in YClients. Pure: the record webhook's effect
(`engine/record_sync`) comes in as the visit's new `Booking`, or None when it is gone.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from states.conversation import Booking, Conversation
from states.machine import fire

FOLLOWED_KEPT = 20
# States that are about the booked visit itself: its cancellation or move being asked.
_ABOUT_THE_VISIT = ("cancelling", "rescheduling")


def follow_visit(
    c: Conversation, record_id: int, booking: Booking | None, now: datetime, *, created: bool
) -> bool:
    """Keep `c.booking` in step with YClients; True when the conversation changed.

    - the visit is gone (deleted): forgotten, and a cancellation or move of it being
      asked is dropped (there is nothing left to cancel or move);
    - it changed (time, master, services): the booking takes the change, keeping what only
      we know of it (the record hash of our own booking);
    - a visit booked by the salon, still ahead, becomes the conversation's booking when
      the client has no other visit ahead."""
    mine = c.booking is not None and c.booking.record_id == record_id
    if booking is None:
        if not mine:
            return False
        c.booking = None
        if c.state in _ABOUT_THE_VISIT or c.mode == "reschedule" or c.awaiting == "reminder":
            c.clear_request()
            fire(c, "reset")
        return True
    if mine:
        assert c.booking is not None
        updated = dataclasses.replace(
            booking,
            record_hash=booking.record_hash or c.booking.record_hash,
            api_id=booking.api_id or c.booking.api_id,
        )
        if updated == c.booking:
            return False
        c.booking = updated
        return True
    ahead = c.booking is not None and datetime.fromisoformat(c.booking.datetime_iso) > now
    if not created or ahead or datetime.fromisoformat(booking.datetime_iso) <= now:
        return False  # a visit entered after the fact is no booking to follow
    c.booking = booking
    return True


def note_followed(c: Conversation, event_id: str) -> None:
    c.followed = [*c.followed, event_id][-FOLLOWED_KEPT:]
