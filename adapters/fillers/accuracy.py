"""Per-slot accuracy of a slot filler over the labelled utterances.

    python -m adapters.fillers.accuracy [--filler offline|openai] [--show-misses] [--check] [PATH]

PATH is a labelled YAML file or a folder of them (default fixtures/nlu). `--filler openai`
reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL from the environment. `--check`
exits 1 when a case not marked `known_miss` is wrong (or a known miss is now right).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from adapters.fillers.labelled import DEFAULT_PATH, SLOTS, LabelledCase, load_cases, mismatches
from adapters.fillers.offline import OfflineFiller
from adapters.fillers.openai_filler import OpenAIFiller, make_openai_client
from states.slot_fill import SlotFill, SlotFiller


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m adapters.fillers.accuracy",
        description="Print per-slot accuracy of a slot filler over labelled utterances.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=DEFAULT_PATH,
        help="labelled YAML file or folder (default: fixtures/nlu)",
    )
    parser.add_argument("--filler", choices=("offline", "openai"), default="offline")
    parser.add_argument("--show-misses", action="store_true", help="print every wrong case")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 on an unexpected miss or an unexpected pass"
    )
    return parser  # fmt: skip


def _filler(kind: str) -> SlotFiller:
    if kind == "offline":
        return OfflineFiller()
    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        raise _UsageError("OPENAI_API_KEY is not set (needed for --filler openai)")
    client = make_openai_client(key, os.environ.get("OPENAI_BASE_URL") or None)
    return OpenAIFiller(client, os.environ.get("OPENAI_MODEL") or "gpt-4o-mini")


async def _fill_all(filler: SlotFiller, cases: Sequence[LabelledCase]) -> list[SlotFill]:
    return [await filler.fill(case.request) for case in cases]


def report(cases: Sequence[LabelledCase], fills: Sequence[SlotFill]) -> tuple[str, list[str]]:
    """(the accuracy table, one line per unexpected result)."""
    correct = dict.fromkeys(SLOTS, 0)
    exact = 0
    surprises: list[str] = []
    misses: list[str] = []
    for case, fill in zip(cases, fills, strict=True):
        wrong = mismatches(case, fill)
        for slot in SLOTS:
            correct[slot] += slot not in wrong
        exact += not wrong
        if wrong:
            detail = ", ".join(f"{s}: want {e!r} got {g!r}" for s, (e, g) in wrong.items())
            misses.append(f"  {case.id}: {case.request.text!r}: {detail}")
        if bool(wrong) != bool(case.known_miss):
            kind = "unexpected miss" if wrong else "known miss now passes"
            surprises.append(f"{kind}: {case.id}")
    total = len(cases)
    lines = [f"{'slot':<10} {'correct':>9} {'accuracy':>9}"]
    for slot in SLOTS:
        lines.append(
            f"{slot:<10} {correct[slot]:>4}/{total:<4} {100 * correct[slot] / total:>8.1f}%"
        )
    lines.append(f"{'all slots':<10} {exact:>4}/{total:<4} {100 * exact / total:>8.1f}%")
    known = sum(1 for c in cases if c.known_miss)
    lines.append(f"cases: {total}, marked known misses: {known}")
    return "\n".join(lines), surprises + (["misses:", *misses] if misses else [])


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed one line on stderr
        return int(exc.code or 0)
    try:
        filler = _filler(args.filler)
        cases = load_cases(args.path)
    except (_UsageError, OSError, ValueError, KeyError) as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return 2
    if not cases:
        print(f"accuracy: no labelled cases in {args.path}", file=sys.stderr)
        return 2
    fills = asyncio.run(_fill_all(filler, cases))
    table, notes = report(cases, fills)
    print(f"filler: {args.filler}, labelled set: {args.path}")
    print(table)
    surprises = [n for n in notes if n.startswith(("unexpected", "known miss"))]
    for line in surprises:
        print(line)
    if args.show_misses:
        print("\n".join(n for n in notes if n not in surprises))
    return 1 if args.check and surprises else 0


if __name__ == "__main__":
    sys.exit(main())
