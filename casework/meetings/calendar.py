"""Working days and UK local time, for meeting deadlines.

Referral cut-off, agenda circulation and minutes are counted in working days (DOMAIN.md):
weekends and the bank holidays of the panel's nation do not count. The holiday data comes
from the pinned ``holidays`` package, which computes them locally: nothing is fetched at run
time. England and Wales share one list of bank holidays; Scotland and Northern Ireland each
have their own (St Andrew's Day, the 2 January holiday; St Patrick's Day, 12 July).

Every UK nation keeps the same clock, so meeting times are read and shown in Europe/London
and stored as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from casework.clock import UK

# Panel.nation -> the holidays package's subdivision of the United Kingdom. Wales ("WLS")
# keeps England's bank holidays, so "ENG" stands for both.
SUBDIVISIONS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    try:
        subdiv = SUBDIVISIONS[nation]
    except KeyError:
        raise ValueError(f"unknown nation {nation!r}") from None
    return frozenset(holidays.country_holidays("GB", subdiv=subdiv, years=year).keys())


def is_bank_holiday(day: date, nation: str) -> bool:
    return day in _bank_holidays(nation, day.year)


def is_working_day(day: date, nation: str) -> bool:
    """Monday to Friday, and not a bank holiday (or its substitute day) in that nation."""
    return day.weekday() < 5 and not is_bank_holiday(day, nation)


def working_days_before(day: date, n: int, nation: str) -> date:
    """The working day ``n`` working days before ``day`` (``day`` itself is not counted).

    A meeting on Tuesday 1 December 2026 with an 8-working-day cut-off has its cut-off on
    Thursday 19 November. ``n=0`` answers ``day``.
    """
    return _step(day, n, nation, -1)


def working_days_after(day: date, n: int, nation: str) -> date:
    """The working day ``n`` working days after ``day`` (``day`` itself is not counted)."""
    return _step(day, n, nation, 1)


def _step(day: date, n: int, nation: str, direction: int) -> date:
    if n < 0:
        raise ValueError("n must not be negative")
    current = day
    left = n
    while left:
        current += timedelta(days=direction)
        if is_working_day(current, nation):
            left -= 1
    return current


def local(moment: datetime) -> datetime:
    """A stored UTC moment as UK local time (for pages, e-mails and the meeting's date)."""
    return moment.astimezone(UK)


def local_date(moment: datetime) -> date:
    return local(moment).date()


def from_local(wall: datetime) -> datetime:
    """UK wall-clock time (naive) as an aware UTC moment. In the autumn hour that happens
    twice the first (summer time) reading is taken; a spring time that does not exist moves
    on by the hour the clocks skip."""
    aware = wall.replace(tzinfo=UK, fold=0)
    return aware.astimezone(UTC)


def at_local(day: date, clock: time) -> datetime:
    """The UTC moment of ``clock`` UK time on ``day``."""
    return from_local(datetime.combine(day, clock))


def parse_clock(text: str) -> time:
    """'17:00' -> time(17, 0); settings give times of day this way."""
    hours, _, minutes = str(text).partition(":")
    return time(int(hours), int(minutes or 0))
