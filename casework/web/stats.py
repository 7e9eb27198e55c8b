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

from flask import Response, abort, render_template, request

from casework.agencies.actions import list_agencies
from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.stats import charts, downloads
from casework.stats.actions import countable_panels, marac_stats, quarterly_return
from casework.stats.reference import reference_lines
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
from casework.web.stats_filters import (
    errors_of,
    filter_context,
    filters,
    link_query,
    panel_name,
    publication,
    quarter_start,
    today,
)

CHARTS = ("repeat-rate", "non-police-share", "agencies")
# A rate chart's count and rate in the figures' monthly series (each out of ``total``).
RATE_CHARTS = {
    "repeat-rate": ("repeat", "repeat_rate"),
    "non-police-share": ("non_police", "non_police_rate"),
}


# ---------------------------------------------------------------------------------------------
# Periods and filters


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
    panels = [(p.id, p.name) for p in countable_panels(svc, actor)]
    values, query = filters()
    figures: dict[str, Any] | None = None
    errors: dict[str, list[str]] = {}
    span = None
    try:
        q, figures = marac_stats(svc, actor, query)
        span = (q["from_"], q["to"])
    except Invalid as exc:
        errors = errors_of(exc, values)
    tables = None
    if figures is not None:
        names = {a.code: a.name for a in list_agencies(svc, actor)}
        tables = dashboard_tables(figures, names)
    links = link_query(values)
    offender_rows = _offender_rows(svc, actor, span)
    page = render_template(
        "stats/dashboard.html",
        offender_rows=offender_rows,
        title="MARAC performance",
        **filter_context("web.stats_dashboard", panels, values, errors, actor.has_any("analyst")),
        figures=figures,
        span=span,
        headline=headline(figures, _reference()) if figures else [],
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
    panels = [(p.id, p.name) for p in countable_panels(svc, actor)]
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
        panel_name=panel_name(panels, values.get("panel"), actor.has_any("analyst")),
        quarters=QUARTERS,
        table=table,
        span=span,
        display=display,
        is_numeric=is_numeric,
        long_date=long_date,
        below=_below(),
    )
    return (page, 422) if errors else page


def _quarter_values() -> dict[str, str]:
    values = {n: v for n in ("panel", "year", "quarter") if (v := request.args.get(n, "").strip())}
    if "year" not in values and "quarter" not in values:
        last = quarter_start(today()) - timedelta(days=1)  # the last complete quarter
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
    lines = _reference()
    return {
        "repeat-rate": charts.describe_rate(
            "Repeat rate", _points(figures, "repeat-rate"), lines.get("repeat_rate")
        ),
        "non-police-share": charts.describe_rate(
            "Non-police share of referrals",
            _points(figures, "non-police-share"),
            lines.get("non_police_rate"),
        ),
        "agencies": charts.describe_counts(
            "Referrals by referring agency", _agency_counts(figures)
        ),
    }


def _reference() -> dict[str, Any]:
    """The national lines from the dated, sourced setting (``STATS_REFERENCE_LINES``)."""
    return reference_lines(services().settings)


def _points(figures: dict[str, Any], name: str) -> list[charts.RatePoint]:
    count, rate = RATE_CHARTS[name]
    return charts.rate_points(figures["series"]["monthly"], count, rate)


def _agency_counts(figures: dict[str, Any]) -> list[tuple[str, int]]:
    counts = figures["referrals"]["by_agency"].items()
    return sorted(counts, key=lambda kv: (-kv[1], kv[0]))


@blueprint.get("/stats/charts/<name>.svg")
@signed_in
@policy()
def stats_chart(name: str) -> Any:
    if name not in CHARTS:
        abort(404)
    values, query = filters()
    _, figures = marac_stats(services(), current_actor(), query)
    desc = _descriptions(figures)[name]
    if name in RATE_CHARTS:
        title = "Repeat rate by month" if name == "repeat-rate" else "Non-police share by month"
        line = _reference().get(RATE_CHARTS[name][1])
        svg = charts.line_chart(title, desc, _points(figures, name), line)
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
    notice = downloads.note(publication(), _below())
    return downloads.attachment(stem, title, header, rows, fmt, notice, end)


@blueprint.get("/stats/marac.<any(csv, xlsx):fmt>")
@signed_in
@policy()
def stats_download(fmt: str) -> Any:
    """One table of the dashboard (``table=``), or every figure as the API gives it. Filters
    the dashboard would refuse (a date such as 31/12/9999 typed into the address) show the
    dashboard with its errors and what was typed, not a file."""
    svc, actor = services(), current_actor()
    values, query = filters()
    try:
        q, figures = marac_stats(svc, actor, query)
    except Invalid:
        return _dashboard_page()
    name = request.args.get("table", "all")
    if name == "all":
        rows = [list(r) for r in downloads.figure_rows(figures)]
        if publication():
            rows = downloads.suppressed_rows(rows, _below())
        header = ["section", "measure", "value"]
        return _file("marac-statistics", "MARAC statistics", header, rows, fmt, q["to"])
    names = {a.code: a.name for a in list_agencies(svc, actor)}
    table: Table | None = dashboard_tables(figures, names).get(name)
    if table is None:
        abort(404)
    rows = download_rows(table, publication(), _below())
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
    rows = download_rows(table, publication(), _below())
    stem = f"safelives-quarterly-return-{q['year']}-q{q['quarter']}"
    return _file(stem, table.title, download_header(table), rows, fmt, q["to"])
