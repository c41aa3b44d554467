"""Plain answers are read without the LLM only in the context of the bot's own question,
only when nothing else is said, and never differently from the offline filler; over many
phrasings (hypothesis) and every catalogue in fixtures/catalogues."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.fillers.offline import OfflineFiller
from adapters.fillers.plain_answers import PlainKind, read_plain_answer
from states.slot_fill import Catalogue, FillRequest, FillSource, Intent, OfferedOption
from tests.adapters.fillers.conftest import MOSCOW, WEDNESDAY
from tests.adapters.fillers.phrasing import catalogues

CATALOGUES = catalogues()
DEMO = dict(CATALOGUES)["demo"]
OFFLINE = OfflineFiller()
EVERY_QUESTION = (None, "service", "master", "date", "change", "option", "yes_no", "name",
                  "phone", "reminder")  # fmt: skip
STATE_OF = {None: "idle", "service": "collecting", "master": "collecting", "date": "collecting",
            "change": "collecting", "option": "suggesting", "yes_no": "confirming",
            "name": "confirming", "phone": "collecting", "reminder": "booked"}  # fmt: skip
SLOTS = (
    OfferedOption("2025-07-24", "11:00", "Бари"),
    OfferedOption("2025-07-24", "14:30", "Бари"),
    OfferedOption("2025-07-25", "18:00", None),
)
CHOICES = (
    OfferedOption("", "", None, "Мужская стрижка"),
    OfferedOption("", "", None, "Борода"),
    OfferedOption("", "", "Бари", "Бари"),
)

YES = ["да", "Да", "ДА", "да!", "да.", "👍", "👌", "ок", "окей", "ok", "ага", "угу",
       "yes", "yep", "sure", "конечно", "хорошо", "отлично", "подтверждаю", "верно", "давайте",
       "sounds good", "go ahead"]  # fmt: skip
NO = ["нет", "Нет!", "неа", "no", "nope", "не подходит", "не устраивает", "неудобно"]
COURTESY = ["", ", пожалуйста", " спасибо", ", please", " thanks"]
# Whatever says more than yes or no: the LLM (or the full reader) must read it.
MORE = ["но в 19", "к Бари", "а сколько стоит?", "только побыстрее", "завтра", "в 18:00",
        "на стрижку", "но не к Бари", "👎", "и бороду", "или нет", "Егор", "2"]  # fmt: skip


def ask(text: str, expecting: str | None, options: tuple[OfferedOption, ...] = (),
        catalogue: Catalogue = DEMO, state: str | None = None) -> FillRequest:  # fmt: skip
    return FillRequest(
        text=text, state=state or STATE_OF[expecting], catalogue=catalogue, now=WEDNESDAY,
        timezone=MOSCOW, options=options, expecting=expecting,
    )  # fmt: skip


def agrees_with_offline(request: FillRequest) -> None:
    """A plain answer says what the offline filler says, and never names a service, a
    master, a name or a phone."""
    answer = read_plain_answer(request)
    assert answer is not None
    plain, offline = answer.fill, OFFLINE.fill_now(request)
    assert plain.source is FillSource.PLAIN
    assert (plain.intent, plain.option, plain.date, plain.time) == (
        offline.intent, offline.option, offline.date, offline.time,
    ), request.text  # fmt: skip
    assert plain.invalid_date == offline.invalid_date and plain.invalid_time == offline.invalid_time
    assert not plain.services and not plain.service_phrases and plain.master is None
    assert plain.master_choice is None and plain.client_name is None and plain.phone is None


joined = st.sampled_from([", ", " ", "\n", ". ", "! "])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(YES), min_size=1, max_size=3), joined, st.sampled_from(COURTESY))
def test_a_yes_is_a_confirmation_at_a_yes_no_question_only(
    words: list[str], sep: str, courtesy: str
) -> None:
    text = sep.join(words) + courtesy
    for expecting in ("yes_no", "reminder"):
        answer = read_plain_answer(ask(text, expecting))
        assert answer is not None and answer.kind is PlainKind.YES_NO, text
        assert answer.fill.intent is Intent.CONFIRM
        agrees_with_offline(ask(text, expecting))
    for other in EVERY_QUESTION:
        if other not in ("yes_no", "reminder"):
            assert read_plain_answer(ask(text, other, CHOICES)) is None, (text, other)


@pytest.mark.parametrize(
    "text", ["+", "++", " + ", "записывайте", "да, записывайте", "👍🏻", "👍️", "да 👍🏽"]
)
def test_a_plus_alone_or_a_thumb_of_any_skin_tone_is_a_yes(text: str) -> None:
    answer = read_plain_answer(ask(text, "yes_no"))
    assert answer is not None and answer.fill.intent is Intent.CONFIRM
    assert read_plain_answer(ask(text, "date")) is None


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(NO), st.sampled_from(COURTESY))
def test_a_no_is_a_denial_at_a_yes_no_question_only(word: str, courtesy: str) -> None:
    text = word + courtesy
    answer = read_plain_answer(ask(text, "yes_no"))
    assert answer is not None and answer.fill.intent is Intent.DENY, text
    agrees_with_offline(ask(text, "yes_no"))
    assert read_plain_answer(ask(text, "date")) is None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(YES + NO), joined, st.sampled_from(MORE))
def test_a_yes_or_no_with_anything_more_reaches_the_llm(word: str, sep: str, more: str) -> None:
    for text in (word + sep + more, more + sep + word):
        assert read_plain_answer(ask(text, "yes_no")) is None, text


@pytest.mark.parametrize("text", ["отмена", "не надо", "передумал", "да, но позовите админа",
                                  "нет, перенесите", "да, опаздываю", "ок, отмените"])  # fmt: skip
def test_words_that_outrank_a_yes_are_never_a_plain_answer(text: str) -> None:
    assert read_plain_answer(ask(text, "yes_no")) is None


# Every case: "давайте первую", "к первому" (a master), "третьего" (a day).
ORDINALS = {1: ["первый", "первое", "first", "первую", "первому", "первого"],
            2: ["второй", "вторая", "second", "второму", "вторую", "второго"],
            3: ["третий", "третье", "third", "третьему", "третью", "третьего"]}  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.integers(1, 3),
    st.sampled_from(
        [
            "{n}",
            "{n}.",
            "{n}!",
            " {n} ",
            "давайте {n}",
            "вариант {n}",
            "№{n}",
            "#{n}",
            "{n}-й",
            "{n}-й вариант",
            "{o}",
            "{o}, пожалуйста",
        ]
    ),
    st.data(),
)
def test_an_option_number_picks_an_offered_option_only(
    n: int, form: str, data: st.DataObject
) -> None:
    text = form.format(n=n, o=data.draw(st.sampled_from(ORDINALS[n])))
    for options, expecting in ((SLOTS, "option"), (CHOICES, "service"), (CHOICES, "date")):
        answer = read_plain_answer(ask(text, expecting, options))
        assert answer is not None and answer.kind is PlainKind.OPTION, (text, expecting)
        assert answer.fill.option == n and answer.fill.intent is Intent.CHOOSE_OPTION
        agrees_with_offline(ask(text, expecting, options))
    # No numbered options on offer, or offered slots the bot no longer asks about.
    elsewhere: list[tuple[tuple[OfferedOption, ...], str | None]] = [
        ((), "option"), ((), "date"), (SLOTS, "yes_no"), (SLOTS, None),
    ]  # fmt: skip
    for offered, question in elsewhere:
        answer = read_plain_answer(ask(text, question, offered))
        assert answer is None or answer.kind is not PlainKind.OPTION, (text, question)


@pytest.mark.parametrize("text", ["4", "9", "0", "вариант 5", "четвертый", "2 👎", "2 и 3",
                                  "2, но завтра", "2 к Бари"])  # fmt: skip
def test_a_number_that_is_no_offered_option_is_not_plain(text: str) -> None:
    assert read_plain_answer(ask(text, "option", SLOTS)) is None


times = st.builds(
    lambda h, m, form: form.format(h=h, m=m),
    st.integers(9, 20),
    st.sampled_from(["00", "15", "30", "45"]),
    st.sampled_from(
        [
            "{h}:{m}",
            "в {h}:{m}",
            "на {h}:{m}",
            "к {h}:{m}",
            "{h}:{m}!",
            "около {h}:{m}",
            "at {h}:{m}",
        ]
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(times)
def test_a_bare_time_is_read_while_times_are_offered_only(text: str) -> None:
    request = ask(text, "option", SLOTS)
    answer = read_plain_answer(request)
    assert answer is not None and answer.kind is PlainKind.TIME, text
    assert answer.fill.intent in (Intent.CHOOSE_OPTION, Intent.CHANGE)
    agrees_with_offline(request)
    for expecting in ("yes_no", "date", "service", "master", None, "reminder"):
        assert read_plain_answer(ask(text, expecting)) is None, (text, expecting)
    assert read_plain_answer(ask(text, "option", CHOICES)) is None  # no times offered


MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]  # fmt: skip
dates = st.one_of(
    st.sampled_from(
        [
            "завтра",
            "на завтра",
            "послезавтра",
            "сегодня",
            "в пятницу",
            "в субботу",
            "на понедельник",
            "в следующий вторник",
            "через 3 дня",
            "tomorrow",
        ]
    ),
    st.builds(
        lambda d, m, form: form.format(d=d, m=m, month=MONTHS[m - 1]),
        st.integers(1, 28),
        st.integers(1, 12),
        st.sampled_from(["{d} {month}", "на {d} {month}", "{d:02d}.{m:02d}", "{d}.{m:02d}"]),
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(dates)
def test_a_bare_date_is_read_at_which_day_only(text: str) -> None:
    for state in ("collecting", "rescheduling"):
        request = ask(text, "date", state=state)
        answer = read_plain_answer(request)
        assert answer is not None and answer.kind is PlainKind.DATE, text
        assert answer.fill.intent is Intent.BOOK and answer.fill.date is not None
        agrees_with_offline(request)
    for expecting in ("yes_no", "service", "master", "option", None, "reminder", "change"):
        assert read_plain_answer(ask(text, expecting, SLOTS)) is None, (text, expecting)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.one_of(dates, times),
    st.sampled_from([" и ", ", ", " "]),
    st.sampled_from(["к Бари", "на стрижку", "вечером", "или позже", "а где вы?", "нет"]),
)
def test_a_day_or_time_with_anything_more_reaches_the_llm(when: str, sep: str, more: str) -> None:
    for text in (when + sep + more, more + sep + when):
        assert read_plain_answer(ask(text, "date")) is None, text
        assert read_plain_answer(ask(text, "option", SLOTS)) is None, text


def test_a_day_that_does_not_exist_is_plain_and_said_so() -> None:
    answer = read_plain_answer(ask("31 февраля", "date"))
    assert answer is not None and answer.fill.invalid_date == "31 февраля"
    assert answer.fill.date is None


@pytest.mark.parametrize(("name", "catalogue"), CATALOGUES)
def test_no_catalogue_name_is_ever_part_of_a_plain_answer(name: str, catalogue: Catalogue) -> None:
    """Whatever a salon calls its services and masters, a text naming one is never plain
    (and a plain fill never carries a service or a master)."""
    names = [*catalogue.service_names, *catalogue.masters]
    assert names, name
    for said in names:
        for text in (said, f"да, {said}", f"{said} да", f"2 {said}", f"завтра {said}",
                     f"в 18:00 {said}", f"нет, {said}"):  # fmt: skip
            for expecting in EVERY_QUESTION:
                for options in ((), SLOTS, CHOICES):
                    request = ask(text, expecting, options, catalogue)
                    answer = read_plain_answer(request)
                    assert answer is None, (name, text, expecting)


@pytest.mark.parametrize(("name", "catalogue"), CATALOGUES)
def test_plain_answers_read_the_same_in_every_salon(name: str, catalogue: Catalogue) -> None:
    for text, expecting, options, kind in (
        ("да", "yes_no", (), PlainKind.YES_NO), ("2", "option", SLOTS, PlainKind.OPTION),
        ("14:30", "option", SLOTS, PlainKind.TIME), ("завтра", "date", (), PlainKind.DATE),
    ):  # fmt: skip
        request = ask(text, expecting, options, catalogue)
        answer = read_plain_answer(request)
        assert answer is not None and answer.kind is kind, (name, text)
        agrees_with_offline(request)


def test_long_texts_are_never_plain() -> None:
    assert read_plain_answer(ask("да " * 40, "yes_no")) is None
    assert read_plain_answer(ask("", "yes_no")) is None
    assert read_plain_answer(ask("...", "yes_no")) is None


def test_the_day_is_read_on_the_salons_clock() -> None:
    late = dt.datetime(2025, 7, 23, 22, 30, tzinfo=dt.UTC)  # already the 24th in Moscow
    request = FillRequest(text="завтра", state="collecting", catalogue=DEMO, now=late,
                          timezone=MOSCOW, expecting="date")  # fmt: skip
    answer = read_plain_answer(request)
    assert answer is not None and answer.fill.date == "2025-07-25"
