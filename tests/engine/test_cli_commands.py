"""`ai-admin sandbox` and `ai-admin inspect` as a newcomer runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.request import Request, urlopen

REPO = Path(__file__).resolve().parents[2]
BANNER = re.compile(
    r"^sandbox: base_url=(http://127\.0\.0\.1:\d+) company_id=(\d+) "
    r"partner_token=(\S+) user_token=(\S+)$"
)


def test_sandbox_command_prints_the_banner_and_answers_curl_like_calls() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "sandbox", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        match = BANNER.match(proc.stdout.readline().strip())
        assert match, "the first stdout line is the banner"
        base_url, company_id, partner, _user = match.groups()
        request = Request(f"{base_url}/api/v1/companies?my=1")
        request.add_header("Authorization", f"Bearer {partner}")
        with urlopen(request, timeout=10) as response:
            body = json.loads(response.read())
        assert body["success"] is True and body["data"][0]["id"] == int(company_id)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def ai_admin(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ai-admin ARGS` on the embedded Redis kept in `data_dir` (no REDIS_URL)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["AI_ADMIN_DATA_DIR"] = str(data_dir / "data")
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_inspect_of_an_unknown_phone_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = ai_admin(tmp_path, "inspect", "79990001122")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "ai-admin: no conversation with 79990001122"


def test_pause_and_resume_a_chat_from_the_command_line(tmp_path: Path) -> None:
    """`ai-admin pause PHONE --for 2h`, seen by `inspect`, then `ai-admin resume PHONE`."""
    paused = ai_admin(tmp_path, "pause", "79990001122", "--for", "2h")
    assert paused.returncode == 0, paused.stderr
    until = json.loads(paused.stdout)["paused_until"]
    view = json.loads(ai_admin(tmp_path, "inspect", "79990001122").stdout)
    assert view["paused_until"] == until and view["takeover"]["reason"] == "operator"
    resumed = ai_admin(tmp_path, "resume", "79990001122")
    assert resumed.returncode == 0 and json.loads(resumed.stdout) == {"paused_until": None}
    assert ai_admin(tmp_path, "inspect", "79990001122").returncode == 1  # nothing left to show
    bad = ai_admin(tmp_path, "pause", "79990001122", "--for", "forever")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
