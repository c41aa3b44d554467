"""Intent words, questions and option picks, Russian and English, over normalised text.

The intent is the first rule of `RULES` whose pattern matches (`decide_intent`): changes
to a booked visit and hand-offs beat everything, an option pick beats bare yes/no, a
question beats slot values unless the client also asks to book, and slot values beat
yes/no ("нет, давайте на 19" is a change, not a refusal). Every question in the text is
also listed (`read_questions`), so "сколько стоит и где вы?" gets both answers.
"""

from __future__ import annotations

import datetime as dt

from adapters.fillers.text import word_pattern
from adapters.fillers.word_pattern import WordPattern
from states.slot_fill import FaqTopic, Intent, OfferedOption

RESCHEDULE = word_pattern(
    r"\bперенес\w*|\bперенест\w*|\bперезапиш\w*|\bперезапис\w*|\bсдвин\w*|\bперенос\w*"
    r"|\breschedul\w*|\bmove\s+(?:my|the|it)\b|\bpostpone\w*"
)
CANCEL = word_pattern(
    r"\bотмен(?:ите|ить|яйте|яю|и|им|ю)\b|\bотменя\w*|\bотказ\w*|\bне\s+(?:смогу\s+)?при(?:ду|йду|дем)\b"
    r"|\bудалит\w*\s+запис\w*|\bcancel\w*|\bcan'?t\s+(?:make|come)\b|\bwon'?t\s+(?:make|come)\b"
    r"|\bне\s+смогу\b|\bотмен\w*\s+(?:мо\w+\s+|вашу\s+|эту\s+)?запис\w*"
)
# Dropping the visit being arranged, not a booked one ("передумал", bare "отмена").
ABORT = word_pattern(
    r"\bпередумал\w*|\bраздумал\w*|\bне\s+(?:надо|нужно)\b|^\W*отмена\W*$|\bотбой\b"
    r"|\bзабудьте\b|\bне\s+(?:буду|хочу)\s+(?:записыва\w*|записат\w*)"
    r"|\bnever\s*mind\b|\bforget\s+it\b|\bchanged\s+my\s+mind\b|\bdon'?t\s+book\b"
)
LATE = word_pattern(
    r"\bопазд\w*|\bопозда\w*|\bопоздан\w*|\bзадерж(?:у|усь|иваюсь)\w*"
    r"|\bбуду\s+(?:через|минут\w*\s+через)\s+\d+\s*мин\w*|\bбуду\s+позже\s+на\b"
    r"|\b(?:running|be|am|i'?m)\s+(?:\w+\s+){0,4}late\b(?!\s+(?:in|evening|afternoon|night|slot|time))"
)
COMPLAINT = word_pattern(
    r"\bжалоб\w*|\bпожаловат\w*|\bнедовол\w*|\bужасн\w*|\bотвратительн\w*|\bхамств\w*"
    r"|\bнахамил\w*|\bхамит\w*|\bиспортил\w*|\bплохо\s+(?:подстриг|сделал|покрас|обслуж)\w*"
    r"|\bне\s+понравил\w*|\bверните\s+деньги|\bвозврат\w*\s+(?:денег|средств)"
    r"|\bcomplain\w*|\bterrible\b|\bawful\b|\brude\b|\bruined\b|\brefund\b|\bdisappointed\b"
)
ASK_HUMAN = word_pattern(
    r"\bадминистратор\w*|\bадмин\w*|\bменеджер\w*|\bоператор\w*|\bжив\w+\s+человек\w*"
    r"|\bруковод\w*|\bуправляющ\w*|\bдиректор\w*|\bначальств\w*|\bхозяин\w*|\bвладел\w*"
    r"|\bс\s+человеком\b|\bпозовите\b|\bсоедините\b|\bперезвоните\b|\bпозвоните\s+мне\b"
    r"|\bhuman\b|\breal\s+person\b|\bmanager\b|\boperator\b|\bcall\s+me\b"
    r"|\bspeak\s+to\s+(?:someone|a\s+person|a\s+human)\b"
)
SAME_TIME = word_pattern(
    r"\b(?:в|на)\s+(?:то\s+же|это\s+же|тоже)\s+(?:самое\s+)?время\b|\bто\s+же\s+время\b"
    r"|\bsame\s+time\b"
)
# "раньше" / "позже" alone also tell stories ("я раньше ходил к Бари", "напишу позже").
EARLIER = word_pattern(
    r"\bпораньше\b|\b(?:можно|есть|нет|а)\s+(?:ли\s+)?(?:\w+\s+)?раньше\b|\bearlier\b"
    r"|\bsooner\b"
)
LATER = word_pattern(
    r"\bпопозже\b|\b(?:можно|есть|нет|а)\s+(?:ли\s+)?(?:\w+\s+)?позже\b"
    r"|\blater\s+(?:time|slot|one)\b|\bsomething\s+later\b|\blater\s*\?"
)
OTHER_MASTER = word_pattern(
    r"\bк\s+друг\w+\s+мастер\w*|\bдруг\w+\s+мастер\w*|\bк\s+кому[\s-]*(?:то|нибудь)\s+друг\w*"
    r"|\bкто[\s-]*(?:то|нибудь)\s+друг\w*|\banother\s+(?:master|barber|stylist)\b"
    r"|\bsomeone\s+else\b|\bdifferent\s+(?:master|barber|stylist)\b"
)
PRICE = word_pattern(
    r"\bсколько\s+(?:\w+\s+){0,2}(?:стоит|стоят|будет\s+стоить|по\s+деньгам)"
    r"|\bцен[аыу]\w*|\bпрайс\w*"
    r"|\bстоимост\w*|\bпо\s+чем\b|\bпочем\b|\bдорог\w*|\bдешев\w*|\bexpensive\b|\bcheap\w*"
    r"|\bhow\s+much\b|\bprices?\b|\bcost\w*"
    r"|\bсколько\s+(?:длится|идет|по\s+времени|времени\s+(?:занимает|идет))|\bhow\s+long\b"
)
ADDRESS = word_pattern(
    r"\bадрес\w*|\bгде\s+(?:вы|вас|у\s+вас|находит\w*|располож\w*|это|салон|барбершоп)\b"
    r"|\bкак\s+(?:вас\s+|к\s+вам\s+)?(?:найти|добраться|доехать|пройти)\b"
    r"|\bкуда\s+(?:идти|ехать|подъехать|приходить)\b|\bкакое\s+метро\b|\bближайшее\s+метро\b"
    r"|\bwhere\s+are\s+you\b|\baddress\b|\blocation\b|\bwhere\s+is\s+the\s+(?:salon|shop)\b"
    r"|\bhow\s+(?:do\s+i|to)\s+(?:get|find)\b"
)
WHO_WORKS = word_pattern(
    r"\bкто\s+(?:из\s+мастеров\s+)?(?:\w+\s+){0,2}(?:работает|работают|на\s+смене|принимает)\b"
    r"|\bкакие\s+(?:у\s+вас\s+)?мастера\b|\bкто\s+у\s+вас\s+(?:есть|работает)\b"
    r"|\bwho\s+(?:is|'s)\s+(?:working|in|on)\b|\bwhich\s+(?:masters|barbers|stylists)\b"
)
HOURS = word_pattern(
    r"\bдо\s+скольки\b|\bво\s+сколько\s+(?:вы\s+)?(?:открыва|закрыва|работа)\w*"
    r"|\bчасы\s+работы\b|\bрежим\s+работы\b|\bграфик\s+работы\b|\bграфик\b|\bрасписани\w+\s+работы\b"
    r"|\bкогда\s+(?:вы\s+)?(?:открыт|работает|работаете|открываетесь|закрываетесь)\w*"
    r"|\bработа(?:ет|ете|ют)\b|\bоткрыты\b|\bopening\s+hours\b|\bhours\b"
    r"|\bwhat\s+time\s+do\s+you\s+(?:open|close)\b|\bare\s+you\s+open\b"
    r"|\bwhen\s+do\s+you\s+(?:open|close)\b|\bdo\s+you\s+work\b|\bis\s+\w+\s+working\b"
)
FREE_SLOTS = word_pattern(
    r"\bсвободн\w*\s+(?:окн\w*|окош\w*|врем\w*|мест\w*|слот\w*|запис\w*)|\bокошк\w*|\bокн[оа]\b"
    r"|\bкогда\s+(?:\w+\s+)?(?:свобод\w*|можно\s+(?:записаться|прийти|подойти))"
    r"|\bесть\s+(?:ли\s+)?(?:у\s+\w+\s+)?(?:свободн\w*\s+)?(?:время|места?|окн\w*)"
    r"|\bfree\s+(?:slots?|times?|spots?)\b|\bavailab\w*|\bopenings\b|\bwhen\s+is\s+\w+\s+free\b"
    r"|\bany\s+(?:slots|times|openings)\b"
)
FAQ_TOPICS: tuple[tuple[FaqTopic, WordPattern], ...] = (
    (FaqTopic.PAYMENT, word_pattern(
        r"\bоплат\w*|\bоплачива\w*|\bкартой\b|\bкарт[аыу]\s+(?:принима|можно)\w*|\bналичн\w*"
        r"|\bпереводом\b|\bсбп\b|\bбезнал\w*|\bpay\w*|\bby\s+card\b|\bcash\b|\bcredit\s+card\b"
    )),
    (FaqTopic.PARKING, word_pattern(
        r"\bпарков\w*|\bприпарков\w*|\bгде\s+(?:поставить|оставить)\s+машин\w*|\bpark\w*"
    )),
    (FaqTopic.CERTIFICATES, word_pattern(
        r"\bсертификат\w*|\bgift\s+(?:card|certificate)s?\b|\bvouchers?\b"
    )),
    (FaqTopic.DISCOUNTS, word_pattern(r"\bскидк\w*|\bакци[ияй]\w*|\bdiscount\w*|\bpromo\w*")),
    (FaqTopic.CHILDREN, word_pattern(
        r"\bс\s+(?:ребенком|ребёнком|детьми|малышом)\b|\bwith\s+(?:my\s+)?(?:kid|child)\w*"
    )),
    (FaqTopic.PETS, word_pattern(
        r"\bс\s+(?:собак\w*|животн\w*|питомц\w*|кошк\w*)|\bpets?\b|\bwith\s+(?:my\s+)?dog\b"
    )),
    (FaqTopic.WIFI, word_pattern(r"\bwi-?fi\b|\bвай[\s-]?фай\w*|\bинтернет\w*")),
    (FaqTopic.DRINKS, word_pattern(
        r"\bкофе\b|\bчай\b|\bчаю\b|\bнапит\w*|\bпиво\b|\bcoffee\b|\bdrinks?\b|\bbeer\b"
    )),
)  # fmt: skip
# A bare "не" refuses; "не знаю", "не уверен" do not.
DENY = word_pattern(
    r"^\W*(?:нет|неа|no|nope|nah)\b|^\W*не(?:\W*$|[,.!]+(?:\s|$))"
    r"|\bне\s+(?:подходит|устраивает|хочу|могу)\b"
    r"|\bнеудобно\b|\bне\s+то\b|\bне\s+вариант\b|\bdon'?t\b|\bnot\s+(?:good|ok|now)\b"
    r"|\bno\s+thanks?\b|\bnot\s+suitable\b"
)
CONFIRM = word_pattern(
    r"^\W*(?:да+|ага|угу|ок|окей|оке|ok|okay|kk|yes|yep|yeah|yup|sure)(?!\w)|^\s*\++\s*$|👍|👌|✅"
    r"|\bподтвержда\w*|\bподтверди\w*|\bверно\b|\bправильно\b|\bхорошо\b|\bотлично\b"
    r"|\bдоговорились\b|\bгодится\b|\bподходит\b|\bсупер\b|\bконечно\b|\bотлич\w*"
    r"|\bconfirm\w*|\bcorrect\b|\bperfect\b|\bsounds\s+good\b|\bgreat\b|\bfine\b"
    r"|^\W*давай(?:те)?\b|^\W*записывайте\W*$|^\W*бронируйте\W*$|\bgo\s+ahead\b"
)
# "можно" / "хочу" alone say nothing ("можно оплатить картой?"): a booking needs its verb
# or a slot value (checked before this pattern is).
BOOK = word_pattern(
    r"\bзапиш\w*|\bзапис\w*|\bмне\s+бы\b|\bхочу\s+к\s+вам\b"
    r"|\bbook\w*|\bappointment\b|\bi\s+(?:want|would like|need)\s+to\s+come\b"
)
# Asking to be booked (a verb, not the noun: "у меня запись на среду" is the visit).
ANOTHER_VISIT = word_pattern(r"\bзапиш\w*|\bзаписат\w*|\bbook\s+(?:me|us|him|her)\b")
GREETING = word_pattern(
    r"\bпривет\w*|\bздравствуй\w*|\bздрасьте\b|\bдобр(?:ый|ое|ого)\s+(?:день|утро|вечер"
    r"|времени)\w*|\bдоброго\b|\bхай\b|\bhi\b|\bhello\b|\bhey\b|\bgood\s+(?:morning|afternoon"
    r"|evening)\b|👋|🙋"
)
SMALL_TALK = word_pattern(
    r"\bспасибо\w*|\bблагодар\w*|\bспс\b|\bthanks?\b|\bthank\s+you\b|\bкак\s+дела\b"
    r"|\bдо\s+свидания\b|\bпока\b|\bbye\b|\bgood\s*bye\b|\bхорошего\s+дня\b|\bудачи\b"
    r"|^[\W\s]*$"
)
CHANGE = word_pattern(
    r"\bлучше\b|\bвместо\b|\bпоменя\w*|\bизмени\w*|\bдругое\s+время\b|\bдругой\s+день\b"
    r"|\binstead\b|\bchange\b|\brather\b"
)
# Each question's pattern, in the order their answers are given.
QUESTIONS: dict[Intent, WordPattern] = {
    Intent.ASK_PRICE: PRICE,
    Intent.ASK_ADDRESS: ADDRESS,
    Intent.ASK_WHO_WORKS: WHO_WORKS,
    Intent.ASK_FREE_SLOTS: FREE_SLOTS,
    Intent.ASK_HOURS: HOURS,
}
_PERIOD = word_pattern(
    r"\b(?P<this>на\s+этой\s+неделе|в\s+эт[уо]\s+недел\w*|this\s+week)\b"
    r"|\b(?P<next>на\s+следующей\s+неделе|next\s+week)\b"
    r"|\b(?P<weekend>на\s+(?:этих\s+)?выходных|(?:this\s+|on\s+the\s+)?weekend)\b"
)
_ORDINALS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "first": 1, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5,
}  # fmt: skip
_ORDINAL = word_pattern(
    # Every case of one option: "первый", "к первому", "первую", "третьему", "третьей".
    # Not the plural nor the instrumental: "во-первых", "в первых числах", "первым делом".
    r"\b(?P<word>перв|втор|трет|четверт|пят)"
    r"(?:ый|ой|ий|ая|ое|ую|ого|ому|ом|ья|ье|ью|ьего|ьему|ьем|ьей)\b"
    r"|\b(?P<en>first|second|third|fourth|fifth)\b|\b(?P<last>последн\w*|last)\b"
    r"|\b(?:вариант|option|номер|#|№)\s*(?P<num>\d)\b|(?P<hash>[#№])\s*(?P<hnum>\d)\b"
    r"|\b(?P<dnum>\d)\s*-?\s*(?:й|ой|ий|ый)\s*(?:вариант)?\b"
)
_BARE_NUMBER = word_pattern(r"^\W*(?:давайте\s+|давай\s+|ну\s+)?(?P<n>\d)\W*$")
_BUT_NOT_OPTION = word_pattern(r"\bв\s+первый\s+раз\b|\bfirst\s+time\b")


def pick_option(
    text: str,
    options: tuple[OfferedOption, ...],
    time: str | None,
    date: str | None,
    master: str | None,
) -> int | None:
    """1-based index of the offered option the client chose, or None."""
    if not options:
        return None
    bare = _BARE_NUMBER.match(text)
    if bare and 1 <= int(bare["n"]) <= len(options):
        return int(bare["n"])
    for m in _ORDINAL.finditer(text):
        if _BUT_NOT_OPTION.search(text[max(0, m.start() - 3) : m.end() + 6]):
            continue
        if m["last"]:
            return len(options)
        number = next((int(m[g]) for g in ("num", "hnum", "dnum") if m[g]), None)
        if number is None:
            stem = m["word"] or m["en"]
            number = _ORDINALS[stem]
        if 1 <= number <= len(options):
            return number
    matching = [
        i
        for i, o in enumerate(options, start=1)
        if (time is None or o.time == time)
        and (date is None or o.date == date)
        and (master is None or o.master == master)
    ]
    # A time names its option; a master alone does only when it is unambiguous.
    if matching and (time is not None or (master is not None and len(matching) == 1)):
        return matching[0]
    return None


def read_questions(text: str, faq_topics: list[FaqTopic]) -> list[Intent]:
    """Every question asked in the text, FAQ topics (`read_faq_topics`) included, in
    answering order."""
    found = [intent for intent, pattern in QUESTIONS.items() if pattern.search(text)]
    if faq_topics:
        found.append(Intent.ASK_FAQ)
    if Intent.ASK_WHO_WORKS in found and Intent.ASK_HOURS in found:
        found.remove(Intent.ASK_HOURS)  # "кто работает завтра?" asks who, not the hours
    return found


def read_faq_topics(text: str) -> list[FaqTopic]:
    return [topic for topic, pattern in FAQ_TOPICS if pattern.search(text)]


def read_period(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """ "на этой неделе" → today…Sunday; "на следующей неделе" → next Monday…Sunday;
    "на выходных" → the coming Saturday…Sunday."""
    m = _PERIOD.search(text)
    if m is None:
        return None
    sunday = today + dt.timedelta(days=6 - today.weekday())
    if m["this"]:
        return today, sunday
    if m["next"]:
        return sunday + dt.timedelta(days=1), sunday + dt.timedelta(days=7)
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    return max(saturday, today), saturday + dt.timedelta(days=1)


# (intent, pattern) in priority order; `decide_intent` takes the first that applies.
RULES: tuple[tuple[Intent, WordPattern], ...] = (
    (Intent.RESCHEDULE, RESCHEDULE),
    (Intent.LATE_NOTICE, LATE),
    (Intent.COMPLAINT, COMPLAINT),
    (Intent.ASK_HUMAN, ASK_HUMAN),
    (Intent.ABORT, ABORT),
    (Intent.CANCEL, CANCEL),
)
MOVES: tuple[tuple[Intent, WordPattern], ...] = (
    (Intent.SAME_TIME, SAME_TIME),
    (Intent.OTHER_MASTER, OTHER_MASTER),
    (Intent.EARLIER, EARLIER),
    (Intent.LATER, LATER),
)


def decide_intent(
    text: str,
    *,
    state: str,
    has_slots: bool,
    option: int | None,
    has_contact: bool,
    questions: list[Intent],
) -> Intent:
    """The client's intent from normalised `text` and what else was read from it
    (`questions`: `read_questions`, read once per text: each scans all of it)."""
    for intent, pattern in RULES:
        if pattern.search(text):
            if intent is Intent.RESCHEDULE and SAME_TIME.search(text):
                return Intent.SAME_TIME  # "перенесите на пятницу в то же время"
            return intent
    if option is not None:
        return Intent.CHOOSE_OPTION
    for intent, pattern in MOVES:
        # "пораньше утром" with a day and a service is a request, not "earlier than that".
        if intent is Intent.SAME_TIME and ANOTHER_VISIT.search(text):
            continue  # "запишите и сына на то же время": another visit, not a move
        if pattern.search(text) and (intent is Intent.SAME_TIME or not has_slots):
            return intent
    if questions and not BOOK.search(text):
        return questions[0]
    if has_slots:
        if state in ("confirming", "suggesting") or CHANGE.search(text):
            return Intent.CHANGE
        return Intent.BOOK
    for intent, pattern in (
        (Intent.DENY, DENY),
        (Intent.CONFIRM, CONFIRM),
        (Intent.BOOK, BOOK),
        (Intent.GREETING, GREETING),
        (Intent.SMALL_TALK, SMALL_TALK),
    ):
        if pattern.search(text) or (intent is Intent.BOOK and has_contact):
            return intent
    return Intent.UNKNOWN
