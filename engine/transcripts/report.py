"""What a failed transcript says: which step, what was expected, what came.

`one_line` is the `ai-admin replay` line; `diff` is the full, readable account used by
pytest's failure message and printed under the FAIL line.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.transcripts.runner import TranscriptResult


@dataclasses.dataclass(frozen=True)
class Mismatch:
    what: str  # e.g. "state", "replies contain 'Бари'", "request book_record"
    expected: Any
    got: Any


def show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines() or [""])


def pass_line(result: TranscriptResult) -> str:
    n = len(result.transcript.steps)
    return f"PASS {result.transcript.name} ({n} steps, {result.elapsed_ms} ms)"


def one_line(result: TranscriptResult) -> str:
    if result.passed:
        return pass_line(result)
    first = result.mismatches[0]
    more = f" (+{len(result.mismatches) - 1} more)" if len(result.mismatches) > 1 else ""
    got = show(first.got).replace("\n", "\\n")
    if len(got) > 160:
        got = got[:157] + "..."
    return (
        f"FAIL {result.transcript.name}: step {result.failed_step}: {first.what}: "
        f"expected {show(first.expected)}, got {got}{more}"
    )


def diff(result: TranscriptResult) -> str:
    """Every mismatch of the failed step, and the replies that step caused."""
    if result.passed:
        return pass_line(result)
    t = result.transcript
    number = result.failed_step or 0
    step = t.steps[number - 1]
    sent = [m if isinstance(m, str) else (m.text or f"<{m.type}>") for m in step.send]
    lines = [
        f"transcript {t.name}: step {number} of {len(t.steps)} failed",
        f"  sent: {show(sent)}" + (f"  ({step.note})" if step.note else ""),
    ]
    for m in result.mismatches:
        lines.append(f"  - {m.what}")
        lines.append(_indent(show(m.expected), "      expected: "))
        lines.append(_indent(show(m.got), "      got:      "))
    for i, reply in enumerate(result.replies, start=1):
        lines.append(f"  reply {i}:")
        lines.append(_indent(reply, "      | "))
    return "\n".join(lines)


def error_line(name: str, reason: str) -> str:
    """A transcript that could not be read or run: still one FAIL line, no traceback."""
    return f"FAIL {name}: {reason}"
