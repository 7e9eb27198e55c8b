"""Who may see which figures: analysts every panel, coordinators and chairs their own panels.

Figures are aggregates, never a personal field, so they do not pass the field-level sharing
engine; what is limited is the set of panels counted. A panel the caller may not see answers
404 like any other record.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.authz import action, require_role
from casework.errors import NotVisible
from casework.panels.models import Panel, PanelMember
from casework.roles import STATS_ROLES
from casework.schemas import load
from casework.services import Services
from casework.stats.marac import Scope, marac_answer, of_marac_kind, safelives_return
from casework.stats.schemas import PeriodQuery as StatsQuery
from casework.stats.schemas import QuarterQuery


def _panels(
    svc: Services, actor: Actor, panel_id: uuid.UUID | None
) -> tuple[uuid.UUID, ...] | None:
    """The MARAC panels counted for this caller (None: all of them, for analysts)."""
    stmt = select(Panel.id).where(of_marac_kind())
    if not actor.has_any("analyst"):
        stmt = stmt.join(PanelMember, PanelMember.panel_id == Panel.id).where(
            PanelMember.agency_id == actor.agency_id
        )
    allowed = tuple(svc.session.scalars(stmt))
    if panel_id is not None:
        if panel_id not in allowed:
            raise NotVisible()
        return (panel_id,)
    return None if actor.has_any("analyst") else allowed


def contract_view(figures: dict[str, Any]) -> dict[str, Any]:
    """Exactly the keys CONTRACT.md lists for ``GET /api/v1/stats/marac``."""
    r, h = figures["referrals"], figures["heard"]
    keep = ("total", "repeat", "repeat_rate", "police", "non_police", "non_police_rate")
    return {
        "from": figures["from"],
        "to": figures["to"],
        "referrals": {
            **{k: r[k] for k in keep},
            "by_agency": r["by_agency"],
            "criteria": r["criteria"],
            "victims": r["victims"],
            "children": r["children"],
        },
        "heard": {k: h[k] for k in ("meetings", "cases", "repeat", "repeat_rate")},
    }


@action
def marac_stats(svc: Services, actor: Actor, query: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(query, figures): the full figures with series; ``contract_view`` trims to the API."""
    require_role(actor, *STATS_ROLES)
    q = load(StatsQuery(), query)
    scope = Scope(q["from_"], q["to"], _panels(svc, actor, q["panel_id"]))
    return q, marac_answer(svc.session, scope)


@action
def quarterly_return(svc: Services, actor: Actor, query: Any) -> tuple[dict[str, Any], list]:
    require_role(actor, *STATS_ROLES)
    q = load(QuarterQuery(), query)
    first_month = (q["quarter"] - 1) * 3 + 1
    start = date(q["year"], first_month, 1)
    end = date(q["year"] + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    end = date.fromordinal(end.toordinal() - 1)
    scope = Scope(start, end, _panels(svc, actor, q["panel_id"]))
    q["from_"], q["to"] = start, end
    return q, safelives_return(svc.session, scope)


@action
def countable_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The MARAC panels whose figures the caller may see (the dashboard's panel filter)."""
    require_role(actor, *STATS_ROLES)
    allowed = _panels(svc, actor, None)
    stmt = select(Panel).where(of_marac_kind()).order_by(Panel.name)
    if allowed is not None:
        stmt = stmt.where(Panel.id.in_(allowed))
    return list(svc.session.scalars(stmt))
