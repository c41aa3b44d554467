"""The reading invariants of issue 13, as hypothesis properties over every catalogue.

Each property draws a catalogue (the demo salon and every file in fixtures/catalogues/),
a name from it and a phrasing, and checks what any salon's administrator would expect.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.fillers.lexicon import name_forms, service_lexicon
from adapters.fillers.offline import OfflineFiller
from adapters.fillers.text import normalize
from adapters.fillers.titles import concept_of, title_index
from states.slot_fill import Catalogue, FillRequest, MasterChoice, SlotFill
from tests.adapters.fillers.phrasing import (
    catalogues,
    dictionary_forms,
    first_name,
    in_case,
    inflect_title,
)

FILLER = OfflineFiller()
NOW = dt.datetime(2025, 11, 30, 15, 30, tzinfo=ZoneInfo("Europe/Moscow"))
CATALOGUES = catalogues()
EXAMPLES = settings(max_examples=150, deadline=None)


def fill(catalogue: Catalogue, text: str, expecting: str | None = None) -> SlotFill:
    request = FillRequest(
        text=text, state="idle", catalogue=catalogue, now=NOW, timezone="Europe/Moscow",
        expecting=expecting,
    )  # fmt: skip
    return FILLER.fill_now(request)


catalogue_st = st.sampled_from([catalogue for _, catalogue in CATALOGUES])

# --- a title said verbatim or inflected selects exactly that service ---------------------
_TITLE_SAID = [
    ("nomn", "{}"), ("nomn", "{} завтра в 18:00"), ("accs", "Запишите на {}"),
    ("accs", "Здравствуйте! Хочу {} в пятницу"), ("accs", "можно на {} после 19?"),
    ("ablt", "интересует запись со {}") , ("gent", "сколько длится {}?"),
]  # fmt: skip


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_a_title_verbatim_or_inflected_selects_exactly_it(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    title = data.draw(st.sampled_from(catalogue.service_names), label="title")
    case, template = data.draw(st.sampled_from(_TITLE_SAID), label="phrasing")
    verbatim = data.draw(st.booleans(), label="verbatim")
    said = title if verbatim else inflect_title(title, case)
    assert fill(catalogue, template.format(said)).services == [title], said


# --- a generic word selects one service, the plain one ------------------------------------
_GENERIC_WORDS = {
    "стрижка": ["подстричься", "стрижку", "на стрижку", "haircut", "постричься бы"],
    "маникюр": ["маникюр", "на маникюр", "ноготочки сделать"],
    "педикюр": ["педикюр", "на педикюр"],
    "борода": ["бороду", "с бородой помочь"],
    "бритьё": ["побриться", "бритьё"],
    "окрашивание": ["покраситься", "окрашивание"],
    "укладка": ["укладку", "уложить волосы"],
    "брови": ["брови", "бровки"],
    "ресницы": ["ресницы"],
}


def _plain(title_concepts: frozenset[str], said: str, catalogue: Catalogue) -> bool:
    index = title_index(catalogue)
    return all(c == said or concept_of(c, index.concepts).role == "weak" for c in title_concepts)


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_a_generic_word_selects_one_service_the_plain_one(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    index = title_index(catalogue)
    offered = sorted(c for c in _GENERIC_WORDS if c in index.titles_with)
    if not offered:
        return
    concept = data.draw(st.sampled_from(offered), label="concept")
    word = data.draw(st.sampled_from(_GENERIC_WORDS[concept]), label="word")
    services = fill(catalogue, f"Здравствуйте, {word} завтра можно?").services
    assert len(services) == 1, (word, services)
    chosen = [t for t in index.titles if t.name == services[0]]
    assert any(concept in t.concepts for t in chosen), (word, services)
    plain = [t for t in index.titles_with[concept] if _plain(t.concepts, concept, catalogue)]
    if plain:  # a title with nothing more than the word (and weak words) is the one meant
        assert services[0] in {t.name for t in plain}, (word, services)


# --- small talk adds no service --------------------------------------------------------------
_SMALL_TALK = [
    "у меня двое детей", "работа, дети, сами понимаете", "сын в школу пошёл",
    "дочка болеет, поэтому только вечером", "жена передаёт привет", "с ребёнком сижу до обеда",
    "машина в ремонте, приеду на метро", "папа тоже к вам ходит", "детей отведу в сад",
    "my kids are at school till 3",
]  # fmt: skip


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_small_talk_adds_no_service(catalogue: Catalogue, data: st.DataObject) -> None:
    chatter = data.draw(st.sampled_from(_SMALL_TALK), label="small talk")
    alone = fill(catalogue, chatter.capitalize() + ".")
    assert alone.services == [] and alone.service_phrases == [], chatter
    title = data.draw(st.sampled_from(catalogue.service_names), label="title")
    asked = fill(catalogue, f"{chatter.capitalize()}. Запишите на {inflect_title(title, 'accs')}")
    assert asked.services == [title], (chatter, title)


# --- a name introduced as the client's is never a master -----------------------------------
_INTRODUCTIONS = ["Меня зовут {}", "Это {}, здравствуйте", "Добрый день, я {}", "меня {} зовут"]


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_a_name_introduced_as_the_clients_is_never_a_master(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    master = data.draw(st.sampled_from(catalogue.masters), label="master")
    name = first_name(master)
    if data.draw(st.booleans(), label="reply to 'как вас зовут?'"):
        got = fill(catalogue, name, expecting="name")
    else:
        got = fill(catalogue, data.draw(st.sampled_from(_INTRODUCTIONS)).format(name))
    assert got.master is None and got.master_choice is None, (name, got.master)
    assert got.client_name is not None and normalize(got.client_name) == normalize(name)


# --- short and diminutive forms resolve through the dictionary of name forms ---------------
def _unique_forms(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(master, form) for forms that name one master of the salon only."""
    owners: dict[str, set[str]] = {}
    for master in catalogue.masters:
        for form in dictionary_forms(master):
            owners.setdefault(form, set()).add(master)
    return sorted((next(iter(ms)), f) for f, ms in owners.items() if len(ms) == 1)


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_short_and_diminutive_forms_resolve_through_the_dictionary(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    master, form = data.draw(st.sampled_from(_unique_forms(catalogue)), label="form")
    shown = form.capitalize() if not form.isascii() else form.title()
    text = data.draw(
        st.sampled_from(
            [f"к {in_case(shown, 'datv')} на завтра", f"у {in_case(shown, 'gent')} есть время?"]
        )
        if not form.isascii()
        else st.sampled_from([f"with {shown} tomorrow", f"к {shown} на завтра"]),
        label="text",
    )
    assert fill(catalogue, text).master == master, (form, text)


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_another_persons_name_is_never_taken_for_a_master(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    theirs = set().union(*(dictionary_forms(m) for m in catalogue.masters))
    others = sorted(
        full
        for full, forms in name_forms().forms.items()
        if not forms & theirs and not full.isascii()
    )
    other = data.draw(st.sampled_from(others), label="name").capitalize()
    got = fill(catalogue, f"можно к {in_case(other, 'datv')} в субботу?")
    assert got.master not in catalogue.masters, (other, got.master)


# --- "мастер не важен", "без разницы", "любой", "кто свободен" mean any master -------------
_ANY = [
    "мастер не важен",
    "без разницы",
    "любой",
    "к любому мастеру",
    "кто свободен",
    "к кому угодно",
    "мне всё равно какой мастер",
    "неважно к кому",
    "any barber",
]


@EXAMPLES
@given(catalogue=catalogue_st, data=st.data())
def test_any_master_phrases_mean_any_master(catalogue: Catalogue, data: st.DataObject) -> None:
    phrase = data.draw(st.sampled_from(_ANY), label="phrase")
    title = data.draw(st.sampled_from(catalogue.service_names), label="title")
    template = data.draw(
        st.sampled_from(["{p}", "{t}, {p}", "Запишите на {t} завтра, {p}", "{p}. {t} в 19:00"])
    )
    got = fill(catalogue, template.format(p=phrase, t=inflect_title(title, "accs")))
    assert got.master_choice is MasterChoice.ANY and got.master is None, (phrase, got)


def test_every_catalogue_is_read_with_the_same_lexicon() -> None:
    # The lexicon is language data: no salon's own title is in it.
    words = service_lexicon().by_form
    for _, catalogue in CATALOGUES:
        for title in catalogue.service_names:
            assert normalize(title) not in words or " " not in title, title
    assert len(CATALOGUES) >= 7
