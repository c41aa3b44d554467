"""Shared bits of the sandbox's HTTP side: app keys, auth, query readers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aiohttp import web

from adapters.yclients.sandbox.answers import SandboxFailure
from adapters.yclients.sandbox.control import SandboxControl
from adapters.yclients.sandbox.salon import SandboxSalon
from adapters.yclients.sandbox.webhooks import RecordWebhooks

SALON = web.AppKey("salon", SandboxSalon)
CONTROL = web.AppKey("control", SandboxControl)
WEBHOOKS = web.AppKey("webhooks", RecordWebhooks)


def salon_of(request: web.Request) -> SandboxSalon:
    return request.app[SALON]


def tokens(header: str) -> tuple[str | None, str | None]:
    """[APIB] `Authorization: Bearer <partner>, User <user>` (one header, comma-separated)."""
    partner = user = None
    for part in header.split(","):
        scheme, _, value = part.strip().partition(" ")
        if scheme.lower() == "bearer":
            partner = value.strip()
        elif scheme.lower() == "user":
            user = value.strip()
    return partner, user


def described_headers(request: web.Request) -> dict[str, str]:
    """The headers worth logging, with tokens masked."""
    salon = salon_of(request)
    shown = {k: request.headers[k] for k in ("Accept", "Content-Type") if k in request.headers}
    header = request.headers.get("Authorization")
    if header is not None:
        known = {salon.partner_token: "<partner>", salon.user_token: "<user>"}
        parts = []
        for part in header.split(","):
            scheme, _, value = part.strip().partition(" ")
            parts.append(f"{scheme} {known.get(value.strip(), '<unknown>')}")
        shown["Authorization"] = ", ".join(parts)
    return shown


def authorize(request: web.Request, *, user: bool = False) -> SandboxSalon:
    """401 without a valid partner token (and without a valid user token when `user`),
    then 404 "Филиал не найден." for another company id."""
    salon = salon_of(request)
    partner_token, user_token = tokens(request.headers.get("Authorization", ""))
    if partner_token != salon.partner_token:
        raise SandboxFailure.message(401, "Partner ID not specified")
    if (user or user_token is not None) and user_token != salon.user_token:
        raise SandboxFailure.message(401, "Необходима авторизация пользователя (User token)")
    salon.require_company(request.match_info.get("company_id", str(salon.company_id)))
    return salon


def ids(request: web.Request, name: str) -> list[int]:
    """`name[]=1&name[]=2` (PHP style, [CMZ]); a plain `name=1,2` is read too ([GEN])."""
    values = request.query.getall(f"{name}[]", []) + request.query.getall(name, [])
    found: list[int] = []
    for value in values:
        for piece in value.split(","):
            if piece.strip():
                found.append(int_param(name, piece))
    return found


def int_param(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise SandboxFailure.message(
            400, "Неверное значение параметра", {name: ["Должно быть целым числом"]}
        ) from None


def optional_int(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    return int_param(name, value) if value not in (None, "") else None


def day_param(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise SandboxFailure.message(
            400, "Неверный формат даты", {name: ["Ожидается YYYY-MM-DD"]}
        ) from None


async def json_body(request: web.Request) -> Any:
    if not request.body_exists:
        return None
    try:
        # Read whatever the Content-Type says: YClients clients do not always set it.
        return json.loads(await request.text())
    except ValueError:
        raise SandboxFailure.message(400, "Тело запроса не является JSON") from None
