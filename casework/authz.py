"""Authorization bookkeeping: every action must check access before it returns.

CKAN's lesson: a wrapper that fails loudly when an action forgot to call its check makes a
missing check a test failure instead of a data leak.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from casework.actors import Actor
from casework.errors import Forbidden

P = ParamSpec("P")
R = TypeVar("R")

_checked: ContextVar[bool | None] = ContextVar("casework_access_checked", default=None)


class AccessNotChecked(RuntimeError):
    """A programming error: an action returned without deciding who may call it."""


def mark_checked() -> None:
    _checked.set(True)


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_any(*roles):
        raise Forbidden()
    mark_checked()


def signed_in(actor: Actor) -> None:
    """For what every account may do whatever its roles (see the list of agencies)."""
    if not actor.roles:
        raise Forbidden()
    mark_checked()


def action(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _checked.set(False)
        try:
            result = fn(*args, **kwargs)
            if not _checked.get():
                raise AccessNotChecked(f"{fn.__module__}.{fn.__qualname__} did not check access")
            return result
        finally:
            _checked.reset(token)

    wrapper.__casework_action__ = True  # type: ignore[attr-defined]
    return wrapper
