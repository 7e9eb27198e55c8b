"""The performance pages' filters, shared by every statistics page (MARAC, ASB): the panel, the
period as GOV.UK date boxes (``from-day`` … ``to-year``) or a quick ``period``, and whether a
download is for publication; read from the query string so a view can be bookmarked, and
errors worded GOV.UK's way against the box they belong to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask import request, url_for

from casework import clock
from casework.errors import Invalid
from casework.schemas import DATE_RANGE
from casework.web.forms import error_list

PARTS = ("day", "month", "year")
DATES = {"from": "start date", "to": "end date"}
PERIODS = {
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "last_12_months": "Last 12 months",
    "this_financial_year": "This financial year",
    "last_financial_year": "Last financial year",
}


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def period_dates(name: str, today: date) -> tuple[date, date]:
    """The first and last day of a quick period (calendar quarters; UK financial years start on
    1 April). Periods that include today end today."""
    if name == "this_quarter":
        return quarter_start(today), today
    if name == "last_quarter":
        end = quarter_start(today) - timedelta(days=1)
        return quarter_start(end), end
    if name == "last_12_months":
        first = date(today.year - (today.month <= 11), (today.month - 12) % 12 + 1, 1)
        return first, today
    april = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    if name == "this_financial_year":
        return april, today
    return date(april.year - 1, 4, 1), april - timedelta(days=1)


def today() -> date:
    return clock.today()


def date_values(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def filters() -> tuple[dict[str, str], dict[str, str]]:
    """(values for the form, input for the action). A quick period, or no dates at all (the
    last 12 months), is turned into dates here so the boxes show what is counted."""
    names = ["panel", *(f"{d}-{p}" for d in DATES for p in PARTS)]
    values = {n: v for n in names if (v := request.args.get(n, "").strip())}
    period = request.args.get("period", "")
    typed = any(k.split("-")[0] in DATES for k in values)
    if period in PERIODS or not typed:
        start, end = period_dates(period if period in PERIODS else "last_12_months", today())
        values.update(date_values("from", start) | date_values("to", end))
    query: dict[str, str] = {}
    for name in DATES:
        day, month, year = (values.get(f"{name}-{p}", "") for p in PARTS)
        if day or month or year:  # a missing box makes an invalid date the action reports
            query[name] = f"{year}-{month:0>2}-{day:0>2}"
    if values.get("panel"):
        query["panel_id"] = values["panel"]
    return values, query


def date_error(name: str, values: dict[str, str], message: str) -> str:
    """GOV.UK wording for a date that the action refused."""
    label = DATES[name]
    parts = {p: values.get(f"{name}-{p}", "") for p in PARTS}
    if not any(parts.values()):
        return f"Enter the {label}"
    missing = [p for p, v in parts.items() if not v]
    if missing:
        return f"The {label} must include a {' and a '.join(missing)}"
    if not (parts["year"].isdigit() and len(parts["year"]) == 4):
        return f"The year of the {label} must include 4 numbers"
    if message.startswith("Must be on or after"):
        return "The end date must be the same as or after the start date"
    if message == DATE_RANGE:
        return f"The {label} must be between 1 January 1900 and 31 December 2100"
    return f"The {label} must be a real date"


def errors_of(exc: Invalid, values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in exc.fields.items():
        if name in DATES:
            errors[name] = [date_error(name, values, messages[0])]
        elif name == "panel_id":
            errors["panel"] = ["Select a panel from the list"]
        else:
            errors[name] = ["Remove this from the web address: " + messages[0]]
    return errors


def error_items(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    items = error_list(errors)
    for item in items:
        if item["href"].lstrip("#") in DATES:
            item["href"] += "-day"
    return items


def panel_only(values: dict[str, str]) -> dict[str, str]:
    return {"panel": values["panel"]} if values.get("panel") else {}


def link_query(values: dict[str, str]) -> dict[str, str]:
    """What charts, downloads and quick links need to count exactly what the page shows."""
    return {k: v for k, v in values.items() if k == "panel" or k.split("-")[0] in DATES}


def panel_name(panels: Sequence[tuple[Any, str]], chosen: str | None, analyst: bool) -> str:
    """The heading's name for what is counted: the chosen panel, or every panel the reader
    may count (an analyst counts them all)."""
    if not chosen:
        return "All panels" if analyst else "All your panels"
    return next((name for pid, name in panels if str(pid) == chosen), "")


def filter_context(
    endpoint: str,
    panels: Sequence[tuple[Any, str]],
    values: dict[str, str],
    errors: dict[str, list[str]],
    analyst: bool,
) -> dict[str, Any]:
    """What the period form (``period_form`` in stats/_macros.html) renders with on a page
    whose figures ``endpoint`` shows; ``panels`` are (id, name) pairs the reader may count."""
    return {
        "values": values,
        "errors": errors,
        "error_items": error_items(errors),
        "panels": panels,
        "panel_name": panel_name(panels, values.get("panel"), analyst),
        "periods": PERIODS,
        "period_links": {
            key: url_for(endpoint, period=key, **panel_only(values)) for key in PERIODS
        },
    }


def publication() -> bool:
    return request.args.get("publication") in ("yes", "true", "on", "1")
