"""Authorization bookkeeping: every action must check access before it returns.

CKAN's lesson: a wrapper that fails loudly when an action forgot to call its check makes a
missing check a test failure instead of a data leak.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, overload

from casework.actors import Actor
from casework.errors import Forbidden

log = logging.getLogger("casework.authz")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Checks:
    """What the running action has checked: anything at all, and which record types the
    sharing engine was asked about (an action called by another adds its checks to it)."""

    any: bool = False
    record_types: set[str] = field(default_factory=set)


_checked: ContextVar[_Checks | None] = ContextVar("casework_access_checked", default=None)


class AccessNotChecked(RuntimeError):
    """A programming error: an action returned without deciding who may call it, or without
    asking the sharing engine about a record type it declared. Its message names the action
    and record types only, never a value."""

    def __init__(self, message: str, unchecked: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.unchecked = unchecked


def mark_checked(*record_types: str) -> None:
    """Called by every check; the sharing engine names the record types it decided on."""
    checks = _checked.get()
    if checks is not None:
        checks.any = True
        checks.record_types.update(record_types)


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_any(*roles):
        raise Forbidden()
    mark_checked()


def signed_in(actor: Actor) -> None:
    """For what every account may do whatever its roles (see the list of agencies)."""
    if not actor.roles:
        raise Forbidden()
    mark_checked()


def declared_types(fn: Callable[..., Any]) -> tuple[str, ...] | None:
    """The record types an action declared it reads or changes: None if it declared nothing,
    ``()`` if it declared that it touches no case data (``@action(reads=())``)."""
    return getattr(fn, DECLARED_ATTR, None)


DECLARED_ATTR = "__casework_record_types__"


@overload
def action(fn: Callable[P, R]) -> Callable[P, R]: ...


@overload
def action(
    *, reads: Iterable[str] | None = None, changes: Iterable[str] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def action(
    fn: Callable[P, R] | None = None,
    *,
    reads: Iterable[str] | None = None,
    changes: Iterable[str] | None = None,
) -> Any:
    """Wrap an action so that returning without a check is an error (CKAN's check_access).

    ``@action(reads=("referral",), changes=("action",))`` declares the record types it reads
    or changes; each must then have been decided by the sharing engine (``get``, lists'
    ``visible_clause``, ``fields_for``/``may``, ``disclose``) before the action returns, or it
    fails with ``AccessNotChecked``: a role check alone does not let case data out.
    ``@action(reads=())`` says the action touches no case data (a panel or staff list), so
    the route test can tell it from one that has not declared yet.
    """
    said = reads is not None or changes is not None
    declared = tuple(dict.fromkeys((*(reads or ()), *(changes or ()))))

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            checks = _Checks()
            token = _checked.set(checks)
            try:
                result = fn(*args, **kwargs)
                if not checks.any:
                    raise AccessNotChecked(f"{name} did not check access")
                missing = tuple(t for t in declared if t not in checks.record_types)
                if missing:
                    # names only: the action and record types, never a value
                    log.error("%s did not check %s", name, ", ".join(missing))
                    raise AccessNotChecked(
                        f"{name} did not ask the sharing engine about {', '.join(missing)}",
                        missing,
                    )
                return result
            finally:
                _checked.reset(token)
                outer = _checked.get()
                if outer is not None:  # what an action called checked counts for its caller
                    outer.any = outer.any or checks.any
                    outer.record_types |= checks.record_types

        wrapper.__casework_action__ = True  # type: ignore[attr-defined]
        if said:
            setattr(wrapper, DECLARED_ATTR, declared)
        return wrapper

    return wrap if fn is None else wrap(fn)
