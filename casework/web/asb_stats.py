"""The ASB panels' performance page (``/stats/asb``) and its downloads.

Figures only, from ``casework.stats.asb`` (grouped SQL over plain columns), which decides
which panels the caller may count; no page or file here reads a personal field. Filters are
the MARAC dashboard's (``panel``, GOV.UK date boxes or a quick ``period``, as GET parameters)
and are read by the same helpers, so the two pages count periods alike.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.stats import asb_tables, downloads
from casework.stats.asb import asb_stats, countable_asb_panels
from casework.stats.tables import display, download_header, download_rows, is_numeric
from casework.web.blueprint import blueprint
from casework.web.stats_filters import errors_of, filter_context, filters, link_query, publication


def _below() -> int:
    return downloads.threshold(services().settings)


@blueprint.get("/stats/asb")
@signed_in
@policy()
def asb_stats_page() -> Any:
    return _page()


def _page() -> Any:
    """The figures for the filters in the address; GOV.UK errors (422) for a refused date or
    panel, keeping what was typed."""
    svc, actor = services(), current_actor()
    panels = countable_asb_panels(svc, actor)
    values, query = filters()
    figures, span, errors = None, None, {}
    try:
        q, figures = asb_stats(svc, actor, query)
        span = (q["from_"], q["to"])
    except Invalid as exc:
        errors = errors_of(exc, values)
    page = render_template(
        "stats/asb.html",
        title="ASB panel performance",
        **filter_context("web.asb_stats_page", panels, values, errors, actor.has_any("analyst")),
        figures=figures,
        span=span,
        tables=asb_tables.page_tables(figures) if figures else {},
        links=link_query(values),
        display=display,
        is_numeric=is_numeric,
        long_date=long_date,
        below=_below(),
    )
    return (page, 422) if errors else page


@blueprint.get("/stats/asb.<any(csv, xlsx):fmt>")
@signed_in
@policy()
def asb_stats_download(fmt: str) -> Any:
    """One table of the page (``table=``), or every figure as the API gives it. Filters the
    page would refuse show the page with its errors, not a file."""
    svc, actor = services(), current_actor()
    _, query = filters()
    try:
        q, figures = asb_stats(svc, actor, query)
    except Invalid:
        return _page()
    name = request.args.get("table", "all")
    if name == "all":
        return asb_tables.download(figures, fmt, publication(), _below(), q["to"])
    table = asb_tables.page_tables(figures).get(name)
    if table is None:
        abort(404)
    rows = download_rows(table, publication(), _below())
    notice = downloads.note(publication(), _below())
    stem = "asb-" + table.name.replace("_", "-")
    header = download_header(table)
    return downloads.attachment(stem, table.title, header, rows, fmt, notice, q["to"])
