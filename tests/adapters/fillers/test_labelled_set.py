"""Every labelled utterance, one test each: the offline filler must read all its slots.

Cases marked `known_miss` in the fixture are strict xfails: they must still be wrong, so a
fix shows up as a failure asking to clear the mark.
"""

from __future__ import annotations

import pytest

from adapters.fillers.labelled import DEFAULT_PATH, LabelledCase, load_cases, mismatches
from adapters.fillers.offline import OfflineFiller

CASES = load_cases(DEFAULT_PATH)


def _param(case: LabelledCase) -> object:
    marks = [pytest.mark.xfail(reason=case.known_miss, strict=True)] if case.known_miss else []
    return pytest.param(case, id=case.id, marks=marks)


def test_the_labelled_set_is_large_and_varied() -> None:
    assert len(CASES) >= 150
    english = [c for c in CASES if c.expected["language"] == "en"]
    merged = [c for c in CASES if "\n" in c.request.text]
    assert len(english) >= 15 and len(merged) >= 10
    known = [c for c in CASES if c.known_miss]
    assert len(known) <= len(CASES) // 20, "known misses must stay a short, explained list"


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
async def test_offline_filler_reads_the_utterance(
    case: LabelledCase, offline: OfflineFiller
) -> None:
    fill = await offline.fill(case.request)
    assert mismatches(case, fill) == {}
