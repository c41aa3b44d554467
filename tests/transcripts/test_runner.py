"""The runner against the real engine: batching by offsets, and failures that name the step."""

from __future__ import annotations

from typing import Any

from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.transcripts.model import parse_transcript
from engine.transcripts.report import diff, one_line
from engine.transcripts.runner import run_transcript

START = "2025-07-23T15:00:00+03:00"


def transcript(*steps: dict[str, Any], **top: Any) -> Any:
    return parse_transcript({"start": START, "pushname": "Ира", "steps": list(steps), **top}, "t")


async def test_a_wrong_expectation_fails_at_its_step_with_a_diff(
    redis: AsyncRedis, keys: Keys
) -> None:
    t = transcript(
        {"send": "Стрижка к Бари завтра в 18:00", "expect": {"state": "confirming"}},
        {"send": "да", "expect": {"state": "collecting", "replies": {"contains": "не пришло"}}},
        {"send": "никогда не запустится"},
    )
    result = await run_transcript(t, redis, keys)
    assert not result.passed and result.failed_step == 2 and result.steps_run == 2
    line = one_line(result)
    assert line.startswith("FAIL t: step 2: state: expected 'collecting', got 'booked'")
    text = diff(result)
    assert "step 2 of 3 failed" in text and "'не пришло'" in text
    assert "записаны" in text  # the replies the step caused are shown


async def test_offsets_decide_the_batches(redis: AsyncRedis, keys: Keys) -> None:
    # +0, +7 and +14: each gap is under the 10 s quiet window, so one batch; +30 is another.
    pieces = [
        {"text": "Запишите на стрижку", "at": 0},
        {"text": "к Бари", "at": 7},
        {"text": "завтра", "at": 14},
        {"text": "в 18:00", "at": 30},
    ]
    t = transcript({"send": pieces, "expect": {"turns": 2, "state": "confirming"}})
    result = await run_transcript(t, redis, keys)
    assert result.passed, diff(result)


async def test_subset_checks_can_fail(redis: AsyncRedis, keys: Keys) -> None:
    t = transcript(
        {
            "send": "Стрижка к Бари завтра в 18:00",
            "expect": {
                "slots": {"staff_id": 3413964},
                "records": [{"staff_id": 3413963, "at": "2025-07-24 18:00"}],
                "requests": [{"endpoint": "book_record"}],
                "no_requests": ["book_times"],
            },
        }
    )
    result = await run_transcript(t, redis, keys)
    whats = [m.what for m in result.mismatches]
    assert any(w.startswith("slots (staff_id") for w in whats)
    assert "records booked by the bot" in whats
    assert "at least 1 request(s) like" in whats
    assert "no book_times request" in whats


async def test_unused_llm_answers_are_reported(redis: AsyncRedis, keys: Keys) -> None:
    # A voice note never reaches the filler, so the scripted answer is left over.
    t = transcript(
        {"send": [{"type": "ptt"}], "llm": [{"proposal": {"intent": "book"}}]}, filler="llm"
    )
    result = await run_transcript(t, redis, keys)
    assert [m.what for m in result.mismatches] == ["LLM calls (scripted answers unused)"]
