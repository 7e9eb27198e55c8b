"""Who asks and when, as a record type's sharing conditions compare them.

Each record type builds its conditions as SQL (``RecordType.conditions``) from an ``Asking``:
the asking agency and user, the moment, the day, and the start of a window some days before.

* ``Values`` holds the caller's own values: the SQL built with them serves one request. That
  is what ``Sharing.visible_clause`` gives callers to put in their own queries.
* ``Current`` holds the caller's agency and user, and the moment as parameters read from the
  service's clock when a statement runs: the SQL built with it serves the caller's later
  requests too, so ``Sharing.visible_clause`` builds it once per caller, record type and verb
  (building a record type's conditions took from 0.9 ms for a referral to 4 ms for an
  action, ``docs/benchmarks.md``).
* ``Params`` holds bound parameters instead: the SQL is then the same for every caller of the
  same shape (with or without an agency, with or without a user), so the engine builds each
  record type's ``holding`` statement once and reuses it, passing ``values_for`` the caller
  at execution. Building the conditions afresh took about a fifth of a request
  (``docs/benchmarks.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import BindParameter, bindparam

from casework.actors import Actor
from casework.db import utcnow


class Asking(Protocol):
    """What conditions may compare with: values (``Values``) or bound parameters (``Params``)."""

    @property
    def agency_id(self) -> Any: ...

    @property
    def user_id(self) -> Any: ...

    @property
    def now(self) -> Any: ...

    @property
    def today(self) -> Any: ...

    def since(self, days: int) -> Any: ...


@dataclass(frozen=True)
class Values:
    """The caller's own values: SQL built with them serves this request only."""

    agency_id: Any
    user_id: Any
    now: datetime

    @classmethod
    def of(cls, actor: Actor, now: datetime) -> Values:
        return cls(actor.agency_id, actor.user_id, now)

    @property
    def today(self) -> date:
        return self.now.date()

    def since(self, days: int) -> datetime:
        return self.now - timedelta(days=days)


@dataclass(frozen=True)
class Current:
    """The caller's own agency and user; the moment read when the statement runs."""

    agency_id: Any
    user_id: Any

    @classmethod
    def of(cls, actor: Actor) -> Current:
        return cls(actor.agency_id, actor.user_id)

    @property
    def now(self) -> BindParameter:
        return bindparam("sharing_now", callable_=utcnow, unique=True)

    @property
    def today(self) -> BindParameter:
        return bindparam("sharing_today", callable_=lambda: utcnow().date(), unique=True)

    def since(self, days: int) -> BindParameter:
        def moment() -> datetime:
            return utcnow() - timedelta(days=days)

        return bindparam(f"sharing_since_{days}", callable_=moment, unique=True)


@dataclass
class Params:
    """Bound parameters in the place of an asker's values; absent ones stay ``None``, so SQL
    that depends on whether the asker has an agency or a user is built for that shape."""

    has_agency: bool
    has_user: bool
    _days: set[int] = field(default_factory=set)

    @property
    def agency_id(self) -> BindParameter | None:
        return bindparam("sharing_agency_id") if self.has_agency else None

    @property
    def user_id(self) -> BindParameter | None:
        return bindparam("sharing_user_id") if self.has_user else None

    @property
    def now(self) -> BindParameter:
        return bindparam("sharing_now")

    @property
    def today(self) -> BindParameter:
        return bindparam("sharing_today")

    def since(self, days: int) -> BindParameter:
        self._days.add(days)
        return bindparam(f"sharing_since_{days}")

    @staticmethod
    def shape(actor: Actor) -> tuple[bool, bool]:
        return actor.agency_id is not None, actor.user_id is not None

    def values_for(self, actor: Actor, now: datetime) -> dict[str, Any]:
        """The parameters' values for this asker at ``now``."""
        out: dict[str, Any] = {"sharing_now": now, "sharing_today": now.date()}
        out.update({f"sharing_since_{d}": now - timedelta(days=d) for d in self._days})
        if self.has_agency:
            out["sharing_agency_id"] = actor.agency_id
        if self.has_user:
            out["sharing_user_id"] = actor.user_id
        return out
