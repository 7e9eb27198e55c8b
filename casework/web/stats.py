"""Performance pages for analysts, coordinators and chairs: figures, charts and downloads.

Figures only: every number comes from the statistics actions (grouped SQL aggregates), which
decide which panels the caller may count; no page or file here reads a personal field.

Filters travel as GET parameters (``panel``, GOV.UK date boxes ``from-day`` … ``to-year``, or a
quick ``period``) so a view can be bookmarked; charts and downloads are separate routes taking
the same parameters, because pages sign in with a cookie while the API wants a bearer token.
Charts are SVG images served as ``image/svg+xml`` and shown with ``<img>``: matplotlib writes
``style`` attributes, which the pages' Content-Security-Policy (``style-src 'self'``) would
refuse inline, and each chart's description and data table are on the page itself.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, abort, render_template, request, url_for

from casework import clock
from casework.agencies.actions import list_agencies
from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.schemas import DATE_RANGE
from casework.stats import charts, downloads
from casework.stats.actions import countable_panels, marac_stats, quarterly_return
from casework.stats.tables import (
    QUARTERS,
    Table,
    dashboard_tables,
    display,
    download_header,
    download_rows,
    headline,
    is_numeric,
    quarterly_table,
)
from casework.web.blueprint import blueprint
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
CHARTS = ("repeat-rate", "non-police-share", "agencies")


# ---------------------------------------------------------------------------------------------
# Periods and filters


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def period_dates(name: str, today: date) -> tuple[date, date]:
    """The first and last day of a quick period (calendar quarters; UK financial years start on
    1 April). Periods that include today end today."""
    if name == "this_quarter":
        return _quarter_start(today), today
    if name == "last_quarter":
        end = _quarter_start(today) - timedelta(days=1)
        return _quarter_start(end), end
    if name == "last_12_months":
        first = date(today.year - (today.month <= 11), (today.month - 12) % 12 + 1, 1)
        return first, today
    april = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    if name == "this_financial_year":
        return april, today
    return date(april.year - 1, 4, 1), april - timedelta(days=1)


def _today() -> date:
    return clock.today()


def _date_values(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def _filters() -> tuple[dict[str, str], dict[str, str]]:
    """(values for the form, input for the action). A quick period, or no dates at all (the
    last 12 months), is turned into dates here so the boxes show what is counted."""
    names = ["panel", *(f"{d}-{p}" for d in DATES for p in PARTS)]
    values = {n: v for n in names if (v := request.args.get(n, "").strip())}
    period = request.args.get("period", "")
    typed = any(k.split("-")[0] in DATES for k in values)
    if period in PERIODS or not typed:
        start, end = period_dates(period if period in PERIODS else "last_12_months", _today())
        values.update(_date_values("from", start) | _date_values("to", end))
    query: dict[str, str] = {}
    for name in DATES:
        day, month, year = (values.get(f"{name}-{p}", "") for p in PARTS)
        if day or month or year:  # a missing box makes an invalid date the action reports
            query[name] = f"{year}-{month:0>2}-{day:0>2}"
    if values.get("panel"):
        query["panel_id"] = values["panel"]
    return values, query


def _date_error(name: str, values: dict[str, str], message: str) -> str:
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


def _errors(exc: Invalid, values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in exc.fields.items():
        if name in DATES:
            errors[name] = [_date_error(name, values, messages[0])]
        elif name == "panel_id":
            errors["panel"] = ["Select a panel from the list"]
        else:
            errors[name] = ["Remove this from the web address: " + messages[0]]
    return errors


def _error_items(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    items = error_list(errors)
    for item in items:
        if item["href"].lstrip("#") in DATES:
            item["href"] += "-day"
    return items


def _panel_only(values: dict[str, str]) -> dict[str, str]:
    return {"panel": values["panel"]} if values.get("panel") else {}


def _link_query(values: dict[str, str]) -> dict[str, str]:
    """What charts, downloads and quick links need to count exactly what the page shows."""
    return {k: v for k, v in values.items() if k == "panel" or k.split("-")[0] in DATES}


# ---------------------------------------------------------------------------------------------
# Pages


@blueprint.get("/stats")
@signed_in
@policy()
def stats_dashboard() -> Any:
    return _dashboard_page()


def _dashboard_page() -> Any:
    """The dashboard for the filters in the address; with what was typed kept and GOV.UK
    errors (422) when a date or the panel is refused."""
    svc, actor = services(), current_actor()
    panels = countable_panels(svc, actor)
    values, query = _filters()
    figures: dict[str, Any] | None = None
    errors: dict[str, list[str]] = {}
    span = None
    try:
        q, figures = marac_stats(svc, actor, query)
        span = (q["from_"], q["to"])
    except Invalid as exc:
        errors = _errors(exc, values)
    tables = None
    if figures is not None:
        names = {a.code: a.name for a in list_agencies(svc, actor)}
        tables = dashboard_tables(figures, names)
    links = _link_query(values)
    offender_rows = _offender_rows(svc, actor, span)
    page = render_template(
        "stats/dashboard.html",
        offender_rows=offender_rows,
        title="MARAC performance",
        values=values,
        errors=errors,
        error_items=_error_items(errors),
        panels=panels,
        panel_name=_panel_name(panels, values.get("panel")),
        periods=PERIODS,
        period_links={
            key: url_for("web.stats_dashboard", period=key, **_panel_only(values))
            for key in PERIODS
        },
        figures=figures,
        span=span,
        headline=headline(figures) if figures else [],
        tables=tables,
        links=links,
        descriptions=_descriptions(figures) if figures else {},
        display=display,
        is_numeric=is_numeric,
        long_date=long_date,
        below=_below(),
    )
    return (page, 422) if errors else page


def _offender_rows(svc: Any, actor: Any, span: tuple[Any, Any] | None) -> list[dict[str, Any]]:
    """The offender figures of each offender panel the caller may count, for the same period:
    cohort size, R&R/C&C, and offending before and after entry (counts only)."""
    if span is None:
        return []
    from casework.offenders import outcomes

    rows = []
    for panel in outcomes.countable_panels(svc, actor):
        query = {"panel_id": str(panel.id), "from": span[0].isoformat(), "to": span[1].isoformat()}
        _, figures = outcomes.offender_stats(svc, actor, query)
        rows.append({"panel": panel, "figures": outcomes.contract_view(figures)})
    return rows


@blueprint.get("/stats/quarterly")
@signed_in
@policy()
def stats_quarterly() -> Any:
    return _quarterly_page()


def _quarterly_page() -> Any:
    svc, actor = services(), current_actor()
    panels = countable_panels(svc, actor)
    values = _quarter_values()
    table, errors, span = None, {}, None
    try:
        q, meetings = quarterly_return(svc, actor, _quarter_query(values))
        table, span = quarterly_table(meetings), (q["from_"], q["to"])
    except Invalid as exc:
        errors = {("panel" if k == "panel_id" else k): [_quarter_error(k)] for k in exc.fields}
    page = render_template(
        "stats/quarterly.html",
        title="SafeLives quarterly return",
        values=values,
        errors=errors,
        error_items=error_list(errors),
        panels=panels,
        panel_name=_panel_name(panels, values.get("panel")),
        quarters=QUARTERS,
        table=table,
        span=span,
        display=display,
        is_numeric=is_numeric,
        long_date=long_date,
        below=_below(),
    )
    return (page, 422) if errors else page


def _panel_name(panels: list, panel_id: str | None) -> str:
    if not panel_id:
        return "All panels" if current_actor().has_any("analyst") else "All your panels"
    return next((p.name for p in panels if str(p.id) == panel_id), "")


def _quarter_values() -> dict[str, str]:
    values = {n: v for n in ("panel", "year", "quarter") if (v := request.args.get(n, "").strip())}
    if "year" not in values and "quarter" not in values:
        last = _quarter_start(_today()) - timedelta(days=1)  # the last complete quarter
        values.update(year=str(last.year), quarter=str((last.month - 1) // 3 + 1))
    return values


def _quarter_query(values: dict[str, str]) -> dict[str, str]:
    query = {k: values[k] for k in ("year", "quarter") if k in values}
    if values.get("panel"):
        query["panel_id"] = values["panel"]
    return query


def _quarter_error(name: str) -> str:
    return {
        "year": "Enter a year between 2000 and 2100, like 2026",
        "quarter": "Select a quarter",
        "panel_id": "Select a panel from the list",
    }.get(name, "Remove this from the web address")


# ---------------------------------------------------------------------------------------------
# Charts


def _descriptions(figures: dict[str, Any]) -> dict[str, str]:
    monthly = figures["series"]["monthly"]
    return {
        "repeat-rate": charts.describe_rate(
            "Repeat rate", [(p["period"], p["repeat_rate"]) for p in monthly]
        ),
        "non-police-share": charts.describe_rate(
            "Non-police share of referrals", [(p["period"], p["non_police_rate"]) for p in monthly]
        ),
        "agencies": charts.describe_counts(
            "Referrals by referring agency", _agency_counts(figures)
        ),
    }


def _agency_counts(figures: dict[str, Any]) -> list[tuple[str, int]]:
    counts = figures["referrals"]["by_agency"].items()
    return sorted(counts, key=lambda kv: (-kv[1], kv[0]))


@blueprint.get("/stats/charts/<name>.svg")
@signed_in
@policy()
def stats_chart(name: str) -> Any:
    if name not in CHARTS:
        abort(404)
    values, query = _filters()
    _, figures = marac_stats(services(), current_actor(), query)
    desc = _descriptions(figures)[name]
    monthly = figures["series"]["monthly"]
    if name == "repeat-rate":
        svg = charts.line_chart(
            "Repeat rate by month", desc, [(p["period"], p["repeat_rate"]) for p in monthly]
        )
    elif name == "non-police-share":
        svg = charts.line_chart(
            "Non-police share by month",
            desc,
            [(p["period"], p["non_police_rate"]) for p in monthly],
        )
    else:
        svg = charts.bar_chart("Referrals by referring agency", desc, _agency_counts(figures))
    response = Response(svg, mimetype="image/svg+xml")
    # The chart's own document may use matplotlib's inline styles, and nothing else.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return response


# ---------------------------------------------------------------------------------------------
# Downloads


def _below() -> int:
    return downloads.threshold(services().settings)


def _file(stem: str, title: str, header: list[str], rows: list, fmt: str, end: date) -> Response:
    notice = downloads.note(_publication(), _below())
    return downloads.attachment(stem, title, header, rows, fmt, notice, end)


def _publication() -> bool:
    return request.args.get("publication") in ("yes", "true", "on", "1")


@blueprint.get("/stats/marac.<any(csv, xlsx):fmt>")
@signed_in
@policy()
def stats_download(fmt: str) -> Any:
    """One table of the dashboard (``table=``), or every figure as the API gives it. Filters
    the dashboard would refuse (a date such as 31/12/9999 typed into the address) show the
    dashboard with its errors and what was typed, not a file."""
    svc, actor = services(), current_actor()
    values, query = _filters()
    try:
        q, figures = marac_stats(svc, actor, query)
    except Invalid:
        return _dashboard_page()
    name = request.args.get("table", "all")
    if name == "all":
        rows = [list(r) for r in downloads.figure_rows(figures)]
        if _publication():
            rows = downloads.suppressed_rows(rows, _below())
        header = ["section", "measure", "value"]
        return _file("marac-statistics", "MARAC statistics", header, rows, fmt, q["to"])
    names = {a.code: a.name for a in list_agencies(svc, actor)}
    table: Table | None = dashboard_tables(figures, names).get(name)
    if table is None:
        abort(404)
    rows = download_rows(table, _publication(), _below())
    stem = "marac-" + table.name.replace("_", "-")
    return _file(stem, table.title, download_header(table), rows, fmt, q["to"])


@blueprint.get("/stats/quarterly.<any(csv, xlsx):fmt>")
@signed_in
@policy()
def stats_quarterly_download(fmt: str) -> Any:
    try:
        q, meetings = quarterly_return(
            services(), current_actor(), _quarter_query(_quarter_values())
        )
    except Invalid:
        return _quarterly_page()
    table = quarterly_table(meetings)
    rows = download_rows(table, _publication(), _below())
    stem = f"safelives-quarterly-return-{q['year']}-q{q['quarter']}"
    return _file(stem, table.title, download_header(table), rows, fmt, q["to"])
