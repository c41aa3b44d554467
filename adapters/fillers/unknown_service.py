"""A service the client asks for that the salon does not have (see `offline`, which asks
the catalogue first).

The offline filler used to drop such words silently, so the bot asked "На какую услугу?"
after "запишите на татуировку" instead of saying there is no such service. This reader
only looks where nothing from the catalogue was found, and it is conservative: a false
"we do not have that" about a service the salon does have is worse than a miss. An unknown
service is a noun phrase after a booking cue ("записаться на татуировку", "хочу массаж",
"book a massage") that is not a date, time, master, generic word ("на приём", "на вечер")
or a near spelling of a catalogue word ("на стришку").
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from adapters.fillers.lexicon import service_lexicon
from adapters.fillers.spans import Taken
from adapters.fillers.text import Token, adjacent, analyzer, normalize, tokens, word_pattern
from adapters.fillers.titles import title_index
from states.slot_fill import Catalogue

_MAX_TRIES = 20  # candidates read per text: the work stays bounded on long messages
_SERVICE_CUE = word_pattern(
    r"\b(?:на|хочу|хочется|хотим|хотел|хотела|хотелось|нужен|нужна|нужно|нужны|сделать|"
    r"сделайте|бы)\b"
)
# A cue that the client asks to book something, then (for Russian) "на" + the thing.
_BOOK_CUE = word_pattern(
    r"\bзапиш\w*|\bзапис\w*|\bхоч\w*|\bхотел\w*|\bхотим\b|\bнужн\w*|\bнужен\b|\bможно\b"
    r"|\bмне\s+бы\b|\bсделат\w*|\bсделайте\b|\bесть\s+ли\b"
)
# Words after which the thing itself follows directly ("хочу массаж", "нужна чистка лица").
_DIRECT_CUE = frozenset({
    "хочу", "хочется", "хотим", "хотел", "хотела", "хотелось", "нужен", "нужна", "нужно",
    "нужны", "сделать", "сделайте", "бы",
})  # fmt: skip
_SKIP_AFTER_CUE = frozenset({"бы", "сделать", "записаться", "мне", "еще", "ещё", "тоже", "также"})
_EN_CUE = word_pattern(
    r"\b(?:book(?:\s+me)?(?:\s+in)?(?:\s+for)?|booking\s+for|appointment\s+for|(?:i'?d|i\s+would)"
    r"\s+like|i\s+want|i\s+need|can\s+i\s+(?:get|have|book))"
    r"\s+(?:a|an)\s+(?P<np>[a-z]+(?:\s+[a-z]+)?)"
)
# Generic words: "записаться на приём" names no service, nor does "хочу окно".
_GENERIC = frozenset({
    "запись", "прием", "приём", "визит", "время", "окно", "окошко", "день", "вечер", "утро",
    "обед", "ночь", "неделя", "выходной", "выходные", "сеанс", "процедура", "услуга", "мастер",
    "барбер", "консультация", "число", "час", "часик", "часок", "минута", "раз", "место",
    "очередь", "имя", "номер", "телефон", "цена", "стоимость", "прайс", "сертификат",
    "абонемент", "вопрос", "помощь", "отзыв", "скидка", "информация", "ответ", "совет", "чек",
    "оплата", "карта", "парковка", "адрес", "пятница", "суббота", "воскресенье", "понедельник",
    "вторник", "среда", "четверг", "месяц", "год", "сегодня", "завтра", "послезавтра", "полдень",
    "половина", "начало", "конец", "середина", "следующий", "ближайший", "удобный", "свободный",
    "любой", "другой", "тот", "этот", "свой", "мой", "ваш", "весь", "вечерок", "квитанция",
    "счет", "справка", "подарок", "кофе", "чай", "вода", "такси", "возврат", "деньги",
    "сдача", "жалоба", "перерыв", "минутка", "секунда", "связь", "звонок", "ссылка",
    "appointment", "time", "slot", "visit", "session", "spot", "table", "call", "consultation",
    "meeting", "place", "day", "date", "booking", "reservation", "question", "price", "quote",
    "moment", "minute", "hour", "week", "weekend", "morning", "evening", "afternoon", "master",
    "barber", "stylist", "little", "quick", "new", "good", "nice", "free", "receipt",
    "invoice", "discount", "refund", "parking", "address", "callback", "ride", "taxi",
    "break", "drink", "coffee", "tea", "water", "towel", "card", "gift", "voucher",
    "certificate", "membership", "second", "chance", "word", "favor", "favour", "number",
    "link", "confirmation", "reminder", "cancellation", "change",
})  # fmt: skip
_EN_STOP = frozenset({
    "at", "on", "in", "for", "with", "to", "tomorrow", "today", "tonight", "please", "and",
    "this", "next", "by", "from", "around", "about", "or", "the",
})  # fmt: skip
_NEAR_KNOWN = 66  # 6-letter stems this close to a catalogue word are a typo, not a new thing
_CASES_NA = frozenset({"accs"})
_CASES_DIRECT = frozenset({"accs", "nomn", "gent"})


@functools.lru_cache(maxsize=64)
def _known_stems(catalogue: Catalogue) -> frozenset[str]:
    """6-letter stems of every catalogue word and of the word families its titles use."""
    words: set[str] = set()
    for title in (t for s in catalogue.services for t in (s.name, *s.aliases)):
        words.update(t.norm for t in tokens(normalize(title)) if len(t.norm) >= 4)
    lexicon = service_lexicon()
    for concept in title_index(catalogue).titles_with:
        words.update(w for w in lexicon.words_of.get(concept, ()) if len(w) >= 4)
    return frozenset(w[:6] for w in words)


def _near_known(word: str, stems: frozenset[str]) -> bool:
    # rapidfuzz (2.9 MB, its shared library most) waits for a word to compare (issue 15).
    from rapidfuzz import fuzz

    return any(fuzz.ratio(word[:6], s) >= _NEAR_KNOWN for s in stems)


def _noun_forms(word: str, cases: frozenset[str]) -> set[str]:
    """Lemmas of inanimate-noun readings of `word` in one of `cases` (pymorphy3)."""
    return {
        normalize(p.normal_form)
        for p in analyzer().parse(word)
        if p.tag.POS == "NOUN" and p.tag.case in cases and "Name" not in p.tag
        and p.tag.animacy != "anim" and "Geox" not in p.tag and "Surn" not in p.tag
        and p.score >= 0.05
    }  # fmt: skip


def _is_adjective(word: str) -> bool:
    best = analyzer().parse(word)[0]
    return best.tag.POS in {"ADJF", "PRTF"} and "Apro" not in best.tag


def _ru_phrase(
    text: str, toks: list[Token], i: int, cases: frozenset[str], stems: frozenset[str]
) -> tuple[int, int] | None:
    """Span of "[adjective] noun [genitive noun]" starting at token i, or None."""
    j = i
    while j < len(toks) and j - i < 2 and _is_adjective(toks[j].norm):
        if j > i and not adjacent(text, toks[j - 1], toks[j]):
            return None
        j += 1
    if j >= len(toks) or (j > i and not adjacent(text, toks[j - 1], toks[j])):
        return None
    head = toks[j]
    if head.norm.isdigit() or len(head.norm) < 4 or not re.fullmatch(r"[а-я]+", head.norm):
        return None
    lemmas = _noun_forms(head.norm, cases)
    if not lemmas or lemmas & _GENERIC or head.norm in _GENERIC:
        return None
    words = [t.norm for t in toks[i : j + 1]]
    if any(w in _GENERIC or _near_known(w, stems) for w in words):
        return None
    end = head.end
    if j + 1 < len(toks) and adjacent(text, head, toks[j + 1]):
        nxt = toks[j + 1]
        gent = {
            normalize(p.normal_form)
            for p in analyzer().parse(nxt.norm)
            if p.tag.POS == "NOUN" and p.tag.case == "gent" and p.score >= 0.1
        }
        if gent and not gent & _GENERIC and not _near_known(nxt.norm, stems):
            end = nxt.end  # "чистку лица"
    return toks[i].start, end


def _service_after(
    text: str, norm: str, toks: list[Token], cued: bool, stems: frozenset[str]
) -> tuple[int, frozenset[str]] | None:
    """(index of the thing's first word, the cases it may take) after the cue toks[0]."""
    if len(toks) < 2:
        return None
    tok, nxt = toks[0], 1
    if tok.norm == "на":
        before = text[max(0, tok.start - 20) : tok.start].rstrip(" \t")
        piece_start = tok.start == 0 or before.endswith("\n") or not before
        if not (cued or piece_start):
            return None
        cases = _CASES_NA
    elif tok.norm in _DIRECT_CUE:
        while nxt < len(toks) - 1 and toks[nxt].norm in _SKIP_AFTER_CUE:
            nxt += 1
        if toks[nxt - 1].norm == "записаться":
            return None  # "хочу записаться на …" is read at its "на"
        cases = _CASES_DIRECT
    else:
        return None
    if not adjacent(norm, toks[nxt - 1], toks[nxt]):
        return None
    return nxt, cases


def read_unknown_service(
    text: str, catalogue: Catalogue, avoid: Iterable[tuple[int, int]] = ()
) -> str | None:
    """The first thing the client asks to book that is not in the catalogue, as written.

    Call it only when no catalogue service was matched. `text` is the client's text (its
    normalised form has the same length); `avoid` are spans already read as a date, a
    time, a master or a phone.
    """
    taken = Taken(len(text), avoid)
    norm = normalize(text)
    stems = _known_stems(catalogue)
    cued = bool(_BOOK_CUE.search(norm) or _EN_CUE.search(norm))
    tries = 0
    # Only the words after a cue are read, in windows: a long text costs one regex scan.
    for cue in _SERVICE_CUE.finditer(norm):
        toks = [
            dataclasses.replace(t, start=t.start + cue.start(), end=t.end + cue.start())
            for t in tokens(norm[cue.start() : cue.end() + 96])
        ]
        span = _service_after(text, norm, toks, cued, stems)
        if span is None:
            continue
        tries += 1
        if tries > _MAX_TRIES:
            break  # bounded work: a long text's first candidates are read
        phrase = _ru_phrase(norm, toks, span[0], span[1], stems)
        if phrase is not None and taken.free(*phrase):
            return text[phrase[0] : phrase[1]]
    for m in _EN_CUE.finditer(norm):
        words: list[str] = []
        pos = m.start("np")
        for word in m["np"].split():
            if word in _EN_STOP:
                break
            words.append(word)
        if not words or any(w in _GENERIC or _near_known(w, stems) for w in words):
            continue
        end = pos + len(" ".join(words))
        if taken.free(pos, end):
            return text[pos:end]
    return None
