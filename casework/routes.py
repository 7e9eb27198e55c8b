"""Markers every view carries, so tests can walk the URL map and find an unguarded route.

``public`` views need no sign-in (sign-in page, OpenAPI document, assets). Everything else is
``signed_in``; routes that touch case data will also name the sharing policy they use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g

from casework.errors import Unauthenticated

ACCESS_ATTR = "__casework_access__"


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
