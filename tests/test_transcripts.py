"""The transcript suite: every file in fixtures/transcripts is one test, id = file stem.

A failure prints the runner's diff: the transcript, the step, what was expected, what came.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.transcripts.model import load_transcript
from engine.transcripts.replay import discover
from engine.transcripts.report import diff
from engine.transcripts.runner import run_transcript

TRANSCRIPTS = discover([Path(__file__).resolve().parent.parent / "fixtures" / "transcripts"])


def test_the_suite_is_there() -> None:
    assert len(TRANSCRIPTS) >= 40


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
async def test_transcript(path: Path, redis: AsyncRedis, keys: Keys) -> None:
    result = await run_transcript(load_transcript(path), redis, keys)
    assert result.passed, diff(result)
    assert result.steps_run == len(result.transcript.steps)
