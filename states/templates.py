"""Every reply the bot sends, in Russian and English. Replies come from here, never from an LLM."""

from __future__ import annotations

_TEMPLATES: dict[str, tuple[str, str]] = {
    "non_text": (
        "Извините, я понимаю только текстовые сообщения. Напишите, пожалуйста, текстом 🙂",
        "Sorry, I can only read text messages. Please write to me in text 🙂",
    ),
    "flood_notice": (
        "Вы прислали очень много сообщений подряд, и я не могу ответить на каждое. "
        "Через минуту напишите, пожалуйста, одним сообщением, что вам нужно, — я отвечу.",
        "You have sent a great many messages in a row, and I cannot answer each one. "
        "In a minute, please write what you need in one message, and I will answer.",
    ),
    "greeting": (
        "Здравствуйте{name}! Это {salon}. Могу записать вас, подсказать цены и часы работы. "
        "На какую услугу записать?",
        "Hello{name}! This is {salon}. I can book you in and tell you prices and opening "
        "hours. Which service would you like?",
    ),
    "ask_service": (
        "На какую услугу вас записать? Например: {examples}.",
        "Which service would you like? For example: {examples}.",
    ),
    "unknown_service": (
        "Не нашёл у нас услугу «{phrase}». Есть, например: {examples}. Что из этого подойдёт?",
        "I could not find “{phrase}” among our services. We have, for example: {examples}. "
        "Which one suits you?",
    ),
    "service_not_online": (
        "«{service}» сейчас нельзя записать онлайн — позвоните нам: {phone}. Могу записать "
        "на другую услугу, например: {examples}.",
        "“{service}” cannot be booked online right now — please call us: {phone}. I can book "
        "another service, for example: {examples}.",
    ),
    "no_master_for_all": (
        "Эти услуги ({services}) у нас делают разные мастера, за один визит не получится. "
        "Выберите, пожалуйста, одну услугу — например: {examples}.",
        "These services ({services}) are done by different masters, not in one visit. "
        "Please choose one service — for example: {examples}.",
    ),
    "ask_master": (
        "К какому мастеру записать? {masters} — или к любому свободному?",
        "Which master would you like? {masters} — or anyone available?",
    ),
    "master_no_service": (
        "{master} не делает «{service}». Эту услугу делают: {masters}. К кому записать?",
        "{master} does not do “{service}”. It is done by: {masters}. Who would you like?",
    ),
    "unknown_master": (
        "Мастера по имени {name} у нас нет. Услугу «{service}» делают: {masters}. К кому записать?",
        "We have no master called {name}. “{service}” is done by: {masters}. Who would you like?",
    ),
    "unknown_master_any": (
        "Мастера по имени {name} у нас нет. У нас работают: {masters}. К кому записать?",
        "We have no master called {name}. Our masters are: {masters}. Who would you like?",
    ),
    "no_history": (
        "Не нашёл ваших прошлых визитов, поэтому не знаю, кто был вашим мастером. "
        "К кому записать? {masters}",
        "I could not find your previous visits, so I do not know who your master was. "
        "Who would you like? {masters}",
    ),
    "ask_date": ("На какой день записать?", "Which day would you like?"),
    "past_date": (
        "{date} уже прошло. На какой день записать?",
        "{date} is in the past. Which day would you like?",
    ),
    "past_time": (
        "Сегодня {time} уже прошло. Выберите, пожалуйста, другое время.",
        "{time} today has already passed. Please choose another time.",
    ),
    "pick_time": (
        "{date} у мастера {master} свободно:\n{options}\n"
        "Какое время удобно? Можно ответить номером.",
        "{date} {master} is free at:\n{options}\nWhich time suits you? You can reply with "
        "a number.",
    ),
    "slot_taken": (
        "{date} в {time} у мастера {master} занято. Могу предложить:\n{options}\n"
        "Выберите номер или напишите другое время.",
        "{date} at {time} {master} is busy. I can offer:\n{options}\n"
        "Reply with a number or suggest another time.",
    ),
    "closed_day": (
        "{date} мастер {master} не работает. Могу предложить:\n{options}\n"
        "Выберите номер или напишите другой день.",
        "{master} does not work on {date}. I can offer:\n{options}\n"
        "Reply with a number or suggest another day.",
    ),
    "no_slots": (
        "К сожалению, у мастера {master} нет свободного времени {date}, и ближайших окон "
        "я не нашёл. Попробуйте другой день или позвоните нам: {phone}.",
        "Sorry, {master} has no free time {date} and I found no slots nearby. "
        "Try another day or call us: {phone}.",
    ),
    "option_line": ("{date} в {time}, {master}", "{date} at {time}, {master}"),
    "confirm": (
        "Проверьте, пожалуйста:\n{service}\nМастер: {master}\n{date} в {time}\n"
        "Стоимость: {price}\nЗаписываю? (да/нет)",
        "Please check:\n{service}\nMaster: {master}\n{date} at {time}\nPrice: {price}\n"
        "Shall I book it? (yes/no)",
    ),
    "ask_name": (
        "Как к вам обращаться? Напишите, пожалуйста, имя для записи.",
        "What name should I book under?",
    ),
    "ask_phone": (
        "Напишите, пожалуйста, ваш номер телефона для записи — WhatsApp мне его не показал.",
        "Please send me your phone number for the booking — WhatsApp did not show it to me.",
    ),
    "booked": (
        "Готово, вы записаны! {service}, {date} в {time}, мастер {master}.\n"
        "Адрес: {address}.\nЕсли планы изменятся, напишите — перенесу или отменю.",
        "Done, you are booked! {service}, {date} at {time} with {master}.\n"
        "Address: {address}.\nIf your plans change, write to me and I will move or cancel it.",
    ),
    "schedule_down": (
        "Не удалось связаться с расписанием салона, запись пока не создана. "
        "Попробуйте ещё раз чуть позже или позвоните нам: {phone}.",
        "I could not reach the salon's schedule, so nothing is booked yet. "
        "Please try again a little later or call us: {phone}.",
    ),
    "schedule_unreachable": (
        "Не удалось связаться с расписанием салона. Попробуйте, пожалуйста, ещё раз чуть позже.",
        "I could not reach the salon's schedule. Please try again a little later.",
    ),
    "outcome_unknown": (
        "Расписание салона не ответило вовремя, и я не могу подтвердить, что запись создана. "
        "Администратор проверит и напишет вам; можно также позвонить: {phone}.",
        "The salon's schedule did not answer in time and I cannot confirm the booking. "
        "An administrator will check and write to you; you can also call: {phone}.",
    ),
    "rejected": (
        "Салон не принял запись: {reason}. {question}",
        "The salon did not accept the booking: {reason}. {question}",
    ),
    "reason_phone": ("номер телефона в неверном формате", "the phone number format is wrong"),
    "reason_name": ("не указано имя", "the name is missing"),
    "reason_service": (
        "эту услугу сейчас нельзя записать онлайн",
        "this service cannot be booked online right now",
    ),
    "reason_blacklisted": (
        "запись с этого номера недоступна, пожалуйста, позвоните нам: {phone}",
        "booking from this number is unavailable, please call us: {phone}",
    ),
    "reason_other": ("{detail}", "{detail}"),
    "what_to_change": (
        "Хорошо. Что изменить: услугу, мастера, день или время?",
        "All right. What should I change: the service, the master, the day or the time?",
    ),
    "cancel_confirm": (
        "Отменить вашу запись: {service}, {date} в {time}, мастер {master}? (да/нет)",
        "Cancel your booking: {service}, {date} at {time} with {master}? (yes/no)",
    ),
    "cancel_failed": (
        "Не удалось отменить запись: расписание салона не ответило. Запись пока в силе — "
        "попробуйте ещё раз чуть позже или позвоните нам: {phone}.",
        "I could not cancel: the salon's schedule did not answer. The booking still stands — "
        "try again a little later or call us: {phone}.",
    ),
    "changes_by_phone": (
        "Отменить или перенести запись я сейчас не могу — позвоните, пожалуйста, нам: {phone}.",
        "I cannot cancel or move bookings right now — please call us: {phone}.",
    ),
    "cancelled": (
        "Запись отменена. Будем рады видеть вас в другой раз!",
        "Your booking is cancelled. We hope to see you another time!",
    ),
    "cancel_kept": ("Хорошо, запись остаётся в силе.", "All right, your booking stays."),
    "nothing_booked": (
        "Я не нашёл у вас предстоящих записей. Хотите записаться?",
        "I could not find an upcoming booking for you. Would you like to book?",
    ),
    "reschedule_ask": (
        "На какой день и время перенести запись ({date} в {time})?",
        "To which day and time should I move your booking ({date} at {time})?",
    ),
    "reschedule_confirm": (
        "Перенести запись на {date} в {time}, мастер {master}? (да/нет)",
        "Move the booking to {date} at {time} with {master}? (yes/no)",
    ),
    "rescheduled": (
        "Готово, запись перенесена: {date} в {time}, мастер {master}.",
        "Done, your booking is moved to {date} at {time} with {master}.",
    ),
    "prices": ("Цены:\n{lines}", "Prices:\n{lines}"),
    "hours": (
        "Часы работы у мастеров разные. Напишите, на какой день и к кому хотите, — я проверю "
        "свободное время. Адрес: {address}, телефон: {phone}.",
        "Each master has their own hours. Tell me the day and the master and I will check "
        "the free time. Address: {address}, phone: {phone}.",
    ),
    "price_line": ("{service} — {price}", "{service} — {price}"),
    "not_understood": (
        "Извините, не совсем понял. Я могу записать вас, перенести или отменить запись, "
        "подсказать цены и часы работы.",
        "Sorry, I did not quite get that. I can book, move or cancel a visit and tell you "
        "prices and opening hours.",
    ),
    "internal_error": (
        "Извините, у меня что-то сломалось, и я не смог обработать сообщение. Пожалуйста, "
        "позвоните нам{phone} — администратор запишет вас.",
        "Sorry, something broke on my side and I could not handle your message. Please call "
        "us{phone} — an administrator will book you.",
    ),
    "see_you": (
        "Пожалуйста! Ждём вас {date} в {time}, мастер {master}. Если что-то изменится — напишите.",
        "You are welcome! See you {date} at {time} with {master}. Write if anything changes.",
    ),
    "call_us": (
        "Если удобнее, позвоните нам: {phone} — администратор поможет.",
        "If you prefer, call us: {phone} — an administrator will help.",
    ),
}


def say(key: str, lang: str, **values: object) -> str:
    """The reply `key` in the client's language, filled in."""
    ru, en = _TEMPLATES[key]
    return (en if lang == "en" else ru).format(**values)


def template_keys() -> frozenset[str]:
    return frozenset(_TEMPLATES)
