"""The transcript format is strict: a misspelt key is an error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.transcripts.model import (
    Message,
    TranscriptError,
    load_transcript,
    parse_transcript,
    seconds,
)

GOOD = {"start": "2025-07-23T15:00:00+03:00", "steps": [{"send": "да"}]}


def test_a_minimal_transcript_reads_with_defaults() -> None:
    t = parse_transcript(GOOD, "minimal")
    assert t.name == "minimal" and t.phone == "79990001122" and t.filler == "offline"
    assert t.steps[0].send == ["да"]  # a single string is a one-message step
    assert t.start.utcoffset() is not None


def test_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        'start: "2025-07-23T15:00:00+03:00"\nsteps:\n  - send: да\n    expect: {stat: booked}\n',
        encoding="utf-8",
    )
    with pytest.raises(TranscriptError) as caught:
        load_transcript(path)
    assert str(path) in str(caught.value)
    assert "steps.0.expect.stat: unknown key" in str(caught.value)


def test_bad_yaml_is_a_transcript_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("steps: [unclosed\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="not valid YAML"):
        load_transcript(path)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"start": "2025-07-23T15:00:00"}, "UTC offset"),
        ({"steps": []}, "steps"),
        ({"steps": [{"send": "да", "expect": {"state": "done"}}]}, "unknown state"),
        ({"steps": [{"send": "да", "llm": [{"raw": "x"}]}]}, "`filler` is not `llm`"),
        ({"steps": [{"send": "да", "faults": [{"endpoint": "nope"}]}]}, "unknown fault endpoint"),
        ({"steps": [{"expect": {"requests": [{"endpoint": "bookrecord"}]}}]}, "unknown endpoint"),
        ({"steps": [{"wait": "eight days"}]}, "not a duration"),
    ],
)
def test_invalid_values_are_refused(change: dict[str, object], reason: str) -> None:
    with pytest.raises(TranscriptError, match=reason):
        parse_transcript({**GOOD, **change}, "bad")


def test_an_llm_answer_is_exactly_one_kind() -> None:
    raw = {**GOOD, "filler": "llm", "steps": [{"send": "да", "llm": [{"raw": "x", "error": 500}]}]}
    with pytest.raises(TranscriptError, match="exactly one of"):
        parse_transcript(raw, "bad")


def test_a_chat_message_needs_text() -> None:
    with pytest.raises(ValueError, match="needs `text`"):
        Message()
    assert Message(type="ptt").text == ""


def test_durations() -> None:
    assert seconds("8d") == 8 * 86400 and seconds("90s") == 90 and seconds(3) == 3
    assert seconds("500ms") == 0.5 and seconds("2h") == 7200


def test_another_salon_is_a_file_next_to_the_transcript(tmp_path: Path) -> None:
    (tmp_path / "salon.yaml").write_text("company: {id: 1}\n", encoding="utf-8")
    path = tmp_path / "other.yaml"
    path.write_text(
        'start: "2025-07-23T15:00:00+03:00"\nsalon: {file: salon.yaml, faq: faq.yaml}\n'
        "steps:\n  - send: да\n",
        encoding="utf-8",
    )
    with pytest.raises(TranscriptError, match=r"salon\.faq: no such file"):
        load_transcript(path)
    (tmp_path / "faq.yaml").write_text("payment: Картой.\n", encoding="utf-8")
    t = load_transcript(path)
    assert t.salon.file == tmp_path / "salon.yaml" and t.salon.faq == tmp_path / "faq.yaml"
