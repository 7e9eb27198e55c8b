"""Meeting cadence: a small, documented rule language for when a panel meets.

Forms (parts separated by ";", in any order; ``hour`` defaults to 10, ``minute`` to 0):

- ``day=1st tue; hour=10``            monthly, on the first Tuesday (1st, 2nd, 3rd, 4th, last)
- ``day=3rd thu; hour=13; minute=30``
- ``day=wed; every=2 weeks; from=2026-01-07; hour=9``   every N weeks on a weekday,
  counted from a first meeting date (which must fall on that weekday)
- ``day=mon; hour=14``                weekly
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "last": -1}


class CadenceError(ValueError):
    pass


@dataclass(frozen=True)
class Cadence:
    weekday: int
    ordinal: int | None  # monthly when set
    every_weeks: int
    anchor: date | None
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> Cadence:
        parts: dict[str, str] = {}
        for chunk in text.split(";"):
            if not chunk.strip():
                continue
            if "=" not in chunk:
                raise CadenceError(f"expected key=value, got {chunk.strip()!r}")
            key, value = (s.strip().lower() for s in chunk.split("=", 1))
            if key in parts:
                raise CadenceError(f"{key} given twice")
            parts[key] = value
        unknown = set(parts) - {"day", "hour", "minute", "every", "from"}
        if unknown:
            raise CadenceError(f"unknown part {sorted(unknown)[0]!r}")
        if "day" not in parts:
            raise CadenceError("day is required, e.g. day=1st tue")
        day = parts["day"].split()
        ordinal = None
        if len(day) == 2:
            if day[0] not in ORDINALS:
                raise CadenceError("the week of the month must be 1st, 2nd, 3rd, 4th or last")
            ordinal = ORDINALS[day[0]]
            day = day[1:]
        if len(day) != 1 or day[0][:3] not in WEEKDAYS:
            raise CadenceError("day must name a weekday, e.g. tue")
        weekday = WEEKDAYS[day[0][:3]]
        hour = _int(parts.get("hour", "10"), "hour", 0, 23)
        minute = _int(parts.get("minute", "0"), "minute", 0, 59)
        every = 1
        anchor = None
        if "every" in parts:
            if ordinal is not None:
                raise CadenceError("every goes with a weekly rule, not a monthly one")
            m = re.fullmatch(r"(\d+)\s*weeks?", parts["every"])
            if not m:
                raise CadenceError("every must be like '2 weeks'")
            every = _int(m.group(1), "every", 1, 8)
        if "from" in parts:
            try:
                anchor = date.fromisoformat(parts["from"])
            except ValueError:
                raise CadenceError("from must be a date like 2026-01-07") from None
            if anchor.weekday() != weekday:
                raise CadenceError("from must fall on the weekday named in day")
        if every > 1 and anchor is None:
            raise CadenceError("a rule every 2 or more weeks needs from=YYYY-MM-DD")
        return cls(weekday, ordinal, every, anchor, hour, minute)

    def describe(self) -> str:
        """In words, for pages: 'First Tuesday of each month at 10:00'."""
        day = calendar.day_name[self.weekday]
        at = f"{self.hour:02d}:{self.minute:02d}"
        if self.ordinal is not None:
            which = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}[self.ordinal]
            return f"{which} {day} of each month at {at}"
        if self.every_weeks == 1:
            return f"Every {day} at {at}"
        return f"Every {self.every_weeks} weeks on {day} at {at}"

    def next_after(self, moment: datetime, count: int = 1) -> list[datetime]:
        """The next ``count`` meeting times strictly after ``moment`` (naive local time)."""
        out: list[datetime] = []
        day = moment.date()
        while len(out) < count:
            candidate = self._on_or_after(day)
            at = datetime.combine(candidate, time(self.hour, self.minute))
            if at > moment:
                out.append(at)
            day = candidate + timedelta(days=1)
        return out

    def _on_or_after(self, day: date) -> date:
        if self.ordinal is not None:
            year, month = day.year, day.month
            while True:
                found = _nth_weekday(year, month, self.weekday, self.ordinal)
                if found >= day:
                    return found
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        ahead = (self.weekday - day.weekday()) % 7
        found = day + timedelta(days=ahead)
        if self.every_weeks > 1 and self.anchor is not None:
            weeks = (found - self.anchor).days // 7
            found += timedelta(weeks=(-weeks) % self.every_weeks)
        return found


def _int(raw: str, name: str, low: int, high: int) -> int:
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise CadenceError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    days = [
        d
        for d in calendar.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    return days[ordinal - 1] if ordinal > 0 else days[-1]
