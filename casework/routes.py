"""Markers every view carries, so tests can walk the URL map and find an unguarded route.

``public`` views need no sign-in (sign-in page, OpenAPI document, assets). Everything else is
``signed_in`` and declares the sharing policies it reads through with ``policy(...)``: the
record types whose data it may show (``policy("referral")``), or ``policy()`` for a route
that touches no case data. A test walks the URL map and fails on a route without one, so a
new page or endpoint cannot forget the sharing check (CKAN's "did not call its auth" idea).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g

from casework.errors import Unauthenticated

ACCESS_ATTR = "__casework_access__"
POLICY_ATTR = "__casework_policy__"


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    setattr(view, ACCESS_ATTR, "public")
    return view


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("actor") is None:
            raise Unauthenticated()
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "signed_in")
    return wrapper


def access_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, ACCESS_ATTR, None)


def policy(*record_types: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the record types (sharing policies) a view discloses; none for no case data."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, POLICY_ATTR, tuple(record_types))
        return view

    return mark


def policy_of(view: Callable[..., Any]) -> tuple[str, ...] | None:
    return getattr(view, POLICY_ATTR, None)
