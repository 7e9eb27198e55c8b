"""API: statistics (CONTRACT.md, Statistics). Figures only, never a personal field."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from casework.api.answer_schemas import MaracStatsOut, QuarterlyOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, query_of
from casework.http import current_actor, services
from casework.roles import STATS_ROLES
from casework.stats import downloads, tables
from casework.stats.actions import contract_view, marac_stats, quarterly_return
from casework.stats.schemas import PeriodQuery, QuarterQuery

QUERY = {
    "panel_id": "One MARAC panel (default: every panel the caller may count)",
    "from": "First referral/meeting date counted (YYYY-MM-DD, inclusive)",
    "to": "Last date counted (YYYY-MM-DD, inclusive)",
    "format": "json (default), csv or xlsx",
    "publication": "true: suppress counts from 1 to 4 in downloads",
}


def _download(
    stem: str,
    header: Any,
    rows: list,
    fmt: str,
    publication: bool,
    end: Any,
    suppressed: bool = False,
) -> Response:
    """A CSV or XLSX answer; ``suppressed`` says the rows were already suppressed per table."""
    below = downloads.threshold(services().settings)
    if publication and not suppressed:
        rows = downloads.suppressed_rows(rows, below)
    notice = downloads.note(publication, below)
    return downloads.attachment(stem, stem, header, rows, fmt, notice, end)


@blueprint.get("/stats/marac")
@endpoint(
    summary="MARAC figures by referral date and by meeting date",
    tag="statistics",
    policy=(),
    roles=STATS_ROLES,
    response=MaracStatsOut,
    downloads=("text/csv", downloads.XLSX),
    query=query_of(PeriodQuery, QUERY),
)
def stats_marac() -> Any:
    q, figures = marac_stats(services(), current_actor(), request.args.to_dict())
    if q["format"] == "json":
        return contract_view(figures)
    rows = [list(r) for r in downloads.figure_rows(figures)]
    header = ("section", "measure", "value")
    return _download("marac-statistics", header, rows, q["format"], q["publication"], q["to"])


@blueprint.get("/stats/marac/quarterly")
@endpoint(
    summary="The SafeLives quarterly MARAC return: one row per meeting held in the quarter",
    tag="statistics",
    policy=(),
    roles=STATS_ROLES,
    response=QuarterlyOut,
    downloads=("text/csv", downloads.XLSX),
    query=query_of(
        QuarterQuery,
        {
            "panel_id": QUERY["panel_id"],
            "year": "e.g. 2026",
            "quarter": "1 to 4",
            "format": QUERY["format"],
            "publication": QUERY["publication"],
        },
    ),
)
def stats_quarterly() -> Any:
    q, table = quarterly_return(services(), current_actor(), request.args.to_dict())
    if q["format"] == "json":
        return {"from": q["from_"].isoformat(), "to": q["to"].isoformat(), "meetings": table}
    # The same table, and the same per-cell suppression, as the dashboard's download.
    below = downloads.threshold(services().settings)
    return_table = tables.quarterly_table(table)
    rows = tables.download_rows(return_table, q["publication"], below)
    header = tables.download_header(return_table)
    return _download(
        "safelives-quarterly-return", header, rows, q["format"], q["publication"], q["to"], True
    )
