"""Whether a sentence tells a story or asks for something (issue 13: small talk adds no
service). "друг у вас бороду делал", "вчера испортили стрижку": a past-tense verb that is
not a wish or a plan tells; "хочу", "можно", "запишите", "бы", "?" ask. A sentence that
tells and does not ask names no service.
"""

from __future__ import annotations

import functools

from adapters.fillers.text import analyzer

# A sentence that tells what happened ("друг у вас бороду делал", "вчера испортили
# стрижку") asks for no service unless it also asks for something.
PAST_ENDINGS = ("л", "ла", "ло", "ли", "лся", "лась", "лось", "лись")
_WISHES = frozenset({"хотеть", "мочь", "думать", "планировать", "собираться", "решить",
                     "хотеться", "надеяться", "мечтать"})  # fmt: skip
ASKING = frozenset({"хочу", "хочется", "хотим", "можно", "надо", "нужно", "нужна", "нужен",
                     "давайте", "бы", "please", "book", "want", "need", "like", "can", "could",
                     "?"})  # fmt: skip
ASKING_STEMS = ("запиш", "запис", "хотел", "сделай", "подскаж")


@functools.lru_cache(maxsize=20_000)
def tells(word: str) -> bool:
    """A past-tense verb that is not a wish or a plan ("делал", "стриглась", "испортили";
    not "хотела", "думал")."""
    return any(
        p.tag.POS == "VERB" and p.tag.tense == "past" and p.normal_form not in _WISHES
        for p in analyzer().parse(word)
        if p.score >= 0.2
    )
