"""How casework writes dates and times for people: the one home of the long formats.

Pages, notices, e-mails, PDFs and meeting messages all write dates the GOV.UK way
("1 December 2026", "Tuesday 1 December 2026"), and moments on the partnership's own clock
("Tuesday 1 December 2026 at 10:00"). They were written out by hand in a dozen places, each
a chance to drift (a zero-padded day, a UTC hour); here they are written once.

A date may be given as a ``date``, an ISO 8601 string (as the API's views carry dates) or a
``datetime``, written as the day it holds: to show the UK day of a moment stored in UTC, pass
``uk(moment)`` (a page that labels a time "UTC" passes the moment as it is). An empty value
gives ``""``, so a page can print an optional date without a test. The moment formats
(``long_moment``, ``time_and_date``...) always read the moment on the UK clock.

English month and day names: Python never sets a locale unless asked, and casework never does.
"""

from __future__ import annotations

from datetime import date, datetime

from casework.clock import UK

DateLike = date | datetime | str | None


def uk(moment: datetime) -> datetime:
    """``moment`` on the partnership's (UK) clock; a naive value is taken as already local."""
    return moment.astimezone(UK) if moment.tzinfo else moment


def as_day(value: DateLike) -> date | None:
    """The calendar day a value names (a ``datetime``: the day it holds, see above)."""
    if not value:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    return value


def long_date(value: DateLike) -> str:
    """'1 December 2026' (no leading zero, month in words), or '' for no date."""
    day = as_day(value)
    return f"{day.day} {day:%B %Y}" if day else ""


def long_day(value: DateLike) -> str:
    """'Tuesday 1 December 2026': the day of the week first, or '' for no date."""
    day = as_day(value)
    return f"{day:%A} {long_date(day)}" if day else ""


def _moment(value: datetime | str) -> datetime:
    return uk(datetime.fromisoformat(value) if isinstance(value, str) else value)


def long_moment(value: datetime | str) -> str:
    """'Tuesday 1 December 2026 at 10:00' on the UK clock (a moment or its ISO 8601 text)."""
    local = _moment(value)
    return f"{long_day(local)} at {local:%H:%M}"


def date_at(value: datetime | str) -> str:
    """'1 December 2026 at 10:00' on the UK clock: a moment without its weekday."""
    local = _moment(value)
    return f"{long_date(local)} at {local:%H:%M}"


def time_and_date(value: datetime | str) -> str:
    """'14:05 on 6 January 2027' on the UK clock: when something ends, time first."""
    local = _moment(value)
    return f"{local:%H:%M} on {long_date(local)}"


def time_and_day(value: datetime | str) -> str:
    """'14:05 on Wednesday 6 January 2027' on the UK clock."""
    local = _moment(value)
    return f"{local:%H:%M} on {long_day(local)}"
