"""Every labelled utterance, one test each: the offline filler must read all its slots.

Cases marked `known_miss` in the fixture are strict xfails: they must still be wrong, so a
fix shows up as a failure asking to clear the mark. The held-out part (fixtures/nlu/heldout/,
written before the rules saw it and never tuned on) is held to the issue's bound instead:
at least 95 % of its slots read right.
"""

from __future__ import annotations

import pytest

from adapters.fillers.accuracy import is_heldout
from adapters.fillers.labelled import DEFAULT_PATH, SLOTS, LabelledCase, load_cases, mismatches
from adapters.fillers.offline import OfflineFiller

CASES = load_cases(DEFAULT_PATH)
TUNED = [c for c in CASES if not is_heldout(c)]
HELDOUT = [c for c in CASES if is_heldout(c)]
HELDOUT_BOUND = 0.95


def _param(case: LabelledCase) -> object:
    marks = [pytest.mark.xfail(reason=case.known_miss, strict=True)] if case.known_miss else []
    return pytest.param(case, id=case.id, marks=marks)


def test_the_labelled_set_is_large_and_varied() -> None:
    assert len(CASES) >= 400
    assert len({c.salon for c in CASES}) >= 6, "at least six catalogues"
    english = [c for c in CASES if c.expected["language"] == "en"]
    merged = [c for c in CASES if "\n" in c.request.text]
    assert len(english) >= 15 and len(merged) >= 10
    known = [c for c in TUNED if c.known_miss]
    assert len(known) <= len(TUNED) // 20, "known misses must stay a short, explained list"


@pytest.mark.parametrize("case", [_param(c) for c in TUNED])
async def test_offline_filler_reads_the_utterance(
    case: LabelledCase, offline: OfflineFiller
) -> None:
    fill = await offline.fill(case.request)
    assert mismatches(case, fill) == {}


def test_the_held_out_part_is_read_at_95_percent_per_slot(offline: OfflineFiller) -> None:
    assert len(HELDOUT) >= 100 and len({c.salon for c in HELDOUT}) >= 2
    wrong = 0
    misses: list[str] = []
    for case in HELDOUT:
        bad = mismatches(case, offline.fill_now(case.request))
        wrong += len(bad)
        if bad:
            misses.append(f"{case.id}: {sorted(bad)}")
    accuracy = 1 - wrong / (len(HELDOUT) * len(SLOTS))
    assert accuracy >= HELDOUT_BOUND, f"{accuracy:.3f}: {misses}"
