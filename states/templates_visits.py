"""Reply texts about a visit already booked: a reminder's question and its answers (ru, en).

The reminder itself is worded in `engine/reminders/text.py` (it goes out of a turn); these
are what the dialogue says when the client answers it (issue 16).
"""

from __future__ import annotations

VISITS: dict[str, tuple[str, str]] = {
    "reminder_ask": (
        "Подтверждаете визит {date} в {time}, мастер {master}? Ответьте «да» — или "
        "«не смогу», если планы изменились.",
        "Will you come {date} at {time} with {master}? Reply “yes” — or “can't make it” "
        "if your plans changed.",
    ),
    "reminder_ask_again": (
        "Так вы придёте {date} в {time}? (да / не смогу)",
        "So will you come {date} at {time}? (yes / can't make it)",
    ),
    "reminder_ask_short": (
        "Ответьте, пожалуйста, одним словом: «да» — придёте {date} в {time}, «не смогу» — "
        "перенесу или отменю запись.",
        "Please answer in one word: “yes” — you will come {date} at {time}; “no” — I will "
        "move or cancel the booking.",
    ),
    "visit_confirmed": (
        "Спасибо, визит подтверждён! Ждём вас {date} в {time}, мастер {master}.",
        "Thank you, your visit is confirmed! See you {date} at {time} with {master}.",
    ),
    "reminder_declined": (
        "Жаль, что не получается. Запись можно перенести — или отменить: тогда напишите "
        "«отменить».",
        "Sorry you can't make it. I can move the booking — or cancel it: then write “cancel”.",
    ),
    "visit_gone": (
        "Не нашёл эту запись в расписании салона — похоже, её уже отменили. Если хотите "
        "записаться снова, напишите, на какую услугу и когда.",
        "I could not find this booking in the salon's schedule — it seems to be cancelled "
        "already. If you would like to book again, tell me the service and the time.",
    ),
}
