"""The settings of issue 17: HANDOFF_PAUSE, HANDOFF_WEBHOOK_URL/SECRET, ADMIN_CHAT."""

from __future__ import annotations

import pytest

from engine.settings import Settings
from states.errors import ConfigError


def test_defaults_pause_twelve_hours_and_notify_nobody() -> None:
    s = Settings.from_mapping({})
    assert s.handoff_pause_s == 12 * 3600
    assert s.admin_chat is None and s.handoff_webhook_url is None


def test_the_values_are_read() -> None:
    s = Settings.from_mapping(
        {
            "HANDOFF_PAUSE": "90m",
            "ADMIN_CHAT": "79161234567",
            "HANDOFF_WEBHOOK_URL": "https://crm.example/hooks/handoff/",
            "HANDOFF_WEBHOOK_SECRET": "s3cret",
        }
    )
    assert s.handoff_pause_s == 5400
    assert s.admin_chat == "79161234567@c.us"  # bare digits are a phone's chat
    assert s.handoff_webhook_url == "https://crm.example/hooks/handoff"
    assert s.handoff_webhook_secret == "s3cret"
    group = Settings.from_mapping({"ADMIN_CHAT": "79161234567-1612345678@g.us"})
    assert group.admin_chat == "79161234567-1612345678@g.us"  # venom can write to a group


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"HANDOFF_PAUSE": "12"}, "HANDOFF_PAUSE"),
        ({"HANDOFF_PAUSE": "0h"}, "HANDOFF_PAUSE"),
        ({"HANDOFF_PAUSE": "31d"}, "HANDOFF_PAUSE"),
        ({"ADMIN_CHAT": "admin"}, "ADMIN_CHAT"),
        ({"ADMIN_CHAT": "123456789@lid"}, "ADMIN_CHAT"),
        ({"HANDOFF_WEBHOOK_URL": "ftp://x"}, "HANDOFF_WEBHOOK_URL"),
        ({"HANDOFF_WEBHOOK_URL": "https://crm.example/h"}, "HANDOFF_WEBHOOK_SECRET"),
        ({"HANDOFF_WEBHOOK_SECRET": "   "}, "HANDOFF_WEBHOOK_SECRET"),
        (
            {
                "MESSENGER": "cloud",
                "WHATSAPP_TOKEN": "t",
                "WHATSAPP_PHONE_NUMBER_ID": "1",
                "ADMIN_CHAT": "79161234567-1612345678@g.us",
            },
            "ADMIN_CHAT",
        ),
    ],
)
def test_a_bad_value_names_its_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_mapping(env)
    assert str(raised.value).startswith(variable)
