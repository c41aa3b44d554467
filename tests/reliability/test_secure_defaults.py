"""Secure by default, like Redis's protected mode (issue 11: with no tokens `serve` listened
on 0.0.0.0, anyone could read and reset conversations, and startup said nothing).

The real `ai-admin` command in a child process: it listens on loopback unless told
otherwise; beyond loopback it needs both tokens or an explicit AI_ADMIN_INSECURE=1, and
then says loudly that it runs open; a whitespace-only token is a configuration error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.serve_process import ServeProcess, free_port, service_env


def run(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", command],
        cwd=tmp_path,
        env=service_env(tmp_path / "data", free_port(), **env),
        capture_output=True,
        text=True,
        timeout=30,  # a refusal is immediate; a service that starts instead fails here
        check=False,
    )


@pytest.mark.parametrize("command", ["serve", "webhook"])
@pytest.mark.parametrize(
    "env",
    [
        {"HOST": "0.0.0.0"},
        {"HOST": "::", "WEBHOOK_TOKEN": "a-webhook-token"},
        {"HOST": "192.0.2.10", "ADMIN_TOKEN": "an-admin-token"},
        {"HOST": "salon.example.com", "AI_ADMIN_INSECURE": "0"},
    ],
    ids=["no-tokens", "no-admin-token", "no-webhook-token", "host-name"],
)
def test_listening_beyond_loopback_without_both_tokens_refuses_to_start(
    command: str, env: dict[str, str], tmp_path: Path
) -> None:
    result = run(command, tmp_path, **env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("ai-admin: configuration error: HOST:") and "AI_ADMIN_INSECURE=1" in line
    assert not (tmp_path / "data").exists()  # refused before anything was started


@pytest.mark.parametrize("variable", ["WEBHOOK_TOKEN", "ADMIN_TOKEN", "WHATSAPP_APP_SECRET"])
def test_a_whitespace_only_token_is_a_configuration_error(variable: str, tmp_path: Path) -> None:
    result = run("serve", tmp_path, **{variable: " \t "})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line == f"ai-admin: configuration error: {variable}: is only whitespace; unset it " \
        "or give a real value"  # fmt: skip


async def test_by_default_it_listens_on_loopback_and_says_the_endpoints_are_local(
    tmp_path: Path,
) -> None:
    service = ServeProcess(tmp_path, "webhook")  # HOST unset
    try:
        await service.start()
    finally:
        await service.close()
    log = service.log()
    assert f"listening on http://127.0.0.1:{service.port}" in log
    assert "open to this machine only" in log and "INSECURE" not in log


async def test_running_open_on_purpose_is_said_loudly(tmp_path: Path) -> None:
    service = ServeProcess(tmp_path, "webhook", HOST="0.0.0.0", AI_ADMIN_INSECURE="1")
    try:
        await service.start()
    finally:
        await service.close()
    [warning] = [line for line in service.log().splitlines() if "INSECURE" in line]
    assert '"level": "WARNING"' in warning
    assert "WEBHOOK_TOKEN and ADMIN_TOKEN unset" in warning and "0.0.0.0" in warning
