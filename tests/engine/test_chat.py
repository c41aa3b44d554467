"""`ai-admin chat` as a user runs it: a subprocess fed lines on stdin, with its own data dir.

The chat uses the service's state, so `ai-admin inspect` (another process) sees the
conversation afterwards. The real clock is in play: "завтра в 12:00 к любому мастеру" is
free on every day of the week in the demo salon, whichever master that turns out to be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_engine(
    *args: str, data_dir: Path, stdin: str = "", timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    # An isolated embedded Redis under `data_dir`, the demo salon and the offline filler,
    # whatever the surrounding environment says.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("YCLIENTS_", "OPENAI_", "REDIS_URL", "SALON_"))
    }
    env["AI_ADMIN_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        input=stdin, cwd=data_dir.parent, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def test_a_booking_in_the_terminal_is_persisted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = ["Запишите на стрижку к любому мастеру завтра в 12:00", "да", "Марина", "/quit", "ещё"]
    chat = run_engine("chat", "--phone", "79990000001", data_dir=data, stdin="\n".join(lines))
    assert chat.returncode == 0, chat.stderr
    replies = [line for line in chat.stdout.splitlines() if line.startswith("bot> ")]
    assert len(replies) == 3, chat.stdout  # one answer per line typed; none after /quit
    assert replies[0].startswith("bot> Проверьте") and "12:00" in chat.stdout
    assert "имя" in replies[1]  # the terminal has no push name: the bot asks
    assert "вы записаны" in replies[2]

    inspected = run_engine("inspect", "79990000001", data_dir=data)
    assert inspected.returncode == 0, inspected.stderr
    view = json.loads(inspected.stdout)
    assert view["state"] == "booked" and view["client_name"] == "Марина"
    assert view["slots"]["time"] == "12:00" and type(view["slots"]["staff_id"]) is int
    assert view["slot_sources"]["staff_id"] == "any:first_free"
    assert view["booking"]["record_id"] > 0
    assert view["last_turn"]["batch"] == ["Марина"]  # "ещё" came after /quit


def test_end_of_input_ends_the_chat_on_the_default_phone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    chat = run_engine("chat", data_dir=data, stdin="Здравствуйте\n")
    assert chat.returncode == 0, chat.stderr
    assert "bot> Здравствуйте!" in chat.stdout and "услугу" in chat.stdout
    view = json.loads(run_engine("inspect", "79990000000", data_dir=data).stdout)
    assert view["state"] == "collecting" and view["last_turn"]["batch"] == ["Здравствуйте"]


def test_help_names_the_default_phone_and_a_bad_flag_is_one_line(tmp_path: Path) -> None:
    helped = run_engine("chat", "--help", data_dir=tmp_path / "data")
    assert helped.returncode == 0 and "79990000000" in helped.stdout
    bad = run_engine("chat", "--phone", "abc", data_dir=tmp_path / "data")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
