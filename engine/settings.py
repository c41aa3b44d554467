"""Settings: every variable of the interface contract, read once into one typed object.

Tests build `Settings.from_mapping({...})`; only the CLI reads `os.environ` and `.env`.
A bad value raises `ConfigError` naming the variable, which the CLI turns into one line
on stderr and exit status 2.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from engine.reminders.timing import parse_duration
from states.errors import ConfigError
from states.faq import SalonFaq
from states.messages import ChatId
from states.ports import MAX_PAUSE_S

MessengerKind = Literal["venom", "cloud", "log"]
_GROUP = re.compile(r"[0-9]{5,20}(-[0-9]{5,20})?@g\.us")


@dataclasses.dataclass(frozen=True)
class Settings:
    redis_url: str | None = None
    data_dir: Path = Path(".ai-admin")
    # Loopback unless told otherwise: beyond it, tokens are required (see `exposure_error`).
    host: str = "127.0.0.1"
    port: int = 3000
    # AI_ADMIN_INSECURE=1: listen beyond loopback without tokens anyway (said loudly at start).
    insecure: bool = False
    # The longest a client may take to send a request's headers, then its body; an idle
    # keep-alive connection is closed after as long (slow or silent clients hold nothing).
    http_read_timeout_s: float = 10.0
    batch_timeout_ms: int = 10_000
    batch_max_size: int = 10
    batch_max_wait_ms: int = 30_000
    # How long a worker's claim on a batch lives without a heartbeat; a worker that dies
    # mid-batch leaves the batch to be claimed again after this long.
    batch_lease_ms: int = 30_000
    # What one turn reads: the first characters of each message and of the whole batch;
    # the rest is stored but not read (a client cannot make a turn's reading long).
    message_max_chars: int = 2_000
    batch_max_chars: int = 4_000
    # Messages per phone per minute answered normally; past it one notice per flood,
    # the rest held unanswered (visible in inspection). 0 turns the limit off.
    flood_max_per_min: int = 30
    yclients_base_url: str = "https://api.yclients.com"
    yclients_partner_token: str | None = None
    yclients_user_token: str | None = None
    yclients_company_id: int | None = None
    salon_timezone: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    messenger: MessengerKind = "log"
    venom_send_url: str | None = None
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_graph_url: str = "https://graph.facebook.com/v20.0"
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    webhook_token: str | None = None
    admin_token: str | None = None
    # A dialogue untouched this long goes back to `idle` (the client's name is kept).
    state_idle_ttl_s: int = 7 * 24 * 3600
    # YAML file of salon facts YClients does not hold (payment, parking…); demo mode
    # uses the demo salon's own when unset.
    salon_faq: Path | None = None
    # Issue 17: how long a person's takeover keeps the bot quiet in a chat; where the salon
    # hears of hand-offs (a WhatsApp chat through the same messenger, a signed JSON POST).
    handoff_pause_s: int = 12 * 3600
    handoff_webhook_url: str | None = None
    handoff_webhook_secret: str | None = None
    admin_chat: str | None = None
    log_level: str = "INFO"
    log_format: str = "json"  # "text" for a human at a terminal

    @property
    def demo(self) -> bool:
        """No partner token: the built-in sandbox salon stands in for YClients."""
        return self.yclients_partner_token is None

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from a mapping of variable names to strings; validate everything."""
        r = _Reader(env)
        venom_send_url = r.url("VENOM_SEND_URL", ("http", "https"))
        messenger = r.choice(
            "MESSENGER", ("venom", "cloud", "log"), "venom" if venom_send_url else "log"
        )
        settings = cls(
            redis_url=r.url("REDIS_URL", ("redis", "rediss", "unix")),
            data_dir=Path(r.text("AI_ADMIN_DATA_DIR") or ".ai-admin"),
            host=r.text("HOST") or "127.0.0.1",
            port=r.integer("PORT", 3000, low=0, high=65535),
            insecure=r.flag("AI_ADMIN_INSECURE"),
            http_read_timeout_s=r.integer("HTTP_READ_TIMEOUT_S", 10, low=1, high=3600),
            batch_timeout_ms=r.integer("BATCH_TIMEOUT_MS", 10_000, low=0),
            batch_max_size=r.integer("BATCH_MAX_SIZE", 10, low=1),
            batch_max_wait_ms=r.integer("BATCH_MAX_WAIT_MS", 30_000, low=0),
            batch_lease_ms=r.integer("BATCH_LEASE_MS", 30_000, low=100),
            message_max_chars=r.integer("MESSAGE_MAX_CHARS", 2_000, low=1, high=65_536),
            batch_max_chars=r.integer("BATCH_MAX_CHARS", 4_000, low=1, high=1_000_000),
            flood_max_per_min=r.integer("FLOOD_MAX_PER_MIN", 30, low=0),
            yclients_base_url=r.url("YCLIENTS_BASE_URL", ("http", "https"))
            or "https://api.yclients.com",
            yclients_partner_token=r.secret("YCLIENTS_PARTNER_TOKEN"),
            yclients_user_token=r.secret("YCLIENTS_USER_TOKEN"),
            yclients_company_id=r.optional_integer("YCLIENTS_COMPANY_ID", low=1),
            salon_timezone=r.timezone("SALON_TIMEZONE"),
            openai_api_key=r.secret("OPENAI_API_KEY"),
            openai_base_url=r.url("OPENAI_BASE_URL", ("http", "https")),
            openai_model=r.text("OPENAI_MODEL") or "gpt-4o-mini",
            messenger=messenger,  # type: ignore[arg-type]  # checked by r.choice
            venom_send_url=venom_send_url,
            whatsapp_token=r.secret("WHATSAPP_TOKEN"),
            whatsapp_phone_number_id=r.text("WHATSAPP_PHONE_NUMBER_ID"),
            whatsapp_graph_url=r.url("WHATSAPP_GRAPH_URL", ("http", "https"))
            or "https://graph.facebook.com/v20.0",
            whatsapp_app_secret=r.secret("WHATSAPP_APP_SECRET"),
            whatsapp_verify_token=r.secret("WHATSAPP_VERIFY_TOKEN"),
            webhook_token=r.secret("WEBHOOK_TOKEN"),
            admin_token=r.secret("ADMIN_TOKEN"),
            state_idle_ttl_s=r.integer("STATE_IDLE_TTL_S", 7 * 24 * 3600, low=1),
            salon_faq=Path(faq) if (faq := r.text("SALON_FAQ")) else None,
            handoff_pause_s=r.duration("HANDOFF_PAUSE", 12 * 3600),
            handoff_webhook_url=r.url("HANDOFF_WEBHOOK_URL", ("http", "https")),
            handoff_webhook_secret=r.secret("HANDOFF_WEBHOOK_SECRET"),
            admin_chat=r.chat("ADMIN_CHAT"),
            log_level=r.choice(
                "LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", upper=True
            ),
            log_format=r.choice("LOG_FORMAT", ("json", "text"), "json"),
        )
        settings.check_consistency()
        return settings

    @property
    def loopback_only(self) -> bool:
        """HOST is a loopback address (or `localhost`): nobody else can reach the service."""
        if self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False  # a host name: it may resolve to anything, so count it as exposed

    @property
    def missing_tokens(self) -> list[str]:
        return [
            name
            for name, value in (
                ("WEBHOOK_TOKEN", self.webhook_token),
                ("ADMIN_TOKEN", self.admin_token),
            )
            if value is None
        ]

    def exposure_error(self) -> ConfigError | None:
        """Why `serve`/`webhook` must not listen as configured (Redis's protected mode), or None.

        Beyond loopback without both tokens anyone who reaches the port could post as any
        client and read or reset every conversation; AI_ADMIN_INSECURE=1 says it is meant.
        """
        if self.loopback_only or self.insecure or not self.missing_tokens:
            return None
        return ConfigError(
            "HOST",
            f"{self.host} is not loopback and {' and '.join(self.missing_tokens)} "
            f"{'is' if len(self.missing_tokens) == 1 else 'are'} unset; set the tokens, "
            "or HOST=127.0.0.1, or AI_ADMIN_INSECURE=1 to run open anyway",
        )

    def check_consistency(self) -> None:
        """Combinations that cannot work are configuration errors, found at start-up."""
        if self.salon_faq is not None:
            read_salon_faq(self.salon_faq)
        if not self.demo and self.yclients_company_id is None:
            raise ConfigError("YCLIENTS_COMPANY_ID", "required when YCLIENTS_PARTNER_TOKEN is set")
        if self.handoff_webhook_url and not self.handoff_webhook_secret:
            raise ConfigError(
                "HANDOFF_WEBHOOK_SECRET",
                "required when HANDOFF_WEBHOOK_URL is set (the receiver checks X-Signature-256)",
            )
        if self.messenger == "cloud" and self.admin_chat and self.admin_chat.endswith("@g.us"):
            raise ConfigError("ADMIN_CHAT", "the Cloud API cannot write to a group chat")
        if self.messenger == "venom" and not self.venom_send_url:
            raise ConfigError("VENOM_SEND_URL", "required when MESSENGER=venom")
        if self.messenger == "cloud" and not (
            self.whatsapp_token and self.whatsapp_phone_number_id
        ):
            raise ConfigError(
                "WHATSAPP_TOKEN",
                "WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are required when MESSENGER=cloud",
            )


def read_salon_faq(path: Path, variable: str = "SALON_FAQ") -> SalonFaq:
    """The salon's FAQ file; ConfigError names the variable and what is wrong."""
    try:
        with path.open(encoding="utf-8") as handle:
            return SalonFaq.from_mapping(yaml.safe_load(handle))
    except OSError as exc:
        raise ConfigError(variable, f"cannot read {path}: {exc.strerror}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise ConfigError(variable, f"{path}: {exc}") from None


def load_settings(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """The process environment over a `.env` file in the working folder."""
    folder = cwd or Path.cwd()
    merged = dict(read_dotenv(folder / ".env"))
    merged.update(os.environ if environ is None else environ)
    return Settings.from_mapping(merged)


def read_dotenv(path: Path) -> dict[str, str]:
    """`KEY=value` lines; `#` comments, blank lines, `export ` and surrounding quotes allowed."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}", "expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


class _Reader:
    """Reads one variable at a time; empty strings count as unset."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str) -> str | None:
        value = self._env.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def secret(self, name: str) -> str | None:
        """A token: unset or empty is unset; whitespace only is a mistake, not "no token"."""
        value = self._env.get(name)
        if value is not None and value and not value.strip():
            raise ConfigError(name, "is only whitespace; unset it or give a real value")
        return self.text(name)

    def flag(self, name: str) -> bool:
        raw = self.text(name)
        if raw is None or raw.lower() in ("0", "false", "no", "off"):
            return False
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        raise ConfigError(name, f"expected 1 or 0, got {raw!r}")

    def integer(
        self, name: str, default: int, low: int | None = None, high: int | None = None
    ) -> int:
        value = self.optional_integer(name, low=low, high=high)
        return default if value is None else value

    def optional_integer(
        self, name: str, low: int | None = None, high: int | None = None
    ) -> int | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(name, f"expected an integer, got {raw!r}") from None
        if low is not None and value < low:
            raise ConfigError(name, f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise ConfigError(name, f"must be at most {high}, got {value}")
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str, upper: bool = False) -> str:
        raw = self.text(name)
        if raw is None:
            return default
        value = raw.upper() if upper else raw.lower()
        if value not in options:
            raise ConfigError(name, f"expected one of {', '.join(options)}, got {raw!r}")
        return value

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        raw = self.text(name)
        if raw is None:
            return None
        parsed = urlparse(raw)
        if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
            raise ConfigError(name, f"expected a {'/'.join(schemes)} URL, got {raw!r}")
        return raw.rstrip("/") if parsed.scheme in ("http", "https") else raw

    def duration(self, name: str, default_s: int) -> int:
        """ "12h", "90m", "1d" (units m, min, h, d), at most MAX_PAUSE_S."""
        raw = self.text(name)
        if raw is None:
            return default_s
        try:
            seconds = int(parse_duration(raw, name)[1].total_seconds())
        except ValueError as exc:
            raise ConfigError(name, str(exc).removeprefix(f"{name}: ")) from None
        if seconds > MAX_PAUSE_S:
            raise ConfigError(name, f"at most {MAX_PAUSE_S // 86400} days, got {raw!r}")
        return seconds

    def chat(self, name: str) -> str | None:
        """A WhatsApp chat to write to: `79161234567@c.us` (bare digits too), a group
        `…@g.us` (venom only)."""
        raw = self.text(name)
        if raw is None:
            return None
        if _GROUP.fullmatch(raw):
            return raw
        chat = ChatId.parse(raw)
        if chat is None or chat.phone is None:
            raise ConfigError(name, f"expected a chat id like 79161234567@c.us, got {raw!r}")
        return chat.raw

    def timezone(self, name: str) -> str | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(name, f"unknown IANA time zone {raw!r}") from None
        return raw
