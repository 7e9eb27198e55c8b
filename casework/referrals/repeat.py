"""The SafeLives repeat rule, with identity matched through blind indexes (DOMAIN.md).

A referral dated D is a repeat iff the most recent earlier referral (not withdrawn) of the
same victim with at least one perpetrator in common is dated on or after D minus 12 calendar
months. Matching is: blind-index candidates on surname + date of birth, then an exact
comparison of the decrypted, normalised first name, surname and date of birth.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from casework.crypto import candidates, normalise
from casework.referrals.models import Perpetrator, Referral

KEYS_A_QUERY = 500


def minus_months(day: date, months: int) -> date:
    """``day`` minus calendar months, clamped to the month's end (29 Feb -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    date_of_birth: date | None

    def same_as(self, other: Person) -> bool:
        if normalise(self.first_name) != normalise(other.first_name):
            return False
        if normalise(self.last_name) != normalise(other.last_name):
            return False
        if self.date_of_birth and other.date_of_birth:
            return self.date_of_birth == other.date_of_birth
        return True  # a perpetrator's date of birth is often unknown: names decide


def victim_of(referral: Referral) -> Person:
    return Person(
        referral.victim_first_name or "",
        referral.victim_last_name or "",
        referral.victim_date_of_birth,
    )


def lock_name(keys: Sequence[str]) -> str:
    """What concurrent submissions for one victim serialise on, from the victim's look-up keys
    (``victim_keys``): the blind index under the primary key, never the name itself."""
    return f"referral-victim:{keys[0] if keys else 'unknown'}"


def victim_keys(victim: Person) -> list[str]:
    """The blind-index values under which the victim's earlier referrals may be stored: their
    date of birth and, when it could be, the same with day and month swapped."""
    dob = victim.date_of_birth
    if dob is None:
        return []
    dobs = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        dobs.append(date(dob.year, dob.day, dob.month))  # day and month typed the wrong way
    keys: list[str] = []
    for born in dobs:
        keys += candidates("victim_name_dob", victim.last_name, born.isoformat())
    return keys


# Built once, so SQLAlchemy keeps their compiled form and cache keys between look-ups.
_EARLIER = select(
    Referral.id,
    Referral.referral_date,
    Referral.created_at,
    Referral.victim_first_name_ct.label("first"),
    Referral.victim_last_name_ct.label("last"),
    Referral.victim_date_of_birth_ct.label("born"),
    Referral.victim_ix,
).where(Referral.victim_ix.in_(bindparam("keys", expanding=True)), Referral.status != "withdrawn")
_THEIR_PERPETRATORS = (
    select(
        Perpetrator.referral_id,
        Perpetrator.id,
        Perpetrator.first_name_ct.label("first"),
        Perpetrator.last_name_ct.label("last"),
        Perpetrator.date_of_birth_ct.label("born"),
    )
    .where(Perpetrator.referral_id.in_(bindparam("ids", expanding=True)))
    .order_by(Perpetrator.referral_id, Perpetrator.position)
)


@dataclass(frozen=True)
class Candidate:
    """An earlier referral as the rule compares it: its date, victim and perpetrators."""

    id: uuid.UUID
    referral_date: date
    created_at: datetime
    victim: Person
    perpetrators: tuple[Person, ...]
    index: str | None  # the victim's blind index it is stored under


def stored_candidates(session: Session, keys: Sequence[str]) -> list[Candidate]:
    """Referrals (not withdrawn) stored under any of ``keys``, as candidates.

    Read with Core, only the columns the rule compares (two short queries when the victim is
    on file, one when not), and decrypted here. An import asks for a whole batch's victims at
    once: the keys go in slices, well inside every database's limit on bound parameters.
    """
    conn = session.connection()
    rows = []
    for first in range(0, len(keys), KEYS_A_QUERY):
        rows += conn.execute(_EARLIER, {"keys": keys[first : first + KEYS_A_QUERY]}).all()
    if not rows:
        return []
    perpetrators: dict[uuid.UUID, list[Person]] = {}
    ids = [row.id for row in rows]
    for first in range(0, len(ids), KEYS_A_QUERY):
        for p in conn.execute(_THEIR_PERPETRATORS, {"ids": ids[first : first + KEYS_A_QUERY]}):
            perpetrators.setdefault(p.referral_id, []).append(
                _person(Perpetrator, p.id, p.first, p.last, p.born)
            )
    return [
        Candidate(
            row.id,
            row.referral_date,
            row.created_at,
            _person(
                Referral,
                row.id,
                row.first,
                row.last,
                row.born,
                prefix="victim_",
            ),
            tuple(perpetrators.get(row.id, ())),
            row.victim_ix,
        )
        for row in rows
    ]


def _person(
    cls: type, row_id: uuid.UUID, first: Any, last: Any, born: Any, prefix: str = ""
) -> Person:
    fields = vars(cls)
    return Person(
        fields[f"{prefix}first_name"].value_of(cls, row_id, first) or "",
        fields[f"{prefix}last_name"].value_of(cls, row_id, last) or "",
        fields[f"{prefix}date_of_birth"].value_of(cls, row_id, born),
    )


def shares_perpetrator(a: Sequence[Person], b: Sequence[Person]) -> bool:
    return any(x.same_as(y) for x in a for y in b)


@dataclass(frozen=True)
class RepeatAnswer:
    previous: Candidate | None  # the most recent earlier referral of the pair, if in window
    possible: list[tuple[Candidate, str]]  # near matches for a coordinator to review


def repeat_among(
    found: Iterable[Candidate],
    victim: Person,
    perpetrators: Sequence[Person],
    referral_date: date,
    *,
    months: int = 12,
    victim_only: bool = False,
) -> RepeatAnswer:
    """The rule itself, over the earlier referrals found by the victim's blind-index keys."""
    dob = victim.date_of_birth
    if dob is None:
        return RepeatAnswer(None, [])
    since = minus_months(referral_date, months)
    earlier: list[Candidate] = []
    possible: list[tuple[Candidate, str]] = []
    for other in found:
        if other.referral_date > referral_date:
            continue
        them = other.victim
        pair = victim_only or shares_perpetrator(perpetrators, other.perpetrators)
        if them.same_as(victim):
            if pair:
                earlier.append(other)
            continue
        same_surname = normalise(them.last_name) == normalise(victim.last_name)
        if not (pair and same_surname and other.referral_date >= since):
            continue
        if them.date_of_birth == dob:
            possible.append((other, "different_first_name"))
        elif normalise(them.first_name) == normalise(victim.first_name):
            possible.append((other, "day_month_swapped"))
    latest = max(earlier, key=lambda r: (r.referral_date, r.created_at), default=None)
    if latest is not None and latest.referral_date >= since:
        return RepeatAnswer(latest, possible)
    return RepeatAnswer(None, possible)


def repeat_rule(settings: Any) -> dict[str, Any]:
    """The installation's rule: the window in months, and whether the victim alone decides."""
    return {
        "months": int(settings.get("REPEAT_MONTHS", 12)),
        "victim_only": bool(settings.get("REPEAT_VICTIM_ONLY", False)),
    }
