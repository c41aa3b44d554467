"""`ai-admin replay` as a user runs it: a real subprocess, one line per transcript."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "fixtures_broken" / "wrong_master_expected.yaml"
GOOD = REPO / "fixtures" / "transcripts" / "log_four_pieces_booking.yaml"


def replay(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YCLIENTS_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "engine", "replay", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def test_a_broken_transcript_fails_with_the_step_named(tmp_path: Path) -> None:
    result = replay(BROKEN, GOOD, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # one line per transcript
    assert lines[0].startswith("FAIL wrong_master_expected: step 2: records booked by the bot")
    assert lines[1].startswith("PASS log_four_pieces_booking (2 steps, ")
    assert "step 2 of 2 failed" in result.stderr and "3413964" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_of_good_transcripts_passes(tmp_path: Path) -> None:
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.yaml")
    shutil.copy(REPO / "fixtures" / "transcripts" / "cancel_upcoming_visit.yaml", folder / "b.yml")
    result = replay(folder, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["PASS", "a"],
        ["PASS", "b"],
    ]


def test_bad_yaml_and_a_missing_file_are_fail_lines_not_tracebacks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("start: [unclosed\n", encoding="utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text('start: "2025-07-23T15:00:00+03:00"\nstep: []\n', encoding="utf-8")
    result = replay(bad, typo, tmp_path / "missing.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FAIL bad: ") and "not valid YAML" in lines[0]
    assert lines[1].startswith("FAIL typo: ") and "step: unknown key" in lines[1]
    assert lines[2].startswith("FAIL missing: ") and "cannot read" in lines[2]
    assert "Traceback" not in result.stderr


def test_help_and_bad_flag(tmp_path: Path) -> None:
    helped = replay("--help", cwd=tmp_path)
    assert helped.returncode == 0 and "PATH" in helped.stdout
    bad = replay("--nope", "x", cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
