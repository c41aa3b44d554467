"""The pymorphy3 analyzer of the offline filler: built once per process, its word graphs
read from their files in place.

pymorphy3 (through DAWG-Python) copies its word graphs — the words, the suffixes it
guesses unknown words by, the tag probabilities, ~14 MB — into arrays on the heap. While
the analyzer is built here, DAWG-Python's two readers are swapped for ones that map each
file read-only and view its units where they lie (the same bytes the arrays would hold,
in the same format). The kernel then pages in only the parts that the words read touch,
shares them between worker processes and may drop them under memory pressure: the
analyzer costs ~4 MB instead of 22 MB (issue 15, BENCHMARKS.md section 4), with no 14 MB
copy on the way.

The dictionary's folder is named directly: finding it through the packages' entry points
would import `importlib.metadata` and the `email` package (~2 MB) for one path.
"""

from __future__ import annotations

import contextlib
import mmap
import struct
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Literal

from adapters.fillers.once import once

if TYPE_CHECKING:
    import pymorphy3


@once
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The process's one analyzer (~0.3 s to build, in the first turn's filler thread;
    pymorphy3 itself is imported then too, so an idle worker does not hold it)."""
    import pymorphy3
    import pymorphy3_dicts_ru

    with _graphs_read_in_place():
        return pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path(), lang="ru")


def _mapped_units(file: IO[bytes], typecode: Literal["I", "B"], per_count: int) -> memoryview:
    """What DAWG-Python's readers read — a 4-byte count, then the units — as a view of the
    mapped file, the file left after them for the next reader."""
    (count,) = struct.unpack("=I", file.read(4))
    start = file.tell()
    end = start + count * per_count * struct.calcsize(typecode)
    mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    file.seek(end)
    view: memoryview = memoryview(mapped)[start:end].cast(typecode)
    return view


@contextlib.contextmanager
def _graphs_read_in_place() -> Iterator[None]:
    """DAWG-Python's `Dictionary.read` (units: 32-bit) and `Guide.read` (a pair of bytes
    per unit) map instead of copying, while pymorphy3 loads (once, under `once`'s lock)."""
    from dawg_python import wrapper

    def dictionary_read(self: Any, file: IO[bytes]) -> None:
        self._units = _mapped_units(file, "I", 1)

    def guide_read(self: Any, file: IO[bytes]) -> None:
        self._units = _mapped_units(file, "B", 2)

    saved = wrapper.Dictionary.read, wrapper.Guide.read
    setattr(wrapper.Dictionary, "read", dictionary_read)  # noqa: B010
    setattr(wrapper.Guide, "read", guide_read)  # noqa: B010
    try:
        yield
    finally:
        setattr(wrapper.Dictionary, "read", saved[0])  # noqa: B010
        setattr(wrapper.Guide, "read", saved[1])  # noqa: B010


def word_graphs(built: pymorphy3.MorphAnalyzer) -> list[Any]:
    """The analyzer's word graphs."""
    graphs: list[Any] = [built.dictionary.words, *built.dictionary.prediction_suffixes_dawgs]
    if built.prob_estimator is not None:
        graphs.append(built.prob_estimator.p_t_given_w)
    return graphs


def is_mapped(built: pymorphy3.MorphAnalyzer) -> bool:
    """Whether every word graph of the analyzer reads its file in place."""
    return all(
        isinstance(part._units, memoryview)
        for dawg in word_graphs(built)
        for part in (dawg.dct, getattr(dawg, "guide", None))
        if part is not None
    )
