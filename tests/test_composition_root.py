"""One composition root: outside `engine/runtime.py` nothing builds a Worker or a
DialogueRunner, except the tests and the benchmark of those classes themselves (a Worker
with a stand-in handler, a DialogueRunner's delivery on its own)."""

from __future__ import annotations

import ast
from pathlib import Path

BUILT_ONLY_BY_THE_RUNTIME = ("Worker", "DialogueRunner")
ROOT = "engine/runtime.py"
UNIT_TESTS = {
    "Worker": {
        "tests/engine/test_worker.py",
        "tests/support/worker_process.py",  # test_worker.py's worker in its own process
        "tests/reliability/test_bounded_batches.py",
        "tests/engine/test_batch_claims.py",  # a pass's claims against its free slots
        "benchmarks/lag_worker.py",  # the Worker's flush lag, with a handler that does nothing
    },
    "DialogueRunner": {"tests/engine/test_reply_delivery.py"},
}
SOURCES = ("engine", "states", "adapters", "tests", "benchmarks")


def constructions(path: Path) -> set[str]:
    """The names of BUILT_ONLY_BY_THE_RUNTIME called in `path` (`Worker(...)`, `x.Worker(...)`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in BUILT_ONLY_BY_THE_RUNTIME:
            found.add(name)
    return found


def test_only_the_runtime_builds_workers_and_dialogue_runners(repo_root: Path) -> None:
    offenders = []
    built_by_root = set()
    for folder in SOURCES:
        for path in sorted((repo_root / folder).rglob("*.py")):
            where = path.relative_to(repo_root).as_posix()
            for name in constructions(path):
                if where == ROOT:
                    built_by_root.add(name)
                elif where not in UNIT_TESTS[name]:
                    offenders.append(f"{where} builds {name}")
    assert offenders == [], "build it with engine.runtime.open_runtime instead"
    assert built_by_root == set(BUILT_ONLY_BY_THE_RUNTIME)  # the check can fail: it sees them


def test_the_check_sees_a_construction(tmp_path: Path) -> None:
    source = tmp_path / "wiring.py"
    source.write_text("w = engine.worker.Worker(b, h, c)\nr = DialogueRunner(s)\n")
    assert constructions(source) == {"Worker", "DialogueRunner"}
