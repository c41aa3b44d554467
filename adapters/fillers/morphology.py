"""The pymorphy3 analyzer of the offline filler: built once per process, its word graphs
read from their files by pages, as lookups need them.

pymorphy3 (through DAWG-Python) copies its word graphs — the words, the suffixes it
guesses unknown words by, the tag probabilities, ~14 MB — into arrays on the heap. While
the analyzer is built here, DAWG-Python's two readers are swapped for ones that leave the
units in the file and read a 4 KB page of them the first time a lookup looks into it
(`PagedUnits`: the same bytes the arrays would hold, in the same format). The analyzer
costs ~4 MB instead of 22 MB, plus the pages its words touched (issue 15, BENCHMARKS.md
section 4), with no 14 MB copy on the way. (Mapping the files instead put several MB of
them into the worker's RSS within a few dozen turns: see `PagedUnits`.)

The dictionary's folder is named directly: finding it through the packages' entry points
would import `importlib.metadata` and the `email` package (~2 MB) for one path.
"""

from __future__ import annotations

import array
import contextlib
import os
import struct
import weakref
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


PAGE_BYTES = 4096


class PagedUnits:
    """A word graph's units, read from its file a page (4 KB) at a time when first looked
    at, and kept: the sequence DAWG-Python indexes (`units[i]`, `len(units)`).

    Mapping the file would cost more: the kernel maps the pages around each one a lookup
    faults in (64 KB and more), so a few hundred words' lookups put most of the 14 MB of
    graphs into the worker's RSS. Read by pages, a worker holds the pages its words touched.
    Those pages are private and kept: a worker that meets many different words over its
    life (typos, names, long messages) grows toward the whole 14 MB, once per process
    (a review counted 83 % of the pages after 20,000 random words).
    Threads may load the same page at once; both read the same bytes, either is kept."""

    __slots__ = ("__weakref__", "_fd", "_length", "_pages", "_per_page", "_start", "_typecode")

    def __init__(self, fd: int, start: int, length: int, typecode: Literal["I", "B"]) -> None:
        self._fd = fd  # a descriptor of its own: the graph's file object is closed after load
        weakref.finalize(self, os.close, fd)  # a build that fails halfway leaks none
        self._start = start
        self._length = length
        self._typecode = typecode
        self._per_page = PAGE_BYTES // struct.calcsize(typecode)
        self._pages: list[array.array[int] | None] = [None] * -(-length // self._per_page)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> int:
        if not 0 <= index < self._length:
            raise IndexError("word graph unit index out of range")
        number, at = divmod(index, self._per_page)
        page = self._pages[number]
        if page is None:
            page = self._pages[number] = self._read(number)
        return page[at]

    def _read(self, number: int) -> array.array[int]:
        first = number * self._per_page
        count = min(self._per_page, self._length - first)
        size = struct.calcsize(self._typecode)
        data = os.pread(self._fd, count * size, self._start + first * size)
        return array.array(self._typecode, data)


def _paged_units(file: IO[bytes], typecode: Literal["I", "B"], per_count: int) -> PagedUnits:
    """What DAWG-Python's readers read — a 4-byte count, then the units — left in the file,
    read by pages on demand; the file is left after them for the next reader."""
    (count,) = struct.unpack("=I", file.read(4))
    start = file.tell()
    length = count * per_count
    file.seek(start + length * struct.calcsize(typecode))
    return PagedUnits(os.dup(file.fileno()), start, length, typecode)


@contextlib.contextmanager
def _graphs_read_in_place() -> Iterator[None]:
    """DAWG-Python's `Dictionary.read` (units: 32-bit) and `Guide.read` (a pair of bytes
    per unit) leave the units in the file, read by pages, while pymorphy3 loads (once,
    under `once`'s lock)."""
    from dawg_python import wrapper

    def dictionary_read(self: Any, file: IO[bytes]) -> None:
        self._units = _paged_units(file, "I", 1)

    def guide_read(self: Any, file: IO[bytes]) -> None:
        self._units = _paged_units(file, "B", 2)

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


def is_paged(built: pymorphy3.MorphAnalyzer) -> bool:
    """Whether every word graph of the analyzer reads its file by pages."""
    return all(
        isinstance(part._units, PagedUnits)
        for dawg in word_graphs(built)
        for part in (dawg.dct, getattr(dawg, "guide", None))
        if part is not None
    )
