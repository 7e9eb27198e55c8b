"""Retention periods per record type: read from configuration and checked at start-up.

Partnerships' retention schedules differ, so the periods are data (``config/retention.toml``,
or the file ``RETENTION_FILE`` names), not code. The file is read and checked once when the
service starts (``casework.bootstrap``): a bad file stops the service with a message naming
every problem, as a bad risk matrix does, rather than listing records for erasure on a
period nobody chose.
"""

from __future__ import annotations

import calendar
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from casework.settings import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "retention.toml"

#: The record types a period must be set for, and how each reads on the DPO's pages.
RECORD_TYPES = {
    "marac_referral": "MARAC referral",
    "referral_draft": "Referral draft",
    "nominal": "Nominal (offender panels)",
    "asb_case": "ASB case",
    "audit_log": "Audit log entry",
}
UNITS = ("years", "months", "days")


class RetentionError(ValueError):
    """The retention file cannot be used; the message names every problem found."""


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str

    def after(self, start: date) -> date:
        """The day the period ends (a record is due on it). 29 February plus whole years
        ends on 28 February in a common year: never later than the schedule says."""
        if self.unit == "days":
            return start + timedelta(days=self.amount)
        return self._shift(start)

    def _shift(self, start: date) -> date:
        months = self.amount * (12 if self.unit == "years" else 1)
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def before(self, today: date) -> date:
        """The latest start whose period has ended by ``today``: a record that started on or
        before it is due (the inverse of ``after``, so SQL compares plain dates)."""
        if self.unit == "days":
            return today - timedelta(days=self.amount)
        back = Period(-self.amount, self.unit)._shift(today)
        while self.after(back + timedelta(days=1)) <= today:
            back += timedelta(days=1)
        while self.after(back) > today:
            back -= timedelta(days=1)
        return back

    def words(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class Policy:
    periods: dict[str, Period]

    def period(self, record_type: str) -> Period:
        return self.periods[record_type]


def check(settings: Mapping[str, Any]) -> None:
    """``ConfigError`` naming what is wrong with the retention file (``casework.bootstrap``)."""
    try:
        policy_for(settings)
    except RetentionError as exc:
        raise ConfigError(f"retention periods (RETENTION_FILE): {exc}") from None


def policy_path(settings: Mapping[str, Any]) -> Path:
    return Path(settings.get("RETENTION_FILE") or DEFAULT_PATH)


def policy_for(settings: Mapping[str, Any]) -> Policy:
    """The configured policy, read once per file (the service checked it at start-up)."""
    return _cached(str(policy_path(settings)))


@functools.lru_cache(maxsize=8)
def _cached(path: str) -> Policy:
    return load_policy(Path(path))


def load_policy(path: Path) -> Policy:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RetentionError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RetentionError(f"{path} cannot be read: {exc}") from None
    return parse_policy(raw)


def parse_policy(raw: Mapping[str, Any]) -> Policy:
    problems: list[str] = []
    periods: dict[str, Period] = {}
    for name in sorted(set(raw) - set(RECORD_TYPES)):
        problems.append(f"{name}: unknown record type (known: {', '.join(RECORD_TYPES)})")
    for name in RECORD_TYPES:
        table = raw.get(name)
        if not isinstance(table, dict):
            problems.append(f"{name}: missing (a table with years, months or days)")
            continue
        extra = sorted(set(table) - set(UNITS))
        if extra:
            problems.append(f"{name}: unknown keys {', '.join(extra)}")
        given = [u for u in UNITS if u in table]
        if len(given) != 1:
            problems.append(f"{name}: give exactly one of years, months or days")
            continue
        amount = table[given[0]]
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 100_000:
            problems.append(f"{name}: {given[0]} must be a whole number, 1 or more")
            continue
        periods[name] = Period(amount, given[0])
    if problems:
        raise RetentionError("; ".join(problems))
    return Policy(periods)
