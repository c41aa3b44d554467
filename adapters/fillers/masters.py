"""Client words → the salon's masters: name forms, diminutives, Latin spellings, typos.

Per catalogue, every master's name is expanded once into the words a client may write:
- the forms of the name from the dictionary of Russian name forms (`data/names.yaml`:
  Артём → Тёма, Тёмыч; Екатерина → Катя; Kate → Екатерина's forms), each in every case
  (pymorphy3: "к Тёме", "у Саши");
- Latin spellings of each Cyrillic form ("Artyom", "Tyoma", "Sasha");
- a stem with a case ending or diminutive suffix ("Снежаночке", "Бари" stays "Бари").
A word one edit away from such a form (5+ letters) is a typo of it ("к Атрему") — unless
the word is itself a form of another name: "Егор" is never "Игорь".

A form shared by two of the salon's masters (two Александрs, or Саша for Александр and
Александра) names neither: the match is reported as ambiguous. A form that is also a
common word ("Вера", "Роза", "Лев") counts only capitalised or after "к", "у", "мастер"…
Every lookup is a dictionary access, so a text costs time linear in its length.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from adapters.fillers.lexicon import name_forms
from adapters.fillers.text import WORD as _WORD
from adapters.fillers.text import analyzer, distinct_words, latin_spellings, normalize
from states.slot_fill import Catalogue

MASTER_CUES = frozenset({
    "к", "ко", "у", "с", "со", "to", "with", "мастер", "мастеру", "мастера", "мастером",
    "барбер", "барберу", "барбера", "стилист", "стилисту", "стилиста",
})  # fmt: skip
_FUZZY_MIN_LEN = 5
_NAME_ENDING = re.compile(
    r"^(?:[аяуюеиыоь]|ом|ем|ой|ей|ою|ею|ам|ям|ах|ях|к[аиеуо]|кой|ек|ок|чик\w{0,2}"
    r"|[оеую]?ч?к\w{0,2}|ушк\w{0,2}|юшк\w{0,2}|[ео]ньк\w{0,2})?$"
)
_PART = re.compile(r"[a-zа-яё]+", re.IGNORECASE)
_IN_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclasses.dataclass(frozen=True)
class MasterMatch:
    name: str | None  # the catalogue name, or None when the word names several masters
    candidates: tuple[str, ...]  # every master the word may name
    phrase: str  # as written, with its cue ("к Тёме")
    start: int
    end: int


# The case a preposition governs: "к Евгению" is Евгений, "к Евгении" is Евгения.
_CASE_AFTER = {"к": "datv", "ко": "datv", "у": "gent", "с": "ablt", "со": "ablt"}


@dataclasses.dataclass(frozen=True)
class MasterIndex:
    by_form: dict[str, frozenset[str]]  # word form -> masters
    cases: dict[tuple[str, str], frozenset[str]]  # (word form, master) -> grammatical cases
    needs_cue: frozenset[str]  # forms that are common words too
    deletions: dict[str, frozenset[str]]  # a form or its one-letter deletions -> forms
    stems: dict[str, tuple[tuple[str, str], ...]]  # first 4 letters -> (stem, master)
    # One edit keeps a word's first three letters or its first letter and last two (5+
    # letters); stems keep the first four: a word matching none is skipped at once.
    heads: frozenset[str]
    ends: frozenset[tuple[str, str]]

    def may_be_near(self, word: str) -> bool:
        return word[:3] in self.heads or (word[0], word[-2:]) in self.ends


def _case_forms(form: str) -> dict[str, set[str]]:
    """A Cyrillic given name in every case (pymorphy3 knows most names): form -> cases."""
    forms: dict[str, set[str]] = {form: set()}
    for parse in analyzer().parse(form):
        # Only the name's own paradigm: "Евгения" is also Евгений's genitive.
        if ("Name" in parse.tag or "Surn" in parse.tag) and normalize(parse.normal_form) == form:
            for p in parse.lexeme:
                forms.setdefault(normalize(p.word), set()).add(str(p.tag.case))
    return forms


def _is_common_word(form: str) -> bool:
    return any(
        "Name" not in p.tag and "Geox" not in p.tag and "Surn" not in p.tag
        and "Patr" not in p.tag and p.score >= 0.3
        for p in analyzer().parse(form)
    ) and analyzer().word_is_known(form)  # fmt: skip


def _name_parts(master: str) -> list[str]:
    return [normalize(p) for p in _PART.findall(_IN_BRACKETS.sub(" ", master))]


def _dictionary_forms(part: str) -> set[str]:
    names = name_forms()
    forms = {part}
    for full in names.names_of.get(part, ()):
        forms |= names.forms[full]
    return forms


@functools.lru_cache(maxsize=64)
def master_index(catalogue: Catalogue) -> MasterIndex:
    by_form: dict[str, set[str]] = {}
    cases: dict[tuple[str, str], set[str]] = {}
    stems: dict[str, list[tuple[str, str]]] = {}
    for master in catalogue.masters:
        for part in _name_parts(master):
            if len(part) < 2:
                continue  # an initial ("Анна К.")
            for form in _dictionary_forms(part):
                declined = _case_forms(form) if not form.isascii() else {form: set()}
                for word, word_cases in declined.items():
                    cases.setdefault((word, master), set()).update(word_cases)
                written = set(declined)
                if not form.isascii():
                    written |= latin_spellings(form)
                    stem = form[:-1] if form[-1] in "аяьйеиоу" else form
                    if len(stem) >= 4:
                        stems.setdefault(stem[:4], []).append((stem, master))
                for word in written:
                    by_form.setdefault(word, set()).add(master)
    deletions: dict[str, set[str]] = {}
    for form in by_form:
        if len(form) >= _FUZZY_MIN_LEN:
            for key in (form, *(form[:i] + form[i + 1 :] for i in range(len(form)))):
                deletions.setdefault(key, set()).add(form)
    return MasterIndex(
        {k: frozenset(v) for k, v in by_form.items()},
        {k: frozenset(v) for k, v in cases.items()},
        frozenset(f for f in by_form if not f.isascii() and _is_common_word(f)),
        {k: frozenset(v) for k, v in deletions.items()},
        {k: tuple(v) for k, v in stems.items()},
        frozenset(form[:3] for form in by_form),
        frozenset((form[0], form[-2:]) for form in by_form),
    )


@functools.lru_cache(maxsize=20_000)
def _other_name(word: str) -> bool:
    """The word is a form of a common given name (so not a typo of a master's name):
    "Егору" is Егор, never Игорь. pymorphy3's list of names is too long for this — it
    knows "Атрем" — so only the dictionary of name forms decides."""
    names = name_forms().names_of
    if word in names:
        return True
    if word.isascii():
        return False
    return any(
        "Name" in p.tag and normalize(p.normal_form) in names for p in analyzer().parse(word)
    )


def _lookup(word: str, index: MasterIndex) -> frozenset[str]:
    exact = index.by_form.get(word)
    if exact is not None:
        return exact
    if len(word) < 4 or word.isdigit() or not index.may_be_near(word):
        return frozenset()
    found: set[str] = set()
    for stem, master in index.stems.get(word[:4], ()):
        ending = word[len(stem) :]
        if ending[:1] == stem[-1:]:
            ending = ending[1:]  # a doubled letter, "Снежанне"
        if word.startswith(stem) and _NAME_ENDING.match(ending):
            found.add(master)
    if found or len(word) < _FUZZY_MIN_LEN:
        return frozenset(found)
    near: set[str] = set()
    for key in (word, *(word[:i] + word[i + 1 :] for i in range(len(word)))):
        near.update(index.deletions.get(key, ()))
    if near:
        # rapidfuzz (2.9 MB, its shared library most) waits for a word to compare (issue 15).
        from rapidfuzz.distance import OSA

        near = {f for f in near if OSA.distance(word, f) <= 1 and f[0] == word[0]}
    if not near or _other_name(word):
        return frozenset()
    return frozenset(m for f in near for m in index.by_form[f])


def match_masters(
    text: str,
    catalogue: Catalogue,
    *,
    raw: str | None = None,
    avoid: tuple[tuple[int, int], ...] = (),
) -> list[MasterMatch]:
    """Masters named in `text`, in order of mention, outside the `avoid` spans.

    `text` may be as written or normalised; `raw` (the same length) tells capitals.
    """
    index = master_index(catalogue)
    source = raw if raw is not None and len(raw) == len(text) else text
    found: list[MasterMatch] = []
    lowered = text.lower().replace("ё", "е")  # same length: spans stay the text's
    # Each distinct word is looked up once; the text is walked only if one names a master.
    by_form, may_be_near = index.by_form, index.may_be_near
    hits = {
        word: masters
        for word in distinct_words(lowered)
        if len(word) >= 2
        and word not in MASTER_CUES
        # `_lookup` finds nothing for a word that is no form and near none (most words)
        and (word in by_form or (len(word) >= 4 and may_be_near(word)))
        and (masters := _lookup(word, index))
    }
    if not hits:
        return found
    prev, prev_start = "", 0
    for m in _WORD.finditer(lowered):
        word = m.group()
        masters = hits.get(word, frozenset())
        if masters and not any(s < m.end() and m.start() < e for s, e in avoid):
            match = _match(word, masters, prev, prev_start, m.span(), source, index)
            if match is not None:
                found.append(match)
        prev, prev_start = word, m.start()
    return found


def _match(
    word: str,
    masters: frozenset[str],
    prev: str,
    prev_start: int,
    span: tuple[int, int],
    source: str,
    index: MasterIndex,
) -> MasterMatch | None:
    start, end = span
    cued = prev in MASTER_CUES
    if len(masters) > 1 and prev in _CASE_AFTER:
        case = _CASE_AFTER[prev]
        fitting = frozenset(m for m in masters if case in index.cases.get((word, m), ()))
        masters = fitting or masters
    if word in index.needs_cue and not (cued or source[start].isupper()):
        return None
    names = tuple(sorted(masters))
    first = prev_start if cued else start
    return MasterMatch(names[0] if len(names) == 1 else None, names, source[first:end], start, end)
