"""`python -m adapters.fillers.accuracy`: the per-slot table and its exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.fillers.accuracy import main
from tests.adapters.fillers.conftest import REPO

SMALL = """\
now: "2025-07-23T15:30:00+03:00"
timezone: Europe/Moscow
salon: {salon}
cases:
  - {{id: ok, text: "стрижку завтра в 18:00", expect: {{intent: book, services: [Мужская стрижка], date: "2025-07-24", time: "18:00"}}}}
  - {{id: wrong-label, text: "к Бари", expect: {{intent: book, master: Артём}}}}
"""  # noqa: E501


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "small.yaml"
    salon = REPO / "fixtures" / "salon" / "demo.yaml"
    path.write_text(text.format(salon=salon), encoding="utf-8")
    return path


def test_the_table_counts_every_slot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_write(tmp_path, SMALL))]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^master\s+1/2\s+50\.0%$", out, re.MULTILINE)
    assert re.search(r"^date\s+2/2\s+100\.0%$", out, re.MULTILINE)
    assert "unexpected miss: wrong-label" in out


def test_check_fails_on_an_unexpected_miss(tmp_path: Path) -> None:
    assert main(["--check", str(_write(tmp_path, SMALL))]) == 1


def test_an_unquoted_time_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = SMALL.replace('time: "18:00"', "time: 18:00")
    assert main([str(_write(tmp_path, broken))]) == 2
    assert "quoted" in capsys.readouterr().err


def test_a_bad_flag_exits_2() -> None:
    assert main(["--filler", "magic"]) == 2


def test_the_module_runs_over_the_shipped_set_and_passes_check() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters.fillers.accuracy", "--check"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all slots" in result.stdout and "intent" in result.stdout
