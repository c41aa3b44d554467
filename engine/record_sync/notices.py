"""What the client is told when the salon moved, cancelled (or booked) their visit."""

from __future__ import annotations

from datetime import datetime

from engine.record_sync.effects import RecordEffect
from engine.reminders.text import SalonInfo, visit_message


def visit_notice(effect: RecordEffect, salon: SalonInfo, now: datetime) -> str | None:
    """The message for `effect.notify`, in the visit's language; None when nothing is told."""
    visit = effect.visit if effect.notify != "cancelled" else (effect.previous or effect.visit)
    if effect.notify is None or visit is None:
        return None
    return visit_message(effect.notify, visit, salon, now, visit.language)
