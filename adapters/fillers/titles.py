"""A salon's service titles, analysed once per catalogue into what a client may say for them.

A title is split into *parts* at joiners ("Стрижка + борода", "Маникюр с покрытием",
"Отец + сын": two parts each) and *qualifiers* ("Стрижка (до 30 мин)", "Мужская стрижка —
топ-мастер": the words in brackets or after a spaced dash, and words such as "мастер",
"мин"). Every other word becomes a concept: a word family of the lexicon
(`data/services.yaml`), or — for a word the lexicon does not know — the word's own
dictionary form, which counts as an action when it is the part's first noun ("Чистка
лица", "Укладка") and as a modifier otherwise. "без X" in a title makes "-X" a concept
("Маникюр без покрытия").
"""

from __future__ import annotations

import dataclasses
import functools
import re

from adapters.fillers.lexicon import Concept, service_lexicon, stem_concept, word_forms
from adapters.fillers.text import analyzer, normalize
from states.slot_fill import Catalogue

_QUALIFIER_SEGMENT = re.compile(r"\([^)]*\)|\[[^\]]*\]|\s[—–-]\s.*$")
_TITLE_TOKEN = re.compile(r"[a-zа-яё]+(?:'[a-z]+)?|\d+|[+&/,]")
_STOPWORDS = frozenset(
    {"в", "на", "для", "по", "от", "до", "из", "за", "к", "the", "a", "for", "of"}
)
NEGATORS = frozenset({"без", "without", "no"})


@dataclasses.dataclass(frozen=True)
class Title:
    name: str  # as in the catalogue
    index: int  # position in the catalogue (the last tie-break)
    parts: tuple[frozenset[str], ...]  # concept names per part
    qualifiers: tuple[frozenset[str], ...]  # the forms of each qualifier word

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset().union(*self.parts)


@dataclasses.dataclass(frozen=True)
class TitleIndex:
    titles: tuple[Title, ...]
    concepts: dict[str, Concept]  # every concept a title uses, lexicon ones included
    by_form: dict[str, str]  # text word form -> concept (the salon's own words included)
    words: frozenset[str]  # every form of every title word (for typo correction)
    titles_with: dict[str, tuple[Title, ...]]  # concept -> the titles that use it
    stems: dict[str, str]  # the lexicon's word beginnings -> concept

    def concept_of_word(self, word: str) -> str | None:
        found = self.by_form.get(word)
        if found is None and len(word) >= 5:
            return stem_concept(word, self.stems)
        return found

    def concepts_of_words(self, words: frozenset[str]) -> dict[str, str | None]:
        """`concept_of_word` of each word; most words are settled by two set lookups."""
        by_form, heads = self.by_form, service_lexicon().stem_heads
        return {
            word: (
                by_form.get(word)
                if word in by_form or len(word) < 5 or word[:4] not in heads
                else stem_concept(word, self.stems)
            )
            for word in words
        }


def concept_of(name: str, concepts: dict[str, Concept]) -> Concept:
    if name.startswith("-"):
        return Concept(name, "weak")
    return concepts[name]


def _own_concept(word: str, first_noun: bool) -> tuple[str, Concept, frozenset[str]]:
    parses = analyzer().parse(word)
    best = parses[0] if parses else None
    lemma = normalize(best.normal_form) if best is not None and not word.isascii() else word
    is_noun = best is not None and best.tag.POS == "NOUN"
    role = "action" if is_noun and first_noun else "modifier"
    return "lemma:" + lemma, Concept("lemma:" + lemma, role), word_forms(lemma) | {word}


def _analyse(
    name: str, index: int, concepts: dict[str, Concept], by_form: dict[str, str]
) -> tuple[Title, set[str]]:
    lexicon = service_lexicon()
    text = normalize(name)
    qualifier_text = " ".join(m.group() for m in _QUALIFIER_SEGMENT.finditer(text))
    core = _QUALIFIER_SEGMENT.sub(" ", text)
    qualifiers: list[frozenset[str]] = []
    for word in (w for w in _TITLE_TOKEN.findall(qualifier_text) if w.isalnum()):
        # "(длинные волосы)" narrows the service down; "(до 30 мин)", "(AirTouch)" do not.
        family = lexicon.by_form.get(word)
        if family is not None and lexicon.concepts[family].role in ("modifier", "weak"):
            core += " " + word
        else:
            qualifiers.append(word_forms(word))
    words: set[str] = set()
    parts: list[set[str]] = [set()]
    have_noun = False
    negate = False
    order: list[str] = []  # concepts in the order the title says them
    for word in _TITLE_TOKEN.findall(core):
        if word in lexicon.joiners or not word.isalnum():
            if parts[-1]:
                parts.append(set())
                have_noun = False
            continue
        if word in NEGATORS:
            negate = True
            continue
        if word in _STOPWORDS:
            continue
        if word.isdigit() or word in lexicon.qualifiers:
            qualifiers.append(word_forms(word))
            continue
        words.update(word_forms(word))
        concept_name = lexicon.by_form.get(word) or stem_concept(word, lexicon.stems)
        if concept_name is None:
            concept_name, concept, forms = _own_concept(word, not have_noun)
            concepts.setdefault(concept_name, concept)
            for form in forms:
                by_form.setdefault(form, concept_name)
            have_noun = have_noun or concept.role == "action"
        else:
            have_noun = have_noun or lexicon.concepts[concept_name].role in ("action", "object")
        parts[-1].add(("-" if negate else "") + concept_name)
        order.append(concept_name)
        negate = False
    for part in parts:
        # A part naming no kind of work the lexicon knows ("Fade", "Black mask") is named by
        # its own first word: said alone, that word asks for it.
        own = [c for c in part if c.startswith("lemma:")]
        if own and not any(concept_of(c, concepts).asks for c in part):
            first = min(own, key=order.index)
            concepts[first] = dataclasses.replace(concepts[first], role="action")
    title = Title(name, index, tuple(frozenset(p) for p in parts if p), tuple(qualifiers))
    return title, words


@functools.lru_cache(maxsize=64)
def title_index(catalogue: Catalogue) -> TitleIndex:
    lexicon = service_lexicon()
    concepts = dict(lexicon.concepts)
    by_form: dict[str, str] = {}
    titles: list[Title] = []
    words: set[str] = set()
    for index, service in enumerate(catalogue.services):
        for name in (service.name, *service.aliases):
            title, title_words = _analyse(name, index, concepts, by_form)
            if title.parts:
                titles.append(dataclasses.replace(title, name=service.name))
                words |= title_words
    merged = {**by_form, **lexicon.by_form}  # the lexicon's families win over salon words
    titles_with: dict[str, list[Title]] = {}
    for title in titles:
        for concept in title.concepts:
            titles_with.setdefault(concept, []).append(title)
    with_tuples = {c: tuple(ts) for c, ts in titles_with.items()}
    return TitleIndex(tuple(titles), concepts, merged, frozenset(words), with_tuples, lexicon.stems)
