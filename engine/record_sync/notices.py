"""What the client is told when the salon moved, cancelled (or booked) their visit."""

from __future__ import annotations

from datetime import datetime

from engine.record_sync.effects import RecordEffect
from engine.reminders.text import SalonInfo, visit_words


def visit_notice(effect: RecordEffect, salon: SalonInfo, now: datetime) -> str | None:
    """The message for `effect.notify`, in the visit's language; None when nothing is told."""
    visit = effect.visit if effect.notify != "cancelled" else (effect.previous or effect.visit)
    if effect.notify is None or visit is None:
        return None
    lang = visit.language
    w = visit_words(visit, salon, now, lang)
    name = f", {visit.client_name}" if visit.client_name else ""
    if lang == "en":
        where = f" at {salon.title}" if salon.title else ""
        texts = {
            "moved": f"Hello{name}! The salon has moved your visit{where}: it is now "
            f"{w.date} at {w.time} — {w.services}, master: {w.master}. If this time does not "
            "suit you, write to me and I will find another.",
            "cancelled": f"Hello{name}! Your visit{where} on {w.date} at {w.time} "
            f"({w.services}) has been cancelled by the salon. Write to me if you would like "
            "to book again.",
            "created": f"Hello{name}! You are booked{where}: {w.date} at {w.time} — "
            f"{w.services}, master: {w.master}.",
        }
    else:
        where = f" в «{salon.title}»" if salon.title else ""
        texts = {
            "moved": f"Здравствуйте{name}! Салон перенёс вашу запись{where}: теперь "
            f"{w.date} в {w.time} — {w.services}, мастер: {w.master}. Если время не "
            "подходит, напишите — подберу другое.",
            "cancelled": f"Здравствуйте{name}! Ваша запись{where} на {w.date} в {w.time} "
            f"({w.services}) отменена салоном. Если хотите записаться снова — напишите, "
            "подберу время.",
            "created": f"Здравствуйте{name}! Вы записаны{where}: {w.date} в {w.time} — "
            f"{w.services}, мастер: {w.master}.",
        }
    text = texts[effect.notify]
    if salon.address and effect.notify != "cancelled":
        text += f" {'Address' if lang == 'en' else 'Адрес'}: {salon.address}."
    return text
