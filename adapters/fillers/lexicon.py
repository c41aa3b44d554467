"""Language data the offline filler reads with: service word families and Russian name forms.

Both live in `adapters/fillers/data/` as YAML and are the same for every salon. Every
Russian word is expanded once into all its inflections (pymorphy3 lexemes), so reading a
message is a dictionary lookup per word, never a morphological parse: the filler's time
stays linear in the text's length.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from adapters.fillers.once import once
from adapters.fillers.text import analyzer, normalize

DATA = Path(__file__).resolve().parent / "data"
WORD_FORMS = DATA / "word_forms.json"
_LATIN_WORD = re.compile(r"^[a-z']+$")

# Cost, when a title has a concept the client did not name (services.py chooses the title
# with the least unsaid): an unnamed object changes what the work is done to.
ROLE_COST = {"action": 1.0, "object": 1.5, "modifier": 1.0, "weak": 0.1}
GENERIC_ACTION_COST = 0.5


@dataclasses.dataclass(frozen=True)
class Concept:
    name: str
    role: str  # action | object | modifier | weak
    generic: bool = False
    needs_object: bool = False
    sentence_reach: bool = False  # a trait of the hair: narrows across commas

    @property
    def cost(self) -> float:
        return GENERIC_ACTION_COST if self.generic else ROLE_COST[self.role]

    @property
    def asks(self) -> bool:
        """Whether the word alone asks for a service (modifiers and weak words do not)."""
        return self.role in ("action", "object")


@functools.lru_cache(maxsize=20_000)
def word_forms(word: str) -> frozenset[str]:
    """Every inflection of a Russian dictionary word (normalised); an English word and its
    plural/possessive; the word itself otherwise."""
    word = normalize(word)
    if _LATIN_WORD.match(word):
        base = word.removesuffix("'s")
        return frozenset({word, base, base + "s", base + "'s", base.removesuffix("s")} - {""})
    stored = word_form_table().get(word)
    return stored if stored is not None else inflections(word)


def inflections(word: str) -> frozenset[str]:
    """A normalised Russian word's inflections, from pymorphy3's lexemes."""
    forms = {word}
    for parse in analyzer().parse(word):
        if normalize(parse.normal_form) == word or parse.word == word:
            forms.update(normalize(p.word) for p in parse.lexeme)
    return frozenset(forms)


@once
def word_form_table() -> dict[str, frozenset[str]]:
    """`data/word_forms.json` (`adapters.fillers.word_form_table`): the inflections of every
    word our own data lists, so building the lexicons parses nothing. Its build walked
    ~11 MB of pymorphy3's graphs into the worker's memory, and took ~0.5 s (issue 15)."""
    if not WORD_FORMS.exists():
        return {}
    stored = json.loads(WORD_FORMS.read_text(encoding="utf-8"))
    return {word: frozenset(forms) for word, forms in stored.items()}


@dataclasses.dataclass(frozen=True)
class ServiceLexicon:
    concepts: dict[str, Concept]
    by_form: dict[str, str]  # surface form -> concept name
    stems: dict[str, str]  # a word's beginning ("маникюр*": маникюрчик) -> concept name
    words_of: dict[str, frozenset[str]]  # concept -> its dictionary words, as listed
    stem_heads: frozenset[str]  # the first four letters of every word beginning
    qualifiers: frozenset[str]
    joiners: frozenset[str]


def _forms_of(words: Iterable[str]) -> set[str]:
    forms: set[str] = set()
    for word in words:
        for part in str(word).split("-"):
            if part:
                forms.update(word_forms(part))
    return forms


def _read_data(name: str) -> Any:
    """One of the YAML files; yaml is imported with the first turn's dictionaries, not at
    start (issue 15)."""
    import yaml

    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


@once
def service_lexicon() -> ServiceLexicon:
    raw = _read_data("services.yaml")
    concepts: dict[str, Concept] = {}
    by_form: dict[str, str] = {}
    stems: dict[str, str] = {}
    words_of: dict[str, frozenset[str]] = {}
    for name, spec in raw["concepts"].items():
        concept = Concept(
            name,
            spec["role"],
            bool(spec.get("generic")),
            bool(spec.get("needs_object")),
            spec.get("reach") == "sentence",
        )
        concepts[name] = concept
        listed = [normalize(str(w)) for w in spec["words"]]
        words_of[name] = frozenset(w.rstrip("*") for w in listed)
        for stem in (w.rstrip("*") for w in listed if w.endswith("*")):
            stems.setdefault(stem, name)
        for form in _forms_of(w for w in listed if not w.endswith("*")):
            by_form.setdefault(form, name)
    qualifiers = frozenset(_forms_of(raw["qualifiers"]))
    joiners = frozenset(normalize(str(j)) for j in raw["joiners"])
    heads = frozenset(stem[:4] for stem in stems)
    return ServiceLexicon(concepts, by_form, stems, words_of, heads, qualifiers, joiners)


def stem_concept(word: str, stems: dict[str, str]) -> str | None:
    """The concept whose listed word beginning starts `word` (longest first)."""
    if word[:4] not in service_lexicon().stem_heads:
        return None  # most words: one set lookup
    for length in range(min(len(word), 12), 3, -1):
        concept = stems.get(word[:length])
        if concept is not None:
            return concept
    return None


@dataclasses.dataclass(frozen=True)
class NameForms:
    """Russian given names: each full name's forms, and which full names a form may mean."""

    forms: dict[str, frozenset[str]]  # full name (normalised) -> its forms, itself included
    names_of: dict[str, frozenset[str]]  # form (normalised) -> full names it may mean


@once
def name_forms() -> NameForms:
    raw = _read_data("names.yaml")
    forms: dict[str, frozenset[str]] = {}
    names_of: dict[str, set[str]] = {}
    for full, short in raw.items():
        key = normalize(str(full))
        group = frozenset({key, *(normalize(str(s)) for s in short or ())})
        forms[key] = group
        for form in group:
            names_of.setdefault(form, set()).add(key)
    return NameForms(forms, {k: frozenset(v) for k, v in names_of.items()})
