"""Every catalogue the filler is tested on, and the ways a client says its names.

Test helpers for the invariant properties (test_invariants.py): titles inflected as a client
inflects them ("на мужскую стрижку", "стрижкой бороды"), names in the case a preposition
governs ("к Тёме"), the forms of a master's name from the dictionary of name forms.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from adapters.fillers.labelled import catalogue_from_salon
from adapters.fillers.lexicon import name_forms
from adapters.fillers.text import analyzer, normalize
from states.slot_fill import Catalogue

REPO = Path(__file__).resolve().parents[3]
CATALOGUE_FILES = sorted(
    [REPO / "fixtures" / "salon" / "demo.yaml", *(REPO / "fixtures" / "catalogues").rglob("*.yaml")]
)
_QUALIFIER = re.compile(r"\s*(\([^)]*\)|\[[^\]]*\]|\s[—–-]\s.*$)")


@functools.cache
def catalogue(path: Path) -> Catalogue:
    return catalogue_from_salon(path)


def catalogues() -> list[tuple[str, Catalogue]]:
    return [(p.stem, catalogue(p)) for p in CATALOGUE_FILES]


def _inflect_word(word: str, case: str, agree: set[str] | None = None) -> str:
    for parse in analyzer().parse(word.lower()):
        if parse.tag.POS not in {"NOUN", "ADJF", "PRTF"} or parse.tag.case != "nomn":
            continue
        wanted = {case} | (agree or set())
        form = parse.inflect(wanted) or parse.inflect({case})
        if form is not None:
            text: str = form.word
            return text[:1].upper() + text[1:] if word[:1].isupper() else text
    return word


def inflect_title(title: str, case: str) -> str:
    """The title with its head words in `case`: "Мужская стрижка" → "мужскую стрижку"
    (accs); words after the head ("бороды", "машинкой") and qualifiers stay as they are."""
    if title.isascii():
        return title  # English titles do not decline
    qualifiers = "".join(m.group() for m in _QUALIFIER.finditer(title))
    core = _QUALIFIER.sub("", title)
    out: list[str] = []
    head_done = False
    for piece in re.split(r"(\s+|\+|&|/|,)", core):
        if not piece or not piece.strip() or piece in "+&/,":
            out.append(piece)
            if piece in "+&/,":
                head_done = False  # every part of a combo has its own head
            continue
        if head_done:
            out.append(piece)
            continue
        parses = analyzer().parse(piece.lower())
        noun = next((p for p in parses if p.tag.POS == "NOUN" and p.tag.case == "nomn"), None)
        if noun is not None:
            out.append(_inflect_word(piece, case))
            head_done = True
        else:
            out.append(_inflect_word(piece, case))
    return ("".join(out) + qualifiers).strip()


def in_case(name: str, case: str) -> str:
    """A given name in a case ("Тёма" → "Тёме" for datv); as written if not declinable."""
    if name.isascii():
        return name
    for parse in analyzer().parse(name.lower()):
        if "Name" in parse.tag and normalize(parse.normal_form) == normalize(name):
            form = parse.inflect({case})
            if form is not None:
                return str(form.word).capitalize()
    return name


def first_name(master: str) -> str:
    return str(re.findall(r"[A-Za-zА-ЯЁа-яё]+", master)[0])


def dictionary_forms(master: str) -> set[str]:
    """Every form the dictionary of name forms gives for the master's first name."""
    names = name_forms()
    part = normalize(first_name(master))
    forms = {part}
    for full in names.names_of.get(part, ()):
        forms |= names.forms[full]
    return forms
