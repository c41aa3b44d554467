"""Reply texts around the booking: answers from salon facts, small talk, hand-offs (ru, en)."""

from __future__ import annotations

TALK: dict[str, tuple[str, str]] = {
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
        "Здравствуйте{name}! Это {salon}. Могу записать вас, подсказать цены, адрес и часы "
        "работы. На какую услугу записать?",
        "Hello{name}! This is {salon}. I can book you in and tell you prices, the address "
        "and opening hours. Which service would you like?",
    ),
    "hello_again": ("Здравствуйте{name}!", "Hello{name}!"),
    "nod": ("🙂", "🙂"),
    "small_talk": (
        "🙂 Если захотите записаться или что-то узнать — напишите.",
        "🙂 Write to me whenever you want to book or ask something.",
    ),
    "see_you": (
        "Пожалуйста! Ждём вас {date} в {time}, мастер {master}. Если что-то изменится — напишите.",
        "You are welcome! See you {date} at {time} with {master}. Write if anything changes.",
    ),
    "not_understood": (
        "Извините, не совсем понял. Я могу записать вас, перенести или отменить запись, "
        "подсказать цены, адрес и часы работы.",
        "Sorry, I did not quite get that. I can book, move or cancel a visit and tell you "
        "prices, the address and opening hours.",
    ),
    "not_understood_examples": (
        "Напишите, например: «стрижка завтра в 18:00», «сколько стоит маникюр?», "
        "«где вы находитесь?» или «перенести запись».",
        "Write, for example: “haircut tomorrow at 6 pm”, “how much is a manicure?”, "
        "“where are you?” or “move my booking”.",
    ),
    "internal_error": (
        "Извините, у меня что-то сломалось, и я не смог обработать сообщение. Пожалуйста, "
        "позвоните нам{phone} — администратор запишет вас.",
        "Sorry, something broke on my side and I could not handle your message. Please call "
        "us{phone} — an administrator will book you.",
    ),
    "late_ack_visit": (
        "Спасибо, что предупредили! Запись остаётся: {date} в {time}, мастер {master}. "
        "Если совсем не успеваете — напишите, перенесём.",
        "Thank you for letting us know! Your booking stays: {date} at {time} with {master}. "
        "If you cannot make it at all, write and we will move it.",
    ),
    "late_ack": (
        "Спасибо, что предупредили! Я не нашёл вашей записи у себя — передайте, пожалуйста, "
        "и администратору: {phone}.",
        "Thank you for letting us know! I could not find your booking here — please tell "
        "the front desk too: {phone}.",
    ),
    # --- hand-off: a person will answer -------------------------------------------------
    "handoff_ask_human": (
        "Хорошо, передаю переписку администратору — он ответит вам {when}. Если срочно, "
        "позвоните: {phone}.",
        "All right, I am passing this chat to an administrator — they will answer you {when}. "
        "If it is urgent, call: {phone}.",
    ),
    "handoff_complaint": (
        "Очень жаль, что так вышло. Я передал ваше сообщение администратору — он свяжется "
        "с вами {when}. Телефон салона: {phone}.",
        "We are sorry about that. I have passed your message to an administrator — they will "
        "contact you {when}. The salon's phone: {phone}.",
    ),
    "handoff_ladder": (
        "Кажется, я не могу помочь сам. Я передал переписку администратору — он ответит "
        "вам {when}. Если удобнее, позвоните: {phone}.",
        "It seems I cannot help on my own. I have passed this chat to an administrator — "
        "they will answer you {when}. If you prefer, call: {phone}.",
    ),
    "when_today": ("сегодня до {end}", "today before {end}"),
    "when_day": ("{date} с {start}", "{date} from {start}"),
    "when_hours": ("в часы работы салона ({hours})", "during the salon's hours ({hours})"),
    "when_unknown": ("как только сможет", "as soon as they can"),
    # --- answers from salon facts ---------------------------------------------------------
    "prices": ("{lead}Цены:\n{lines}", "{lead}Prices:\n{lines}"),
    "price_line": ("{service} — {price}", "{service} — {price}"),
    "duration_part": (", {duration}", ", {duration}"),
    "address": ("Наш адрес: {address}.{directions}", "Our address: {address}.{directions}"),
    "address_unknown": (
        "Адрес подскажет администратор: {phone}.",
        "The front desk will tell you the address: {phone}.",
    ),
    "salon_hours": ("Мы работаем: {hours}.{today}", "Our hours: {hours}.{today}"),
    "salon_hours_today": ("{today}", "{today}"),
    "today_until": ("Сегодня запись возможна до {end}.", "Today you can book until {end}."),
    "salon_on": (
        "Да, {date} работаем: {masters}; запись возможна с {start} до {end}.",
        "Yes, we are open {date}: {masters}; you can book from {start} until {end}.",
    ),
    "salon_on_full": (
        "{date} работают {masters}, но свободного времени уже нет.",
        "{date} {masters} are working, but there is no free time left.",
    ),
    "salon_closed_on": ("Нет, {date} мы не работаем.", "No, we are closed {date}."),
    "salon_off_answer": (
        "{date} никто из мастеров не работает.",
        "{date} none of our masters is working.",
    ),
    "master_free_on": (
        "{master} {date} работает, свободное время: {ranges}.",
        "{master} works {date}; free time: {ranges}.",
    ),
    "master_busy_on": (
        "{master} {date} работает, но свободного времени уже нет.",
        "{master} works {date}, but is fully booked.",
    ),
    "master_off_answer": (
        "{master} {date} не работает.{next}",
        "{master} does not work {date}.{next}",
    ),
    "next_working_day": (" Ближайший рабочий день: {date}.", " The next working day: {date}."),
    "master_days": (
        "{master} работает в ближайшие дни: {days}.",
        "{master} works on the coming days: {days}.",
    ),
    "master_not_this_week": (
        "{master} на этой неделе не работает. Уточнить можно у администратора: {phone}.",
        "{master} does not work this week. The front desk can tell you more: {phone}.",
    ),
    "who_works": ("{date} работают:\n{lines}", "Working {date}:\n{lines}"),
    "master_line_free": ("{master}: свободно {ranges}", "{master}: free {ranges}"),
    "master_line_busy": ("{master}: свободного времени нет", "{master}: no free time"),
    "free_time": ("{master} свободен:\n{lines}", "{master} is free:\n{lines}"),
    "free_time_salon": ("Свободное время:\n{lines}", "Free time:\n{lines}"),
    "free_time_day": ("{date} свободно:\n{lines}", "Free {date}:\n{lines}"),
    "free_day_line": ("{date}: {ranges}", "{date}: {ranges}"),
    "no_free_time": (
        "Свободного времени {master}в эти дни нет. Можно выбрать другой день или позвонить "
        "нам: {phone}.",
        "There is no free time {master}on those days. Choose another day or call us: {phone}.",
    ),
    "master_part": ("у мастера {master} ", "with {master} "),
    "faq_answer": ("{text}", "{text}"),
    "faq_unknown": (
        "Точно не подскажу — уточните, пожалуйста, у администратора: {phone}.",
        "I cannot say for sure — please ask the front desk: {phone}.",
    ),
    "faq_unknown_topic": (
        "Про {topic} точно не подскажу — уточните, пожалуйста, у администратора: {phone}.",
        "I cannot say for sure about {topic} — please ask the front desk: {phone}.",
    ),
    "topic_payment": ("оплату", "payment"),
    "topic_parking": ("парковку", "parking"),
    "topic_certificates": ("сертификаты", "gift certificates"),
    "topic_discounts": ("скидки", "discounts"),
    "topic_children": ("визит с ребёнком", "coming with a child"),
    "topic_pets": ("визит с животными", "coming with a pet"),
    "topic_wifi": ("вайфай", "Wi-Fi"),
    "topic_drinks": ("напитки", "drinks"),
    # Tappable choices on the Cloud API (states/menus.py): the list's button (at most 20
    # characters), and the reply buttons of a yes-or-no question.
    "menu_button": ("Выбрать", "Choose"),
    "menu_yes": ("Да", "Yes"),
    "menu_no": ("Нет", "No"),
}
