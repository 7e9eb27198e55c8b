"""API: offender cohort figures (CONTRACT.md, Offenders: ``GET /api/v1/stats/offenders``).

Counts only, never a personal field, so no sharing policy is disclosed: what is limited is
the set of panels counted (casework/offenders/outcomes.py). The JSON answer has exactly the
contract's keys; ``?format=csv|xlsx`` downloads every cohort figure (moves between R&R and
C&C and the pathway shares too), with ``publication=true`` suppressing small counts.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from casework.api.answer_schemas import OffenderStatsOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, query_of
from casework.http import current_actor, services
from casework.offenders.outcomes import contract_view, figure_rows, offender_stats
from casework.roles import STATS_ROLES
from casework.stats import downloads
from casework.stats.schemas import PeriodQuery

HEADER = ("section", "measure", "value")


def figures_download(figures: dict[str, Any], fmt: str, publication: bool, end: Any) -> Response:
    """The cohort figures as a CSV or XLSX attachment (shared with the figures page)."""
    below = downloads.threshold(services().settings)
    rows = figure_rows(figures)
    if publication:
        rows = downloads.suppressed_rows(rows, below)
    notice = downloads.note(publication, below)
    stem = "offender-cohort-figures"
    return downloads.attachment(stem, stem, HEADER, rows, fmt, notice, end)


@blueprint.get("/stats/offenders")
@endpoint(
    summary="Offender cohort figures: nominals, R&R/C&C, offences before and after entry",
    tag="statistics",
    policy=(),
    roles=STATS_ROLES,
    response=OffenderStatsOut,
    downloads=("text/csv", downloads.XLSX),
    query=query_of(
        PeriodQuery,
        {
            "panel_id": "One PPO, Prevent and Deter or IOM panel (default: every panel the "
            "caller may count)",
            "from": "First day of the period (YYYY-MM-DD, inclusive)",
            "to": "Last day of the period (YYYY-MM-DD, inclusive)",
            "format": "json (default: exactly the contract's keys), csv or xlsx (every figure)",
            "publication": "true: suppress counts from 1 to 4 in downloads",
        },
    ),
)
def stats_offenders() -> Any:
    q, figures = offender_stats(services(), current_actor(), request.args.to_dict())
    if q["format"] == "json":
        return contract_view(figures)
    return figures_download(figures, q["format"], q["publication"], q["to"])
