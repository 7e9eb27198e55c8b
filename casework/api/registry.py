"""Describing API endpoints once: the same declaration drives request parsing and OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from marshmallow import Schema

from casework.errors import CaseworkError
from casework.routes import policy, signed_in


class BadJson(CaseworkError):
    status = 400
    code = "bad_json"


@dataclass
class Endpoint:
    summary: str
    tag: str
    policy: tuple[str, ...]  # record types disclosed (routes.policy); () for none
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    many: bool = False
    roles: tuple[str, ...] = ()
    query: dict[str, str] = field(default_factory=dict)
    errors: tuple[int, ...] = ()


def endpoint(**meta: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    spec = Endpoint(**meta)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        guarded = policy(*spec.policy)(signed_in(view))
        guarded.__casework_endpoint__ = spec  # type: ignore[attr-defined]
        return guarded

    return decorate


def json_body() -> Any:
    """The request body as JSON, or a 400 naming the problem (never a 500)."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadJson("The request body is empty; send a JSON object")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadJson("The request body is not valid JSON") from None
