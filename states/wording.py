"""Dates, times, prices and lists as a salon administrator writes them, in Russian or English."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

_MONTHS_RU = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
_WEEKDAYS_RU = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def day_and_month(d: date) -> str:
    """'24 июля': a day of the month as a client writes it."""
    return f"{d.day} {_MONTHS_RU[d.month - 1]}"


def human_date(day: str, today: date, lang: str) -> str:
    """'завтра, 26 ноября (чт)' / 'tomorrow, 26 November (Thu)'."""
    d = date.fromisoformat(day)
    delta = (d - today).days
    if lang == "en":
        base = f"{d.day} {_MONTHS_EN[d.month - 1]} ({_WEEKDAYS_EN[d.weekday()]})"
        near = {0: "today", 1: "tomorrow", 2: "the day after tomorrow"}.get(delta)
    else:
        base = f"{day_and_month(d)} ({_WEEKDAYS_RU[d.weekday()]})"
        near = {0: "сегодня", 1: "завтра", 2: "послезавтра"}.get(delta)
    return f"{near}, {base}" if near else base


def short_date(day: str, lang: str) -> str:
    """'чт 24.07' / 'Thu 24.07': a day in a few characters (a tappable row's title)."""
    d = date.fromisoformat(day)
    weekday = (_WEEKDAYS_EN if lang == "en" else _WEEKDAYS_RU)[d.weekday()]
    return f"{weekday} {d:%d.%m}"


def human_price(price_min: float, price_max: float, lang: str) -> str:
    currency = "RUB" if lang == "en" else "₽"
    low, high = round(price_min), round(price_max)
    if high > low:
        return f"{low}–{high} {currency}" if lang == "en" else f"от {low} до {high} {currency}"
    return f"{low} {currency}"


def human_duration(seconds: int, lang: str) -> str:
    """'1 ч 30 мин' / '1 h 30 min'."""
    hours, mins = divmod(round(seconds / 60), 60)
    h, m = ("h", "min") if lang == "en" else ("ч", "мин")
    parts = ([f"{hours} {h}"] if hours else []) + ([f"{mins} {m}"] if mins else [])
    return " ".join(parts) or f"0 {m}"


def human_list(items: Sequence[str], lang: str) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return items[0] if items else ""
    joiner = " and " if lang == "en" else " и "
    return ", ".join(items[:-1]) + joiner + items[-1]


def numbered(lines: Sequence[str]) -> str:
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


def capitalised(text: str) -> str:
    """A reply starts with a capital letter, even when it starts with "завтра, 24 июля"."""
    return text[:1].upper() + text[1:]
