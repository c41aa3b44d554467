"""The bodies the sandbox answers with, in YClients' own shapes (reference A.2, A.3)."""

from __future__ import annotations

import functools
import json
from typing import Any

from aiohttp import web

_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with Cyrillic left readable (curl users see "Филиал не найден.")."""
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


def ok(data: Any, meta: Any = None) -> dict[str, Any]:
    """Success envelope; [A.2] `meta` is an empty array for `book_*` answers."""
    return {"success": True, "data": data, "meta": [] if meta is None else meta}


class SandboxFailure(Exception):
    """A refusal the sandbox answers with; `body` is already in a YClients shape."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body

    @classmethod
    def message(
        cls, status: int, message: str, errors: dict[str, list[str]] | None = None
    ) -> SandboxFailure:
        """Shapes 1 and 2: `{"success": false, "data": null, "meta": {"message", "errors"}}`."""
        meta: dict[str, Any] = {"message": message}
        if errors:
            meta["errors"] = errors
        return cls(status, {"success": False, "data": None, "meta": meta})

    @classmethod
    def booking(
        cls, code: int, message: str, appointment_id: int | None = None, status: int = 422
    ) -> SandboxFailure:
        """Shape 3, the booking form ([APIB] book_check example, [CMZ] `book()`)."""
        errors: dict[str, Any] = {"code": code, "message": message}
        if appointment_id is not None:
            errors["id"] = appointment_id
        return cls(status, {"errors": errors})


BRANCH_NOT_FOUND = "Филиал не найден."  # [APIB]
