"""Intent words and option picks, Russian and English, over normalised text.

The intent is decided in a fixed order (see `decide_intent`): cancel/reschedule phrases
beat everything, an option pick beats bare yes/no, questions beat slot values, and slot
values beat yes/no ("нет, давайте на 19" is a change, not a refusal).
"""

from __future__ import annotations

import re

from states.slot_fill import Intent, OfferedOption

CANCEL = re.compile(
    r"\bотмен\w*|\bотказ\w*|\bне\s+(?:смогу\s+)?при(?:ду|йду|дем)\b|\bудалит\w*\s+запис\w*"
    r"|\bcancel\w*|\bcan'?t\s+(?:make|come)\b|\bwon'?t\s+(?:make|come)\b"
)
RESCHEDULE = re.compile(
    r"\bперенес\w*|\bперенест\w*|\bперезапиш\w*|\bперезапис\w*|\bсдвин\w*|\bперенос\w*"
    r"|\breschedul\w*|\bmove\s+(?:my|the)\b|\bpostpone\w*"
)
PRICE = re.compile(
    r"\bсколько\s+(?:стоит|стоят|будет\s+стоить|по\s+деньгам)|\bцен[аыу]\w*|\bпрайс\w*"
    r"|\bстоимост\w*|\bпо\s+чем\b|\bпочем\b|\bдорог\w*|\bдешев\w*|\bexpensive\b|\bcheap\w*|\bhow\s+much\b|\bprices?\b|\bcost\w*"
)
HOURS = re.compile(
    r"\bдо\s+скольки\b|\bво\s+сколько\s+(?:вы\s+)?(?:открыва|закрыва|работа)\w*"
    r"|\bчасы\s+работы\b|\bрежим\s+работы\b|\bграфик\s+работы\b|\bкогда\s+(?:вы\s+)?"
    r"(?:открыт|работает|работаете|открываетесь|закрываетесь)\w*|\bвы\s+работаете\b"
    r"|\bopening\s+hours\b|\bhours\b|\bwhat\s+time\s+do\s+you\s+(?:open|close)\b"
    r"|\bare\s+you\s+open\b|\bwhen\s+do\s+you\s+(?:open|close)\b"
)
DENY = re.compile(
    r"^\W*(?:нет|неа|не|no|nope|nah)\b|\bне\s+(?:надо|нужно|подходит|устраивает|хочу|могу)\b"
    r"|\bнеудобно\b|\bне\s+то\b|\bне\s+вариант\b|\bdon'?t\b|\bnot\s+(?:good|ok|now)\b"
    r"|\bno\s+thanks?\b|\bnot\s+suitable\b"
)
CONFIRM = re.compile(
    r"^\W*(?:да+|ага|угу|ок|окей|ok|okay|kk|yes|yep|yeah|yup|sure|\+|👍)\b"
    r"|\bподтвержда\w*|\bподтверди\w*|\bверно\b|\bправильно\b|\bхорошо\b|\bотлично\b"
    r"|\bдоговорились\b|\bгодится\b|\bподходит\b|\bсупер\b|\bконечно\b|\bотлич\w*"
    r"|\bconfirm\w*|\bcorrect\b|\bperfect\b|\bsounds\s+good\b|\bgreat\b|\bfine\b"
    r"|^\W*давайте\W*$|^\W*давай\W*$|^\W*(?:да|ок)\W|👍"
)
# "можно" / "хочу" alone say nothing ("можно оплатить картой?"): a booking needs its verb
# or a slot value (checked before this pattern is).
BOOK = re.compile(
    r"\bзапиш\w*|\bзапис\w*|\bмне\s+бы\b|\bхочу\s+к\s+вам\b"
    r"|\bbook\w*|\bappointment\b|\bi\s+(?:want|would like|need)\s+to\s+come\b"
)
GREETING = re.compile(
    r"\bпривет\w*|\bздравствуй\w*|\bздрасьте\b|\bдобр(?:ый|ое|ого)\s+(?:день|утро|вечер"
    r"|времени)\w*|\bдоброго\b|\bхай\b|\bhi\b|\bhello\b|\bhey\b|\bgood\s+(?:morning|afternoon"
    r"|evening)\b"
)
CHANGE = re.compile(
    r"\bлучше\b|\bвместо\b|\bпоменя\w*|\bизмени\w*|\bдругое\s+время\b|\bдругой\s+день\b"
    r"|\binstead\b|\bchange\b|\brather\b"
)
_ORDINALS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "first": 1, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5,
}  # fmt: skip
_ORDINAL = re.compile(
    r"\b(?P<word>перв|втор|трет|четверт|пят)(?:ый|ой|ий|ая|ое|ую|ье|ья|ого|ему|ом|ый)\b"
    r"|\b(?P<en>first|second|third|fourth|fifth)\b|\b(?P<last>последн\w*|last)\b"
    r"|\b(?:вариант|option|номер|#|№)\s*(?P<num>\d)\b|(?P<hash>[#№])\s*(?P<hnum>\d)\b"
    r"|\b(?P<dnum>\d)\s*-?\s*(?:й|ой|ий|ый)\s*(?:вариант)?\b"
)
_BARE_NUMBER = re.compile(r"^\W*(?:давайте\s+|давай\s+|ну\s+)?(?P<n>\d)\W*$")
_BUT_NOT_OPTION = re.compile(r"\bв\s+первый\s+раз\b|\bfirst\s+time\b")


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


def decide_intent(
    text: str,
    *,
    state: str,
    has_slots: bool,
    option: int | None,
    has_contact: bool,
) -> Intent:
    """The client's intent from normalised `text` and what else was read from it."""
    if RESCHEDULE.search(text):
        return Intent.RESCHEDULE
    if CANCEL.search(text):
        return Intent.CANCEL
    if option is not None:
        return Intent.CHOOSE_OPTION
    if PRICE.search(text):
        return Intent.ASK_PRICE
    if HOURS.search(text) and not BOOK.search(text):
        return Intent.ASK_HOURS
    if has_slots:
        if state in ("confirming", "suggesting") or CHANGE.search(text):
            return Intent.CHANGE
        return Intent.BOOK
    if DENY.search(text):
        return Intent.DENY
    if CONFIRM.search(text):
        return Intent.CONFIRM
    if BOOK.search(text) or has_contact:
        return Intent.BOOK
    if GREETING.search(text):
        return Intent.GREETING
    return Intent.UNKNOWN
