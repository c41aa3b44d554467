"""Settings: every variable of the interface contract, declared once, read into one object.

How to add a setting: declare one field below, named after its variable in lower case
(`REMINDER_QUIET` -> `reminder_quiet`), with its type, default, limits (`Field(ge=...)`)
and a comment saying what it is for; a value that needs more checking than its type gets
an `AfterValidator` that raises `ValueError("what is wrong")`, and a token is `Secret`
(whitespace only is a mistake, not "no token"). The error names the variable by itself.
Then read `settings.<name>` where the part is built (`engine/runtime.py`).

`load_settings()` reads the process environment over a `.env` file in the working folder
(pydantic-settings); tests build `Settings.from_mapping({...})`, which reads nothing else.
Empty values count as unset. A bad value raises `ConfigError` naming the variable, which
the CLI turns into one line on stderr and exit status 2.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from engine.follow_up_config import (
    check_admin_chat,
    check_answer_wait,
    check_notices,
    check_offsets,
    check_quiet,
    check_template,
)
from engine.reminders.timing import parse_duration
from states.errors import ConfigError
from states.faq import SalonFaq
from states.ports import MAX_PAUSE_S

MessengerKind = Literal["venom", "cloud", "log"]
_SECRET = object()  # marks a token in a field's metadata


def _url(*schemes: str) -> AfterValidator:
    def check(raw: str) -> str:
        parsed = urlparse(raw)
        if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
            raise ValueError(f"expected a {'/'.join(schemes)} URL, got {raw!r}")
        return raw.rstrip("/") if parsed.scheme in ("http", "https") else raw

    return AfterValidator(check)


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {raw!r}") from None
    return raw


def _cased(convert: Callable[[str], str]) -> BeforeValidator:
    return BeforeValidator(lambda raw: convert(raw) if isinstance(raw, str) else raw)


def _pause(raw: object) -> object:
    """ "12h", "90m", "1d" (units m, min, h, d) -> seconds, at most MAX_PAUSE_S."""
    if not isinstance(raw, str):
        return raw  # the default, in seconds
    try:
        seconds = int(parse_duration(raw, "HANDOFF_PAUSE")[1].total_seconds())
    except ValueError as exc:  # the variable is named once, by the error
        raise ValueError(str(exc).removeprefix("HANDOFF_PAUSE: ")) from None
    if seconds > MAX_PAUSE_S:
        raise ValueError(f"at most {MAX_PAUSE_S // 86400} days, got {raw!r}")
    return seconds


HttpUrl = Annotated[str, _url("http", "https")]
Secret = Annotated[str | None, _SECRET]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        alias_generator=str.upper,  # the field `port` is the variable PORT
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    redis_url: Annotated[str, _url("redis", "rediss", "unix")] | None = None
    data_dir: Path = Field(Path(".ai-admin"), alias="AI_ADMIN_DATA_DIR")
    # Loopback unless told otherwise: beyond it, tokens are required (see `exposure_error`).
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 3000
    # AI_ADMIN_INSECURE=1: listen beyond loopback without tokens anyway (said loudly at start).
    insecure: bool = Field(False, alias="AI_ADMIN_INSECURE")
    # The longest a client may take to send a request's headers, then its body; an idle
    # keep-alive connection is closed after as long (slow or silent clients hold nothing).
    http_read_timeout_s: Annotated[int, Field(ge=1, le=3600)] = 10
    batch_timeout_ms: Annotated[int, Field(ge=0)] = 10_000
    batch_max_size: Annotated[int, Field(ge=1)] = 10
    batch_max_wait_ms: Annotated[int, Field(ge=0)] = 30_000
    # How long a worker's claim on a batch lives without a heartbeat; a worker that dies
    # mid-batch leaves the batch to be claimed again after this long.
    batch_lease_ms: Annotated[int, Field(ge=100)] = 30_000
    # What one turn reads: the first characters of each message and of the whole batch;
    # the rest is stored but not read (a client cannot make a turn's reading long).
    message_max_chars: Annotated[int, Field(ge=1, le=65_536)] = 2_000
    batch_max_chars: Annotated[int, Field(ge=1, le=1_000_000)] = 4_000
    # Messages per phone per minute answered normally; past it one notice per flood,
    # the rest held unanswered (visible in inspection). 0 turns the limit off.
    flood_max_per_min: Annotated[int, Field(ge=0)] = 30
    yclients_base_url: HttpUrl = "https://api.yclients.com"
    yclients_partner_token: Secret = None  # unset: demo mode (the sandbox salon)
    yclients_user_token: Secret = None
    yclients_company_id: Annotated[int, Field(ge=1)] | None = None
    # Unset: the company's own zone from YClients, else `states.dialogue.DEFAULT_TIMEZONE`.
    salon_timezone: Annotated[str, AfterValidator(_timezone)] | None = None
    openai_api_key: Secret = None
    openai_base_url: HttpUrl | None = None
    openai_model: str = "gpt-4o-mini"
    # Unset: `venom` when VENOM_SEND_URL is set, else `log` (see `_unset_when_empty`).
    messenger: Annotated[MessengerKind, _cased(str.lower)] = "log"
    venom_send_url: HttpUrl | None = None
    whatsapp_token: Secret = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_graph_url: HttpUrl = "https://graph.facebook.com/v20.0"
    whatsapp_app_secret: Secret = None
    whatsapp_verify_token: Secret = None
    webhook_token: Secret = None
    admin_token: Secret = None
    # A dialogue untouched this long goes back to `idle` (the client's name is kept).
    state_idle_ttl_s: Annotated[int, Field(ge=1)] = 7 * 24 * 3600
    # YAML file of salon facts YClients does not hold (payment, parking…); demo mode
    # uses the demo salon's own when unset.
    salon_faq: Path | None = None
    # Issue 17: how long a person's takeover or a hand-off keeps the bot quiet in a chat
    # (HANDOFF_PAUSE, "12h"); where the salon hears of hand-offs: a WhatsApp chat through
    # the same messenger, and/or a JSON POST signed with HMAC-SHA256 of its body.
    handoff_pause_s: Annotated[int, BeforeValidator(_pause)] = Field(
        12 * 3600, alias="HANDOFF_PAUSE"
    )
    handoff_webhook_url: HttpUrl | None = None
    handoff_webhook_secret: Secret = None
    # Issue 16: visit reminders and the salon's own changes in YClients (docs/reminders.md).
    # When reminders go before a visit, the local hours none goes in, how long an answer is
    # awaited before ADMIN_CHAT is told; "off" turns the first two off.
    reminder_offsets: Annotated[str, AfterValidator(check_offsets)] = "24h,2h"
    reminder_quiet: Annotated[str, AfterValidator(check_quiet)] = "22:00-09:00"
    reminder_answer_wait: Annotated[str, AfterValidator(check_answer_wait)] = "3h"
    # "name:language" of the approved Cloud API template for reminders outside 24 h.
    whatsapp_reminder_template: Annotated[str, AfterValidator(check_template)] | None = None
    yclients_webhook_secret: Secret = None  # enables POST /webhook/yclients/{secret}
    # The salon's own WhatsApp chat: told of unanswered reminders (and hand-offs, issue 17).
    admin_chat: Annotated[str, AfterValidator(check_admin_chat)] | None = None
    # Which of the salon's changes to a visit the client is told of ("off": none).
    salon_change_notices: Annotated[str, AfterValidator(check_notices)] = "moved,cancelled"
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], _cased(str.upper)] = "INFO"
    log_format: Annotated[Literal["json", "text"], _cased(str.lower)] = "json"  # text: a terminal

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        """Settings from variable names and strings alone (no environment, no `.env`)."""
        return _validated(lambda: _Given.model_validate(dict(env)))

    @model_validator(mode="before")
    @classmethod
    def _unset_when_empty(cls, data: Any) -> Any:
        """Blank values are unset (the default applies); a blank token is a mistake."""
        if not isinstance(data, dict):
            return data
        given: dict[str, Any] = {}
        for name, value in data.items():
            if isinstance(value, str):
                if not value.strip():
                    if value and name in _SECRETS:
                        raise ConfigError(name, "is only whitespace; unset it or give a real value")
                    continue
                value = value.strip()
            given[name] = value
        given.setdefault("MESSENGER", "venom" if given.get("VENOM_SEND_URL") else "log")
        return given

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
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
        return self

    @property
    def demo(self) -> bool:
        """No partner token: the built-in sandbox salon stands in for YClients."""
        return self.yclients_partner_token is None

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


class _Given(Settings):
    """The same fields, read from the keyword arguments alone (`Settings.from_mapping`)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


_SECRETS = {f.alias for f in Settings.model_fields.values() if _SECRET in f.metadata}


def load_settings(cwd: Path | None = None) -> Settings:
    """The process environment over a `.env` file in the working folder."""
    env_file = (cwd or Path.cwd()) / ".env"
    return _validated(lambda: Settings(_env_file=env_file))  # type: ignore[call-arg]


def _validated(build: Callable[[], Settings]) -> Settings:
    try:
        return build()
    except ValidationError as exc:
        raise _config_error(exc) from None


def _config_error(exc: ValidationError) -> ConfigError:
    """The first problem, in words, naming its variable."""
    error = exc.errors()[0]
    variable = str(error["loc"][0]) if error["loc"] else "configuration"
    raw, ctx = error.get("input"), error.get("ctx") or {}
    problems = {
        "int_parsing": f"expected an integer, got {raw!r}",
        "int_from_float": f"expected an integer, got {raw!r}",
        "bool_parsing": f"expected 1 or 0, got {raw!r}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}, got {raw}",
        "less_than_equal": f"must be at most {ctx.get('le')}, got {raw}",
        "literal_error": f"expected one of {_options(ctx.get('expected', ''))}, got {raw!r}",
    }
    message = str(error["msg"]).removeprefix("Value error, ")
    return ConfigError(variable, problems.get(error["type"], message))


def _options(expected: str) -> str:
    """pydantic's "'venom', 'cloud' or 'log'" as "venom, cloud, log"."""
    return expected.replace(" or ", ", ").replace("'", "")


def read_salon_faq(path: Path, variable: str = "SALON_FAQ") -> SalonFaq:
    """The salon's FAQ file; ConfigError names the variable and what is wrong."""
    import yaml  # here: a worker without a FAQ file never loads yaml (issue 15)

    try:
        with path.open(encoding="utf-8") as handle:
            return SalonFaq.from_mapping(yaml.safe_load(handle))
    except OSError as exc:
        raise ConfigError(variable, f"cannot read {path}: {exc.strerror}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise ConfigError(variable, f"{path}: {exc}") from None
