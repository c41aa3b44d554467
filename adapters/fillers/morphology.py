"""The pymorphy3 analyzer of the offline filler: built once per process, its word graphs
read from their files in place.

pymorphy3 (through DAWG-Python) copies its word graphs — the words, the suffixes it
guesses unknown words by, the tag probabilities, ~14 MB — into arrays on the heap. The
arrays hold the files' bytes unchanged, so once the analyzer is built each one is swapped
for a read-only memory map of its own file (checked byte for byte first; a file laid out
otherwise keeps its array). The kernel then pages in only the parts that the words read
touch, shares them between worker processes and may drop them under memory pressure: a
worker's private memory holds ~14 MB less (issue 15, BENCHMARKS.md section 4).

The dictionary's folder is named directly: finding it through the packages' entry points
would import `importlib.metadata` and the `email` package (~2 MB) for one path.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.fillers.once import once

if TYPE_CHECKING:
    import pymorphy3


@once
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The process's one analyzer (~0.3 s to build, in the first turn's filler thread;
    pymorphy3 itself is imported then too, so an idle worker does not hold it)."""
    import pymorphy3
    import pymorphy3_dicts_ru

    path = Path(pymorphy3_dicts_ru.get_path())
    built = pymorphy3.MorphAnalyzer(path=str(path), lang="ru")
    for dawg, name in word_graphs(built):
        map_in_place(dawg, path / name)
    return built


def word_graphs(built: pymorphy3.MorphAnalyzer) -> list[tuple[Any, str]]:
    """The analyzer's word graphs and their files."""
    graphs: list[tuple[Any, str]] = [(built.dictionary.words, "words.dawg")]
    graphs += [
        (dawg, f"prediction-suffixes-{n}.dawg")
        for n, dawg in enumerate(built.dictionary.prediction_suffixes_dawgs)
    ]
    if built.prob_estimator is not None:
        graphs.append((built.prob_estimator.p_t_given_w, "p_t_given_w.intdawg"))
    return graphs


def map_in_place(dawg: Any, path: Path) -> bool:
    """Swap the graph's unit arrays (its dictionary, then its guide if it has one; each
    stored as a 4-byte count and the units) for views of the mapped file. False, and
    nothing swapped, unless the file holds exactly the arrays' bytes."""
    parts = [part for part in (dawg.dct, getattr(dawg, "guide", None)) if part is not None]
    # The check reads the file, not the map: a page read through the map would stay in
    # this process's resident set.
    with path.open("rb") as file:
        stored = file.read()
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    views: list[memoryview] = []
    offset = 0
    for part in parts:
        units = part._units
        start, end = offset + 4, offset + 4 + len(units) * units.itemsize
        if stored[start:end] != units.tobytes():
            return False
        views.append(memoryview(mapped)[start:end].cast(units.typecode))
        offset = end
    for part, view in zip(parts, views, strict=True):
        part._units = view
    return True


def is_mapped(built: pymorphy3.MorphAnalyzer) -> bool:
    """Whether every word graph of the analyzer reads its file in place."""
    return all(
        isinstance(part._units, memoryview)
        for dawg, _ in word_graphs(built)
        for part in (dawg.dct, getattr(dawg, "guide", None))
        if part is not None
    )
