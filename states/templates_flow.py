"""Reply texts of the booking itself: questions, reasons, summaries, outcomes (ru, en)."""

from __future__ import annotations

FLOW: dict[str, tuple[str, str]] = {
    # --- questions, level 0 (as first asked) ---------------------------------------------
    "ask_service": (
        "На какую услугу вас записать? Например: {examples}.",
        "Which service would you like? For example: {examples}.",
    ),
    "offer_services": (
        "Есть, например: {examples}. Что из этого подойдёт?",
        "We have, for example: {examples}. Which one suits you?",
    ),
    "one_service": (
        "Выберите, пожалуйста, одну услугу — например: {examples}.",
        "Please choose one service — for example: {examples}.",
    ),
    "ask_master": (
        "К какому мастеру записать? {masters} — или к любому свободному?",
        "Which master would you like? {masters} — or anyone available?",
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
    "ask_other_time": (
        "Хорошо, подберём другое. На какой день и время вам удобно?",
        "All right, let us find another. Which day and time suit you?",
    ),
    "what_to_change": (
        "Что изменить: услугу, мастера, день или время?",
        "What should I change: the service, the master, the day or the time?",
    ),
    "not_booking": ("Хорошо, пока не записываю.", "All right, I am not booking it yet."),
    "pick_option": (
        "{heading}\n{options}\nВыберите номер или напишите другое время.",
        "{heading}\n{options}\nReply with a number or suggest another time.",
    ),
    "heading_day_master": ("{date} у мастера {master} свободно:", "{date} {master} is free at:"),
    "heading_day": ("{date} свободно:", "Free {date}:"),
    "heading_any": ("Могу предложить:", "I can offer:"),
    "option_line": ("{date} в {time}, {master}", "{date} at {time}, {master}"),
    "confirm": (
        "Проверьте, пожалуйста:\n{service}\nМастер: {master}\n{date} в {time}\n"
        "Стоимость: {price}\nЗаписываю? (да/нет)",
        "Please check:\n{service}\nMaster: {master}\n{date} at {time}\nPrice: {price}\n"
        "Shall I book it? (yes/no)",
    ),
    "reschedule_confirm": (
        "Перенести запись на {date} в {time}, мастер {master}? (да/нет)",
        "Move the booking to {date} at {time} with {master}? (yes/no)",
    ),
    "cancel_confirm": (
        "Отменить вашу запись: {service}, {date} в {time}, мастер {master}? (да/нет)",
        "Cancel your booking: {service}, {date} at {time} with {master}? (yes/no)",
    ),
    "reschedule_ask": (
        "На какой день и время перенести запись ({date} в {time})?",
        "To which day and time should I move your booking ({date} at {time})?",
    ),
    "ask_name": (
        "Как к вам обращаться? Напишите, пожалуйста, имя для записи.",
        "What name should I book under?",
    ),
    "ask_phone": (
        "Напишите, пожалуйста, ваш номер телефона для записи — WhatsApp мне его не показал.",
        "Please send me your phone number for the booking — WhatsApp did not show it to me.",
    ),
    # --- questions, level 1 (concrete choices, other words) --------------------------------
    "choose_service": (
        "Выберите услугу — можно ответить номером:\n{choices}",
        "Choose a service — you can reply with a number:\n{choices}",
    ),
    "choose_master": (
        "К кому вас записать? Ответьте номером:\n{choices}",
        "Who should I book you with? Reply with a number:\n{choices}",
    ),
    "any_master": ("любой свободный мастер", "any available master"),
    "choose_date": (
        "На какой день записать? Ближайшие дни со свободным временем:\n{choices}\n"
        "Ответьте номером или напишите другую дату.",
        "Which day would you like? The nearest days with free time:\n{choices}\n"
        "Reply with a number or write another date.",
    ),
    "choose_new_date": (
        "На какой день перенести запись? Ближайшие дни со свободным временем:\n{choices}\n"
        "Ответьте номером или напишите другую дату.",
        "To which day should I move the booking? The nearest days with free time:\n"
        "{choices}\nReply with a number or write another date.",
    ),
    "choose_change": (
        "Что поменять? Ответьте номером:\n{choices}",
        "What should I change? Reply with a number:\n{choices}",
    ),
    "part_service": ("услугу", "the service"),
    "part_master": ("мастера", "the master"),
    "part_date": ("день", "the day"),
    "part_time": ("время", "the time"),
    "pick_option_again": (
        "Какой вариант вам подходит? Ответьте номером:\n{options}\n"
        "Или напишите другой день или время.",
        "Which option suits you? Reply with a number:\n{options}\nOr write another day or time.",
    ),
    "confirm_short": (
        "Записать вас: {service}, {date} в {time}, мастер {master}? "
        "Ответьте «да» — запишу, «нет» — изменим.",
        "Shall I book {service}, {date} at {time} with {master}? "
        "Reply “yes” to book or “no” to change it.",
    ),
    "reschedule_confirm_short": (
        "Переносим вашу запись на {date} в {time} к мастеру {master}? Ответьте «да» или «нет».",
        "Shall I move your booking to {date} at {time} with {master}? Reply “yes” or “no”.",
    ),
    "cancel_confirm_short": (
        "Отменяем запись {date} в {time}? Ответьте «да» — отменю, «нет» — оставлю как есть.",
        "Shall I cancel the booking {date} at {time}? Reply “yes” to cancel or “no” to keep it.",
    ),
    # --- the pending question again, after answering something else ---------------------
    "ask_service_reask": ("Так на какую услугу вас записать?", "So which service would you like?"),
    "ask_master_again": (
        "Так к кому вас записать: {masters} — или к любому свободному?",
        "So who would you like: {masters} — or anyone available?",
    ),
    "ask_date_reask": ("Так на какой день вас записать?", "So which day would you like?"),
    "ask_change_reask": (
        "Так что изменить: услугу, мастера, день или время?",
        "So what should I change: the service, the master, the day or the time?",
    ),
    "ask_name_reask": ("Так как к вам обращаться?", "So what name should I book under?"),
    "ask_phone_reask": (
        "Так какой у вас номер телефона для записи?",
        "So what is your phone number for the booking?",
    ),
    "pick_option_reask": (
        "Так какое время вам подходит?\n{options}\nОтветьте номером.",
        "So which time suits you?\n{options}\nReply with a number.",
    ),
    "nearest_option": (
        "Ближайшее свободное время — {date} в {time}, мастер {master}. Записать? "
        "Или напишите другой день.",
        "The nearest free time is {date} at {time} with {master}. Shall I book it? "
        "Or write another day.",
    ),
    "confirm_again": (
        "Так записываю вас: {service}, {date} в {time}, мастер {master}? (да/нет)",
        "So shall I book {service}, {date} at {time} with {master}? (yes/no)",
    ),
    "reschedule_confirm_again": (
        "Так переносим запись на {date} в {time}, мастер {master}? (да/нет)",
        "So shall I move the booking to {date} at {time} with {master}? (yes/no)",
    ),
    "cancel_confirm_again": (
        "Так отменить вашу запись {date} в {time}? (да/нет)",
        "So shall I cancel your booking {date} at {time}? (yes/no)",
    ),
    "reschedule_ask_again": (
        "Так на какой день и время перенести запись?",
        "So to which day and time should I move the booking?",
    ),
    "ask_name_again": (
        "Напишите, пожалуйста, только имя для записи — например: Анна.",
        "Please write just the name for the booking — for example: Anna.",
    ),
    "ask_phone_again": (
        "Пришлите, пожалуйста, номер телефона цифрами, например: +7 916 123-45-67.",
        "Please send the phone number in digits, for example: +7 916 123-45-67.",
    ),
    # --- reasons, said before a question --------------------------------------------------
    "no_such_service": (
        "Не нашёл у нас услугу «{phrase}».",
        "I could not find “{phrase}” among our services.",
    ),
    "service_not_online": (
        "«{service}» сейчас нельзя записать онлайн — позвоните нам: {phone}.",
        "“{service}” cannot be booked online right now — please call us: {phone}.",
    ),
    "no_master_for_all": (
        "Эти услуги ({services}) у нас делают разные мастера, за один визит не получится.",
        "These services ({services}) are done by different masters, not in one visit.",
    ),
    "master_no_service": ("{master} не делает «{service}».", "{master} does not do “{service}”."),
    "past_date": ("{date} уже прошло.", "{date} is in the past."),
    "past_time": ("Сегодня {time} уже прошло.", "{time} today has already passed."),
    "master_off": ("{date} мастер {master} не работает.", "{master} does not work on {date}."),
    "master_full": (
        "{date} у мастера {master} всё занято.",
        "{master} is fully booked {date}.",
    ),
    "day_full": ("{date} всё занято.", "Everything is booked {date}."),
    "salon_off": ("{date} салон не работает.", "The salon is closed {date}."),
    "taken_master": (
        "{date} в {time} у мастера {master} занято.",
        "{date} at {time} {master} is busy.",
    ),
    "taken_any": ("{date} в {time} все мастера заняты.", "{date} at {time} every master is busy."),
    "closes_master": (
        "{date} мастер {master} принимает до {end} — в это время уже не успеть.",
        "{date} {master} works until {end} — that time is too late.",
    ),
    "closes_any": (
        "{date} мастера принимают до {end} — в это время уже не успеть.",
        "{date} our masters work until {end} — that time is too late.",
    ),
    "opens_master": (
        "{date} мастер {master} принимает с {start}.",
        "{date} {master} starts at {start}.",
    ),
    "opens_any": ("{date} мастера принимают с {start}.", "{date} our masters start at {start}."),
    "none_earlier": (
        "{date} раньше {time} свободного времени нет.",
        "There is no free time before {time} {date}.",
    ),
    "none_later": (
        "{date} позже {time} свободного времени нет.",
        "There is no free time after {time} {date}.",
    ),
    "no_other_master": (
        "{date} около {time} другие мастера не свободны.",
        "No other master is free around {time} {date}.",
    ),
    "no_slots_nearby": (
        "Ближайших свободных окон я не нашёл. На какой день записать? Можно также позвонить "
        "нам: {phone}.",
        "I found no free slots nearby. Which day would you like? You can also call us: {phone}.",
    ),
    "invalid_time": (
        "Времени «{phrase}» не бывает — напишите, пожалуйста, время вроде 18:00.",
        "“{phrase}” is not a time — please write a time such as 18:00.",
    ),
    "invalid_date": (
        "Даты «{phrase}» нет в календаре — напишите, пожалуйста, другую.",
        "“{phrase}” is not a date in the calendar — please write another one.",
    ),
    "same_master_on_move": (
        "При переносе мастер остаётся тот же — {master}. Чтобы записаться к другому "
        "мастеру, можно отменить эту запись и записаться заново.",
        "A move keeps the same master — {master}. To see another master, cancel this "
        "booking and book again.",
    ),
    # --- outcomes -------------------------------------------------------------------------
    "booked": (
        "Готово, вы записаны! {service}, {date} в {time}, мастер {master}.\n"
        "Адрес: {address}.\nЕсли планы изменятся, напишите — перенесу или отменю.",
        "Done, you are booked! {service}, {date} at {time} with {master}.\n"
        "Address: {address}.\nIf your plans change, write to me and I will move or cancel it.",
    ),
    "rescheduled": (
        "Готово, запись перенесена: {date} в {time}, мастер {master}.",
        "Done, your booking is moved to {date} at {time} with {master}.",
    ),
    "cancelled": (
        "Запись отменена. Будем рады видеть вас в другой раз!",
        "Your booking is cancelled. We hope to see you another time!",
    ),
    "cancel_kept": ("Хорошо, запись остаётся в силе.", "All right, your booking stays."),
    "visit_kept": (
        "Хорошо, запись остаётся в силе: {date} в {time}, мастер {master}.",
        "All right, your booking stays: {date} at {time} with {master}.",
    ),
    "aborted": (
        "Хорошо, не записываю — запись не создана. Если передумаете, напишите 🙂",
        "All right, I have not booked anything. Write to me if you change your mind 🙂",
    ),
    "nothing_booked": (
        "Я не нашёл у вас предстоящих записей. Хотите записаться?",
        "I could not find an upcoming booking for you. Would you like to book?",
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
        "Салон не принял запись: {reason}.",
        "The salon did not accept the booking: {reason}.",
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
}
