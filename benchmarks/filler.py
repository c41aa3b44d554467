"""Benchmark 7: the offline slot filler's time against the length of what it reads.

Two kinds of text, each cut to 1, 2, 4 … 64 KiB of UTF-8 (a 64 KiB message is the largest
the webhook reads):
- **chat**: the labelled utterances one after another — booking words, dates, times and
  names on every line, so every rule has work;
- **random**: Cyrillic words of random letters, every one new to every cache — the worst
  case for the typo and name lookups.
Each point is the best of `--repeats` fresh texts (a new seed each, so no cache helps
across repeats) after one warm-up fill that loads the dictionaries and the salon's
indexes: wall time, and the CPU time of the reading thread (`cpu_ms`: what the filler
costs without the waits for a core that a shared machine adds); "ms per KiB" shows whether
the time grows linearly. Then the event loop's
longest stall while a filler reads three 64 KiB messages in its worker thread.

    .venv/bin/python -m benchmarks.filler [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import random
import sys
import time
from typing import Any
from zoneinfo import ZoneInfo

from adapters.fillers.labelled import DEFAULT_PATH, catalogue_from_salon, load_cases
from adapters.fillers.offline import OfflineFiller
from adapters.yclients.sandbox.fixture import DEMO_SALON
from benchmarks.common import command_line, report
from states.slot_fill import Catalogue, FillRequest

NOW = dt.datetime(2025, 11, 30, 15, 30, tzinfo=ZoneInfo("Europe/Moscow"))
SIZES_KIB = (1, 2, 4, 8, 16, 32, 64)
_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _cut(text: str, size: int) -> str:
    return text.encode()[:size].decode("utf-8", errors="ignore")


def chat_text(size: int, seed: int) -> str:
    lines = [c.request.text for c in load_cases(DEFAULT_PATH)]
    random.Random(seed).shuffle(lines)
    text = "\n".join(lines)
    while len(text.encode()) < size:
        text += "\n" + text
    return _cut(text, size)


def random_text(size: int, seed: int) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    total = 0
    while total < size:
        word = "".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 10)))
        words.append(word)
        total += len(word.encode()) + 1
    return _cut(" ".join(words), size)


def _request(text: str, catalogue: Catalogue) -> FillRequest:
    return FillRequest(
        text=text, state="idle", catalogue=catalogue, now=NOW, timezone="Europe/Moscow"
    )


def curve(filler: OfflineFiller, catalogue: Catalogue, kind: str, repeats: int) -> list[Any]:
    make = chat_text if kind == "chat" else random_text
    points = []
    for kib in SIZES_KIB:
        best = cpu = float("inf")
        for seed in range(repeats):
            request = _request(make(kib * 1024, seed * 1000 + kib), catalogue)
            started, started_cpu = time.perf_counter(), time.thread_time()
            filler.fill_now(request)
            best = min(best, time.perf_counter() - started)
            cpu = min(cpu, time.thread_time() - started_cpu)
        points.append({
            "kib": kib, "best_ms": round(best * 1000, 2), "ms_per_kib": round(best * 1000 / kib, 3),
            "cpu_ms": round(cpu * 1000, 2),
        })  # fmt: skip
    return points


async def loop_stall(filler: OfflineFiller, catalogue: Catalogue) -> dict[str, Any]:
    """The longest gap between 1 ms ticks of the event loop while `fill` reads 3 × 64 KiB."""
    text = "\n".join(chat_text(64 * 1024, seed) for seed in range(3))
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    await filler.fill(_request(text, catalogue))
    took = time.perf_counter() - started
    done.set()
    await ticker
    return {
        "text_kib": round(len(text.encode()) / 1024, 1),
        "fill_ms": round(took * 1000, 1),
        "longest_loop_stall_ms": round(max(gaps) * 1000, 1),
        "switch_interval_ms": sys.getswitchinterval() * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh texts per point")
    args = parser.parse_args()
    catalogue = catalogue_from_salon(DEMO_SALON)
    filler = OfflineFiller()
    filler.fill_now(_request("Запишите на стрижку завтра в 18:00 к Бари", catalogue))
    # As `ai-admin serve` runs it (engine.wiring.prepare_filler_threads, adapters.fillers.once).
    sys.setswitchinterval(0.001)
    gc.freeze()
    results = {
        "catalogue": DEMO_SALON.name,
        "chat": curve(filler, catalogue, "chat", args.repeats),
        "random": curve(filler, catalogue, "random", args.repeats),
        "event_loop": asyncio.run(loop_stall(filler, catalogue)),
    }
    report("filler", command_line("benchmarks.filler"), results)


if __name__ == "__main__":
    main()
