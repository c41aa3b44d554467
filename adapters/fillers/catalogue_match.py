"""Client words → catalogue names: services by meaning, masters by name forms.

Services: the text and every catalogue title are reduced to *concepts* — a small table of
barbershop word families ("подстричься", "стрижку", "haircut" → стрижка; "бороду",
"beard" → борода) plus, for titles the table does not know, the title's own lemmas
matched through pymorphy3 forms and rapidfuzz (typos). The services are then chosen
greedily: the title covering most of the named concepts with the fewest unnamed ones
("стрижку" → "Мужская стрижка", not "Стрижка машинкой"; "стрижка и борода" → the combo).

Masters: a name matches in any case form ("к Бари", "у Артёма", "Снежане"), in Latin
letters ("Artem"), or with a small typo. The last master named wins ("не к Бари, а к Артёму").
"""

from __future__ import annotations

import dataclasses
import functools
import re

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from adapters.fillers.text import Token, latin_spellings, lemmas, normalize, tokens
from states.slot_fill import Catalogue, CatalogueService

# concept → pattern over normalised text. Order matters only for readability.
_CONCEPTS: dict[str, str] = {
    "стрижка": r"\b(?:по|под|за)?стри[гжч]\w*|\bhair\s?cut\w*|\bcut\b|\bтрим\w*"
               r"|\bподровнят\w*ся\b|\bпод\s?машинк\w*",
    "борода": r"\bбород\w*|\bbeard\w*|\bбородк\w*",
    "бритье": r"\b(?:по)?бри[тв]\w*|\bshav\w*",
    "окрашивание": r"\b(?:по|о|за|пере)?кра(?:сит|сь|ск|ш)\w*|\bколор\w*|\bcolou?r\w*|\bdye\w*",
    "седина": r"\bсед(?:ин|ы|ой|ая|ые)\w*|\bgr[ae]y\b|\bкамуфляж\w*|\bcamouflage\b",
    "маникюр": r"\bманик\w*|\bmanicure\w*|\bmani\b|\bnails?\b|\bногот\w*|\bногт\w*",
    "педикюр": r"\bпедик\w*|\bpedicure\w*|\bpedi\b",
    "машинка": r"\bмашинк\w*|\bclipper\w*|\bbuzz\w*|\bпод\s+ноль\b",
    "детский": r"\bдет\w*|\bребен\w*|\bребят\w*|\bсын\w*|\bkids?\b|\bchild\w*|\bson\b"
               r"|\bмальчик\w*|\bмалыш\w*",
    "тонирование": r"\bтонир\w*|\btint\w*",
}  # fmt: skip
# A verb followed by its object names one service, not two: "подстричь бороду" is beard
# work (not the haircut-and-beard combo), "закрасить седину" is grey camouflage.
_VERB_OF_OBJECT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:по|под)?стри[гжч]\w*\s+(?:мне\s+|бы\s+)?бород\w*"), "стрижка"),
    (re.compile(r"\b(?:по|о|за)?кра(?:сит|сь|ск|ш)\w*\s+(?:мне\s+|бы\s+)?сед\w*"), "окрашивание"),
)
# Title words that say little about which service the client wants: a missing one costs
# little, so "стрижка" picks "Мужская стрижка" over "Стрижка машинкой".
_WEAK_TITLE_WORDS = frozenset({
    "мужской", "женский", "волос", "волосы", "моделирование", "королевский", "классический",
    "обычный", "и", "с", "для", "на",
})  # fmt: skip
_WEAK_COST = 0.1
# Concepts that only narrow a service down: on their own they do not ask for one.
_MODIFIERS = frozenset({"детский", "машинка"})
_FUZZY_MIN = 86
# What may follow a name's stem: case endings and diminutives (Артёму, Игорек, Снежаночке).
_NAME_ENDING = re.compile(
    r"^(?:[аяуюеиыоь]|ом|ем|ой|ей|ою|ею|ой|ам|ям|ах|ях|к[аиеуо]|кой|ек|ок|чик\w{0,2}"
    r"|[оеую]?ч?к\w{0,2}|ушк\w{0,2}|юшк\w{0,2}|[ео]ньк\w{0,2})?$"
)


@dataclasses.dataclass(frozen=True)
class ConceptHit:
    concept: str
    start: int
    end: int


def _concept_hits(text: str) -> list[ConceptHit]:
    hits = [
        ConceptHit(concept, m.start(), m.end())
        for concept, pattern in _CONCEPTS.items()
        for m in re.finditer(pattern, text)
    ]
    covered = [(m.span(), concept) for p, concept in _VERB_OF_OBJECT for m in p.finditer(text)]
    return [
        h for h in hits if not any(c == h.concept and s <= h.start < e for (s, e), c in covered)
    ]


@functools.lru_cache(maxsize=1024)
def _title_concepts(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """(concepts, weak words) of a title; unknown title words become `lemma:` concepts."""
    text = normalize(title)
    hits = _concept_hits(text)
    concepts = {h.concept for h in hits}
    weak: set[str] = set()
    for tok in tokens(text):
        if any(h.start <= tok.start < h.end for h in hits) or len(tok.norm) < 3:
            continue
        forms = lemmas(tok.norm)
        if forms & _WEAK_TITLE_WORDS:
            weak.add(tok.norm)
        else:
            concepts.add("lemma:" + min(forms))
    return frozenset(concepts), frozenset(weak)


def _lemma_hits(text_tokens: list[Token], wanted: set[str]) -> list[ConceptHit]:
    """Text tokens that are a form (or a near typo) of a title's own lemma."""
    hits: list[ConceptHit] = []
    for tok in text_tokens:
        if len(tok.norm) < 4:
            continue
        forms = lemmas(tok.norm)
        for concept in wanted:
            lemma = concept.removeprefix("lemma:")
            if lemma in forms or fuzz.ratio(tok.norm, lemma) >= _FUZZY_MIN:
                hits.append(ConceptHit(concept, tok.start, tok.end))
    return hits


@dataclasses.dataclass(frozen=True)
class ServiceMatch:
    name: str
    phrase: str


def match_services(text: str, catalogue: Catalogue) -> list[ServiceMatch]:
    """Catalogue services the normalised `text` asks for, in order of mention."""
    titles: list[tuple[CatalogueService, frozenset[str], frozenset[str]]] = []
    for service in catalogue.services:
        variants = [_title_concepts(t) for t in (service.name, *service.aliases)]
        for concepts, weak in variants:
            titles.append((service, concepts, weak))
    lemma_concepts = {c for _, cs, _ in titles for c in cs if c.startswith("lemma:")}
    hits = _concept_hits(text) + _lemma_hits(tokens(text), lemma_concepts)
    uncovered = {h.concept for h in hits}
    if uncovered <= _MODIFIERS:
        return []  # "у меня 2 сына" names no service
    chosen: list[tuple[CatalogueService, frozenset[str]]] = []
    while uncovered:
        best: tuple[float, float, int] | None = None
        pick: tuple[CatalogueService, frozenset[str]] | None = None
        for index, (service, concepts, weak) in enumerate(titles):
            gain = len(concepts & uncovered)
            if gain == 0 or any(service is s for s, _ in chosen):
                continue
            named = {h.concept for h in hits}
            cost = len(concepts - named) + _WEAK_COST * len(weak)
            key = (gain, -cost, -index)
            if best is None or key > best:
                best, pick = key, (service, concepts)
        if pick is None:
            break
        chosen.append(pick)
        uncovered -= pick[1]
    result: list[tuple[int, ServiceMatch]] = []
    for service, concepts in chosen:
        own = sorted((h for h in hits if h.concept in concepts), key=lambda h: h.start)
        phrase = " ".join(dict.fromkeys(text[h.start : h.end] for h in own))
        result.append((own[0].start, ServiceMatch(service.name, phrase)))
    return [m for _, m in sorted(result, key=lambda pair: pair[0])]


@dataclasses.dataclass(frozen=True)
class MasterMatch:
    name: str
    phrase: str
    start: int


def _name_matches(token: str, name: str) -> bool:
    target = normalize(name)
    if token == target or target in lemmas(token):
        return True
    if not token.isascii():
        stem = target[:-1] if target[-1] in "аяьйеиоу" else target
        # Stem plus a case ending or diminutive; "игорный", "артемида" are other words.
        ending = token[len(stem) :]
        if ending[:1] == stem[-1:]:
            ending = ending[1:]  # a doubled letter, "Снежанне"
        name_form = bool(_NAME_ENDING.match(ending))
        if len(stem) >= 4 and name_form and token.startswith(stem):
            return True
        if len(target) < 5:
            return False  # "Бари" vs "бар": too short to guess at typos
        # One swapped or wrong letter in the stem ("Атрему"), or a near spelling overall.
        if name_form and OSA.distance(token[: len(stem)], stem) <= 1:
            return True
        return fuzz.ratio(token, target) >= _FUZZY_MIN
    # Latin letters: any common spelling of the name ("Artyom", "Artiom", "Artem" → Артём).
    spellings = latin_spellings(name)
    return token in spellings or any(
        len(latin) >= 4 and fuzz.ratio(token, latin) >= _FUZZY_MIN for latin in spellings
    )


def match_masters(text: str, catalogue: Catalogue) -> list[MasterMatch]:
    """Masters named in `text` (original case is fine), in order of mention."""
    found: list[MasterMatch] = []
    text_tokens = tokens(text)
    for index, tok in enumerate(text_tokens):
        if len(tok.norm) < 3 or tok.norm.isdigit():
            continue
        for name in catalogue.masters:
            for part in name.lower().split():
                if _name_matches(tok.norm, part):
                    prev = text_tokens[index - 1] if index else None
                    with_prep = prev is not None and prev.norm in {
                        "к",
                        "у",
                        "с",
                        "ко",
                        "to",
                        "with",
                        "мастер",
                        "мастеру",
                        "мастера",
                    }
                    start = prev.start if with_prep and prev is not None else tok.start
                    found.append(MasterMatch(name, text[start : tok.end], tok.start))
                    break
    return found
