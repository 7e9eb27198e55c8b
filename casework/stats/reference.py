"""National reference figures the performance pages compare a MARAC with (SafeLives' dataset).

A national figure is only honest with its source and date beside it: SafeLives republishes
every quarter, and a line drawn at "about 30%" years later misleads. So each figure is a
setting (``STATS_REFERENCE_LINES``) carrying its value, label, source and as-of date, and every
chart or headline that draws it also says where it comes from. Kept free of Flask and
matplotlib so the start-up check, the charts and the tables share one reading of the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.dates import long_date
from casework.settings import ConfigError

# The measures a reference line may be given for; a rate is a fraction (0.31 for 31%).
MEASURES = {"repeat_rate": "rate", "non_police_rate": "rate", "volume_per_10k": "number"}
FIELDS = ("value", "label", "source", "as_of")


@dataclass(frozen=True)
class ReferenceLine:
    """A national figure with where it comes from: drawn as a dashed line, cited in words."""

    measure: str
    value: float
    label: str
    source: str
    as_of: date

    @property
    def shown(self) -> str:
        """The value as people read it: '31%' or '36.1%' for a rate, '47' for a number."""
        if MEASURES[self.measure] == "rate":
            return f"{self.value * 100:.1f}".removesuffix(".0") + "%"
        return f"{self.value:,.1f}".removesuffix(".0")

    @property
    def citation(self) -> str:
        """'National repeat rate 31%: SafeLives ..., 12 months to September 2024, as of 30
        September 2024': what a chart's key, its caption and the headline say about it."""
        return f"{self.label} {self.shown}: {self.source}, as of {long_date(self.as_of)}"


def reference_lines(settings: Mapping[str, Any]) -> dict[str, ReferenceLine]:
    """The configured lines by measure; raises ``ConfigError`` naming every problem, so the
    service refuses to start rather than draw a line nobody can trace."""
    raw = settings.get("STATS_REFERENCE_LINES") or {}
    if not isinstance(raw, Mapping):
        raise ConfigError("STATS_REFERENCE_LINES must be a mapping of measure to line")
    lines, problems = {}, []
    for measure, entry in raw.items():
        where = f"STATS_REFERENCE_LINES[{measure!r}]"
        if measure not in MEASURES:
            problems.append(f"{where}: unknown measure (one of {', '.join(MEASURES)})")
            continue
        if not isinstance(entry, Mapping) or set(entry) != set(FIELDS):
            problems.append(f"{where}: give exactly {', '.join(FIELDS)}")
            continue
        line, problem = _line(measure, entry)
        if problem:
            problems.append(f"{where}: {problem}")
        else:
            lines[measure] = line
    if problems:
        raise ConfigError("; ".join(problems))
    return lines


def _line(measure: str, entry: Mapping[str, Any]) -> tuple[Any, str]:
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None, "value must be a number, 0 or more"
    if MEASURES[measure] == "rate" and value > 1:
        return None, "a rate's value is a fraction, such as 0.31 for 31%"
    texts = [entry["label"], entry["source"]]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        return None, "label and source must be words"
    try:
        as_of = date.fromisoformat(str(entry["as_of"]))
    except ValueError:
        return None, "as_of must be a date such as 2024-09-30"
    label, source = (t.strip() for t in texts)
    return ReferenceLine(measure, float(value), label, source, as_of), ""
