"""Dataclasses that show themselves as plain values: the JSON shape stored and served."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class AsDict:
    """Mixed into a dataclass: `as_dict` is its fields, nested dataclasses included, as
    dicts and lists (what `json.dumps` takes)."""

    __slots__ = ()

    def as_dict(self: DataclassInstance) -> dict[str, Any]:
        return dataclasses.asdict(self)
