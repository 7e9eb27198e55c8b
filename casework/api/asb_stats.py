"""API: ASB risk assessment panel figures (``GET /api/v1/stats/asb``).

Counts only, never a personal field, so no sharing policy is disclosed: what is limited is the
set of panels counted (``casework.stats.asb``). ``?format=csv|xlsx`` downloads every figure,
one row per panel, section and measure; ``publication=true`` suppresses small counts.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, query_of
from casework.http import current_actor, services
from casework.roles import STATS_ROLES
from casework.schemas import StrictSchema
from casework.stats import asb_tables, downloads
from casework.stats.asb import asb_stats
from casework.stats.schemas import PeriodQuery


class AsbStatsOut(StrictSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    total = fields.Dict(
        metadata={
            "description": "cases (referred, repeat victims, risk bands, open, closed, "
            "outcomes), community_triggers (received, threshold, decided on time or late, "
            "decisions) and interventions (issued by type and outcome, breaches), over every "
            "panel counted"
        }
    )
    panels = fields.List(
        fields.Dict(),
        metadata={"description": "the same figures for each panel counted, with its id and name"},
    )


@blueprint.get("/stats/asb")
@endpoint(
    summary="ASB panel figures: cases, risk, Community Triggers, interventions, outcomes",
    tag="statistics",
    policy=(),
    roles=STATS_ROLES,
    response=AsbStatsOut,
    downloads=("text/csv", downloads.XLSX),
    query=query_of(
        PeriodQuery,
        {
            "panel_id": "One ASB risk assessment panel (default: every panel the caller may count)",
            "from": "First day of the period (YYYY-MM-DD, inclusive)",
            "to": "Last day of the period (YYYY-MM-DD, inclusive)",
            "format": "json (default), csv or xlsx (every figure, a row each)",
            "publication": "true: suppress counts from 1 to 4 in downloads",
        },
    ),
)
def stats_asb() -> Any:
    q, figures = asb_stats(services(), current_actor(), request.args.to_dict())
    if q["format"] == "json":
        return figures
    below = downloads.threshold(services().settings)
    return asb_tables.download(figures, q["format"], q["publication"], below, q["to"])
