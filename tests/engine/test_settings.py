"""Settings from a mapping: defaults, every bad value named, and the CLI's exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.settings import Settings, load_settings
from states.errors import ConfigError


def test_defaults_are_demo_mode_with_embedded_redis() -> None:
    s = Settings.from_mapping({})
    assert s.redis_url is None and s.demo
    assert (s.host, s.port, s.insecure) == ("127.0.0.1", 3000, False)
    assert (s.batch_timeout_ms, s.batch_max_size, s.batch_max_wait_ms) == (10_000, 10, 30_000)
    assert s.messenger == "log" and s.openai_model == "gpt-4o-mini"
    assert s.yclients_base_url == "https://api.yclients.com"


def test_limits_and_security_defaults() -> None:
    s = Settings.from_mapping({})
    assert (s.message_max_chars, s.batch_max_chars, s.flood_max_per_min) == (2_000, 4_000, 30)
    assert s.http_read_timeout_s == 10 and s.loopback_only and s.exposure_error() is None
    assert Settings.from_mapping({"WEBHOOK_TOKEN": ""}).webhook_token is None  # empty: unset


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({"HOST": "0.0.0.0"}, True),
        ({"HOST": "0.0.0.0", "WEBHOOK_TOKEN": "w", "ADMIN_TOKEN": "a"}, False),
        ({"HOST": "0.0.0.0", "AI_ADMIN_INSECURE": "1"}, False),
        ({"HOST": "10.1.2.3", "ADMIN_TOKEN": "a"}, True),
        ({"HOST": "localhost"}, False),
        ({"HOST": "::1"}, False),
        ({"HOST": "127.0.0.2"}, False),
        ({"HOST": "[::]"}, True),
        ({"HOST": "salon.example"}, True),
    ],
)
def test_listening_beyond_loopback_needs_both_tokens(env: dict[str, str], refused: bool) -> None:
    error = Settings.from_mapping(env).exposure_error()
    assert (error is not None) == refused
    if error is not None:
        assert error.variable == "HOST"


def test_messenger_defaults_to_venom_when_send_url_is_set() -> None:
    s = Settings.from_mapping({"VENOM_SEND_URL": "http://127.0.0.1:3001/send"})
    assert s.messenger == "venom"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"BATCH_TIMEOUT_MS": "-1"}, "BATCH_TIMEOUT_MS"),
        ({"BATCH_MAX_SIZE": "0"}, "BATCH_MAX_SIZE"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"SALON_TIMEZONE": "Mars/Olympus"}, "SALON_TIMEZONE"),
        ({"MESSENGER": "telegram"}, "MESSENGER"),
        ({"MESSENGER": "venom"}, "VENOM_SEND_URL"),
        ({"MESSENGER": "cloud"}, "WHATSAPP_TOKEN"),
        ({"YCLIENTS_PARTNER_TOKEN": "p"}, "YCLIENTS_COMPANY_ID"),
        ({"YCLIENTS_PARTNER_TOKEN": "p", "YCLIENTS_COMPANY_ID": "x1"}, "YCLIENTS_COMPANY_ID"),
        ({"AI_ADMIN_INSECURE": "maybe"}, "AI_ADMIN_INSECURE"),
        ({"ADMIN_TOKEN": "   "}, "ADMIN_TOKEN"),
        ({"FLOOD_MAX_PER_MIN": "-1"}, "FLOOD_MAX_PER_MIN"),
        ({"MESSAGE_MAX_CHARS": "0"}, "MESSAGE_MAX_CHARS"),
        ({"MESSAGE_MAX_CHARS": "70000"}, "MESSAGE_MAX_CHARS"),
        ({"BATCH_MAX_CHARS": "x"}, "BATCH_MAX_CHARS"),
        ({"HTTP_READ_TIMEOUT_S": "0"}, "HTTP_READ_TIMEOUT_S"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_mapping(env)
    assert caught.value.variable == variable


def test_dotenv_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "# salon\nexport PORT=3100\nBATCH_MAX_SIZE='5'\nOPENAI_MODEL=\"m\"\n", encoding="utf-8"
    )
    monkeypatch.setenv("PORT", "3200")
    for name in ("BATCH_MAX_SIZE", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings(cwd=tmp_path)
    assert (s.port, s.batch_max_size, s.openai_model) == (3200, 5, "m")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
        check=False,
    )


def test_cli_bad_flag_is_one_line_and_exit_2() -> None:
    result = run_cli("serve", "--bogus")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--bogus" in result.stderr


def test_cli_bad_config_is_one_line_and_exit_2() -> None:
    result = run_cli("serve", env={"BATCH_MAX_SIZE": "ten"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BATCH_MAX_SIZE" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "webhook", "worker"])
def test_every_command_answers_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "usage: ai-admin" in result.stdout


def test_salon_faq_is_read_and_checked_at_start(tmp_path: Path) -> None:
    from adapters.yclients.sandbox.fixture import DEMO_FAQ
    from engine.wiring import salon_faq

    good = tmp_path / "faq.yaml"
    good.write_text(
        'payment: Только наличные.\nparking: {ru: Есть, en: "Yes, free"}\n', encoding="utf-8"
    )
    s = Settings.from_mapping({"SALON_FAQ": str(good)})
    faq = salon_faq(s)
    assert faq.text("payment", "ru") == "Только наличные."
    assert faq.text("parking", "en") == "Yes, free"
    assert faq.text("payment", "en") == "Только наличные."  # one text serves both languages
    demo = salon_faq(Settings.from_mapping({}))
    assert demo.text("payment", "ru") and DEMO_FAQ.is_file()
    real = Settings.from_mapping({"YCLIENTS_PARTNER_TOKEN": "p", "YCLIENTS_COMPANY_ID": "1"})
    assert salon_faq(real).entries == {}  # a real salon's facts are never the demo salon's
    for bad in ("wrong: x\n", "payment: [1, 2]\n", "{{{"):
        good.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            Settings.from_mapping({"SALON_FAQ": str(good)})
        assert caught.value.variable == "SALON_FAQ"
    with pytest.raises(ConfigError, match="cannot read"):
        Settings.from_mapping({"SALON_FAQ": str(tmp_path / "missing.yaml")})


def test_reminder_and_salon_change_settings(tmp_path: Path) -> None:
    """Issue 16: REMINDER_*, WHATSAPP_REMINDER_TEMPLATE, YCLIENTS_WEBHOOK_SECRET, ADMIN_CHAT,
    SALON_CHANGE_NOTICES: their defaults, and what the follow-up is built from."""
    from engine.record_sync import NoticePolicy
    from engine.wiring import follow_up_config

    s = Settings.from_mapping({})
    assert (s.reminder_offsets, s.reminder_quiet, s.reminder_answer_wait) == (
        "24h,2h", "22:00-09:00", "3h")  # fmt: skip
    assert s.whatsapp_reminder_template is None and s.yclients_webhook_secret is None
    assert s.admin_chat is None and s.salon_change_notices == "moved,cancelled"
    assert follow_up_config(s).notices == NoticePolicy(moved=True, cancelled=True, created=False)
    given = Settings.from_mapping(
        {"REMINDER_OFFSETS": "2d,3h", "REMINDER_QUIET": "off", "REMINDER_ANSWER_WAIT": "90m",
         "WHATSAPP_REMINDER_TEMPLATE": "visit_reminder:en_US", "ADMIN_CHAT": "79001112233",
         "SALON_CHANGE_NOTICES": "off", "YCLIENTS_WEBHOOK_SECRET": "hook-9f2",
         "SALON_TIMEZONE": "Asia/Yekaterinburg"}
    )  # fmt: skip
    config = follow_up_config(given)
    assert config.admin_chat == "79001112233@c.us"
    assert config.template is not None and config.template.language == "en_US"
    assert config.notices == NoticePolicy(moved=False, cancelled=False, created=False)
    assert (config.offsets, config.quiet, config.answer_wait) == ("2d,3h", "off", "90m")
    assert config.timezone == "Asia/Yekaterinburg"
    group = Settings.from_mapping({"ADMIN_CHAT": "120363000000000000@g.us"})
    assert group.admin_chat == "120363000000000000@g.us"  # venom writes to groups


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"REMINDER_OFFSETS": "24x"}, "REMINDER_OFFSETS"),
        ({"REMINDER_OFFSETS": "24h,1440m"}, "REMINDER_OFFSETS"),
        ({"REMINDER_OFFSETS": "60d"}, "REMINDER_OFFSETS"),
        ({"REMINDER_QUIET": "22:00"}, "REMINDER_QUIET"),
        ({"REMINDER_QUIET": "25:00-09:00"}, "REMINDER_QUIET"),
        ({"REMINDER_QUIET": "01:00-23:00"}, "REMINDER_QUIET"),
        ({"REMINDER_ANSWER_WAIT": "0h"}, "REMINDER_ANSWER_WAIT"),
        ({"WHATSAPP_REMINDER_TEMPLATE": "Visit Reminder"}, "WHATSAPP_REMINDER_TEMPLATE"),
        ({"WHATSAPP_REMINDER_TEMPLATE": "visit_reminder"}, "WHATSAPP_REMINDER_TEMPLATE"),
        ({"YCLIENTS_WEBHOOK_SECRET": "   "}, "YCLIENTS_WEBHOOK_SECRET"),
        ({"ADMIN_CHAT": "the admin"}, "ADMIN_CHAT"),
        ({"ADMIN_CHAT": "123456789012345@lid"}, "ADMIN_CHAT"),
        (
            {
                "MESSENGER": "cloud",
                "WHATSAPP_TOKEN": "t",
                "WHATSAPP_PHONE_NUMBER_ID": "1",
                "ADMIN_CHAT": "120363000000000000@g.us",
            },
            "ADMIN_CHAT",
        ),
        ({"SALON_CHANGE_NOTICES": "moved,later"}, "SALON_CHANGE_NOTICES"),
    ],
)
def test_bad_reminder_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_mapping(env)
    assert caught.value.variable == variable
    assert not caught.value.problem.startswith(variable), "the variable is named once"


def test_a_bad_reminder_setting_stops_the_cli_with_one_line() -> None:
    result = run_cli("worker", env={"REMINDER_QUIET": "late"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "REMINDER_QUIET: 'late'" in lines[0]
