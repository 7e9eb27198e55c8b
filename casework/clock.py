"""The service's one clock: every "now" and "today" in casework is read here.

Meetings, cut-offs, repeat windows, due dates and statistics periods all turn on the date, so
a test (or a rehearsal server) must be able to say "as of 5 January 2027" and have every part
of the service agree. The clock can therefore be *set*: it then keeps ticking from the moment
it was set to, so ordering and durations stay real. Setting it is for tests and development
only; ``configure`` refuses a set clock in production (see ``casework.settings``).

Dates are the partnership's calendar (Europe/London); instants are UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
DEFAULT_TIME = time(12, 0)  # a day given alone means its UK noon: clear of both midnights

_offset = timedelta(0)


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC) + _offset


def uk_now() -> datetime:
    return now().astimezone(UK)


def today() -> date:
    """Today on the partnership's (UK) calendar, not UTC's."""
    return uk_now().date()


def parse_moment(value: str | date | datetime) -> datetime:
    """``2027-01-05`` (UK noon), ``2027-01-05T09:30`` (UK time) or an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UK)
    if isinstance(value, date):
        return datetime.combine(value, DEFAULT_TIME, tzinfo=UK)
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), DEFAULT_TIME, tzinfo=UK)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"not a date or date-time: {value!r} (use 2027-01-05 or 2027-01-05T09:30)"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UK)


def set_to(value: str | date | datetime | None) -> None:
    """Make ``now()`` read ``value`` from this moment on (and tick from there); ``None``
    returns to the real time."""
    global _offset
    if value is None:
        _offset = timedelta(0)
        return
    _offset = parse_moment(value) - datetime.now(UTC)


def is_set() -> bool:
    return _offset != timedelta(0)


@contextmanager
def travel(value: str | date | datetime) -> Iterator[None]:
    """Within the block the clock reads ``value`` (ticking); afterwards it is as it was."""
    global _offset
    before = _offset
    set_to(value)
    try:
        yield
    finally:
        _offset = before


def configure(settings: dict[str, Any]) -> None:
    """Apply the ``CLOCK`` setting (``CASEWORK_CLOCK``), which only testing and development
    accept: a production service always runs on the real time."""
    wanted = settings.get("CLOCK")
    if not wanted:
        return
    if settings.get("ENV") == "production":
        return  # check_production has already refused this configuration
    set_to(str(wanted))
