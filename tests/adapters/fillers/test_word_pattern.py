"""The word patterns' guard (adapters/fillers/word_pattern.py) never changes an answer.

A guard that skipped a text the regex would match would silently drop a slot or an
intent, so it is checked against the plain regex over every pattern the filler uses, on
the labelled utterances, on texts made of the patterns' own words, and on random text.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adapters.fillers.offline  # noqa: F401  (imports every reading module)
from adapters.fillers.labelled import load_cases
from adapters.fillers.text import normalize, word_pattern
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


def _same(pattern: WordPattern, text: str) -> None:
    plain = pattern.regex
    expected = plain.search(text)
    got = pattern.search(text)
    assert (got and (got.span(), got.groupdict())) == (
        expected and (expected.span(), expected.groupdict())
    ), (pattern.pattern, text)
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)]
    matched, plain_matched = pattern.match(text), plain.match(text)
    assert (matched and matched.span()) == (plain_matched and plain_matched.span())


def test_the_filler_has_guarded_patterns() -> None:
    # The check below is only worth something if most patterns are guarded.
    guarded = [p for p in PATTERNS if p.guarded]
    assert len(PATTERNS) >= 40
    assert len(guarded) >= 0.8 * len(PATTERNS)


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
            st.sampled_from(["18:00", "в 7", "+", "👍", "?", ",", "  ", "не", "да"]),
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
        (r"a\.b", ("a",)),
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
