"""The word patterns' guards (adapters/fillers/word_pattern.py, word_keys.py) never change
an answer.

A guard that skipped a text the regex would match would silently drop a slot or an
intent, so it is checked against the plain regex over every pattern the filler uses, on
the labelled utterances, on texts made of the patterns' own words, and on random text —
each with the substring guard of short texts and with the word guard of long ones.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import re
import sys
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adapters.fillers.offline  # noqa: F401  (imports every reading module)
from adapters.fillers import word_pattern as word_pattern_module
from adapters.fillers.labelled import load_cases
from adapters.fillers.regex_parts import split_alternatives
from adapters.fillers.text import normalize, word_pattern
from adapters.fillers.word_keys import WordKeys, word_keys
from adapters.fillers.word_pattern import WordPattern, needles


def _all_patterns() -> list[WordPattern]:
    found: dict[int, WordPattern] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("adapters.fillers"):
            continue
        for value in vars(module).values():
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                for candidate in item if isinstance(item, tuple) else (item,):
                    if isinstance(candidate, WordPattern):
                        found[id(candidate)] = candidate
    return list(found.values())


PATTERNS = _all_patterns()
UTTERANCES = [normalize(case.request.text) for case in load_cases()]
# Words the patterns are made of, so that generated texts often match.
VOCABULARY = sorted(
    {w for p in PATTERNS for w in re.findall(r"[a-zа-я0-9+👍]+", p.pattern) if len(w) > 1}
)


@contextlib.contextmanager
def _words_guard_for_every_text() -> Iterator[None]:
    """The long texts' guard (`word_keys`) for texts of any length, for the time being."""
    saved = word_pattern_module.INDEXED_FROM
    word_pattern_module.INDEXED_FROM = 0
    try:
        yield
    finally:
        word_pattern_module.INDEXED_FROM = saved


def _answers(pattern: WordPattern | re.Pattern[str], text: str) -> tuple[object, ...]:
    found, matched = pattern.search(text), pattern.match(text)
    return (
        found and (found.span(), found.groupdict()),
        [m.span() for m in pattern.finditer(text)],
        matched and matched.span(),
    )


def _same(pattern: WordPattern, text: str) -> None:
    """The same answers as the plain regex, with either guard."""
    expected = _answers(pattern.regex, text)
    assert _answers(pattern, text) == expected, (pattern.pattern, text)
    with _words_guard_for_every_text():
        assert _answers(pattern, text) == expected, (pattern.pattern, text)


def test_the_filler_has_guarded_patterns() -> None:
    # The check below is only worth something if most patterns are guarded.
    guarded = [p for p in PATTERNS if p.guarded]
    assert len(PATTERNS) >= 40
    assert len(guarded) >= 0.8 * len(PATTERNS)
    assert len([p for p in PATTERNS if p.keyed]) >= 0.8 * len(PATTERNS)


def test_long_texts_take_the_words_guard() -> None:
    long_text = "\n".join(UTTERANCES)[: 4 * word_pattern_module.INDEXED_FROM]
    assert len(long_text) >= word_pattern_module.INDEXED_FROM
    for pattern in PATTERNS:
        assert _answers(pattern, long_text) == _answers(pattern.regex, long_text)


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:40])
def test_a_guard_agrees_with_its_regex_on_every_labelled_utterance(pattern: WordPattern) -> None:
    for text in UTTERANCES:
        _same(pattern, text)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.sampled_from(VOCABULARY),
            st.text(alphabet="абвгдеклмнопрстуя ", min_size=1, max_size=6),
            st.sampled_from(["18:00", "в 7", "+", "👍", "?", ",", "  ", "не", "да", "_", "5", "-"]),
            st.sampled_from(["+7 916 123-45-67", "89161234567", "+44 20 7946 0958", "7(916)"]),
        ),
        max_size=12,
    ),
    joiner=st.sampled_from([" ", "", ", ", "\n"]),
)
def test_a_guard_agrees_with_its_regex_on_generated_texts(words: list[str], joiner: str) -> None:
    text = joiner.join(words)
    for pattern in PATTERNS:
        _same(pattern, text)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\bперенес\w*", ("перенес",)),
        (r"\bwi-?fi\b", ("wi",)),  # the first of the longest
        (r"\bда+\b", ("да",)),
        (r"\bab{0,2}c", ("a",)),
        (r"\bне\s+(?:надо|нужно)\b", ("надо", "нужно")),
        (r"\b(?P<n>\d)\s*-?\s*(?:й|ой)", ("й", "ой")),
        (r"(?:ab)?cd", ("cd",)),
        (r"(?=x)abc", ("abc",)),
        (r"[#№]\s*\d", None),
        (r"a\.b", ("a.b",)),
        (r"\+\s?7|8", ("+",)),
        (r"\d\+?x", ("x",)),
        (r"x*", None),
    ],
)
def test_needles_are_what_every_match_contains(
    source: str, expected: tuple[str, ...] | None
) -> None:
    assert needles(source) == expected


def test_a_pattern_with_an_unsure_alternative_is_not_guarded() -> None:
    pattern = word_pattern(r"\bперенес\w*|\d+")
    assert not pattern.guarded
    assert pattern.search("в 18") is not None


def test_an_anchored_alternative_is_tried_at_the_start_only() -> None:
    pattern = word_pattern(r"^\W*(?:да|ок)\b|\bподтверждаю\b")
    assert pattern.guarded
    assert pattern.search("  да, верно") is not None
    assert pattern.search("ну да") is None
    assert pattern.search("я подтверждаю") is not None


@pytest.mark.parametrize(
    ("source", "whole", "starts"),
    [
        (r"\bперенес\w*", set(), ("перенес",)),
        (r"\bне\s+(?:смогу\s+)?при(?:ду|йду)\b", {"не"}, ()),  # a space ends the word
        (r"\bотмен(?:и|ю)\b", {"отмени", "отменю"}, ()),
        (r"\bдн[её]м\b", {"днем", "днём"}, ()),
        (r"\bwi-?fi\b", {"wi", "wifi"}, ()),  # with the dash the word ends; without, not
        (r"\bthanks?\b", {"thank", "thanks"}, ()),
        (r"\bне\s*важ\w*", {"не"}, ("неваж",)),
        (r"\b(?:ab)?c", set(), ("abc", "c")),
        (r"\bx(?:ab)*c", set(), ("x",)),  # a part that may repeat ends the keys
        (r"\bда+\b", set(), ("да",)),
        (r"\bмастер\w*|\bмастер\b", set(), ("мастер",)),
        (r"\bбез(?<!время без)\s+разницы\b", {"без"}, ()),  # a look-behind is passed over
        (r"\b(?:к|у)\s+(?:моему|своему)\s+мастер\w*", {"к", "у"}, ()),
        (r"\bсколько\s+(?:\w+\s+){0,2}стоит", {"сколько"}, ()),
        (r"\bab\.c", {"ab"}, ()),  # an escaped non-letter ends the word
        (r"\bab(?:c|d\w*)", set(), ("abc", "abd")),
        (r"\bab(?:c|d)?x", set(), ("abcx", "abdx", "abx")),
        (r"\b(?:this |on the )?weekend\b", {"this", "on", "weekend"}, ()),
        (r"\bab$", {"ab"}, ()),
    ],
)
def test_word_keys_are_what_every_match_begins_with(
    source: str, whole: set[str], starts: tuple[str, ...]
) -> None:
    keys = [word_keys(part) for part in split_alternatives(source)]
    assert None not in keys
    assert functools.reduce(operator.or_, keys) == WordKeys(frozenset(whole), starts)


@pytest.mark.parametrize(
    "source",
    [
        r"перенес\w*",  # no word boundary first
        r"\b(?:this\w*)?\s*weekend\b",  # may begin with anything
        r"\b[#№]\s*\d",  # begins with a non-letter
        r"\b\d+",
        r"\b(?i:да)",  # inline flags: unsure
    ],
)
def test_no_word_keys_when_a_match_may_begin_otherwise(source: str) -> None:
    assert word_keys(source) is None


@pytest.mark.parametrize(
    ("source", "flags"),
    [
        (r"\bнет\b", re.ASCII),  # `\b` between "Q" and "н" only in ASCII mode
        (r"\bда\b|(?a:\bнет\b)", 0),
        (r"\bн е т\b", re.VERBOSE),  # the spaces are not the text's
        (r"\bНЕТ\b", re.IGNORECASE),
    ],
)
def test_flags_the_guards_cannot_read_leave_the_pattern_unguarded(source: str, flags: int) -> None:
    pattern = word_pattern(source, flags)
    assert not pattern.guarded and not pattern.keyed
    text = "ы " * 3000 + "Qнетx"
    assert bool(pattern.search(text)) == bool(re.search(source, text, flags))
