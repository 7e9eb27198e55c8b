"""ASB risk assessment panel figures: cases, risk, Community Triggers and interventions.

Counts only, from grouped SQL over plain columns (dates, bands, flags, statuses, outcomes): no
case is loaded into Python and no sealed field is read, so the figures pass no field-level
sharing policy. What is limited is the set of panels counted, as for the MARAC figures:
analysts count every panel of a kind with ASB statistics (``panel_kinds.with_statistics``),
coordinators and chairs the panels their agency sits on; a panel outside that answers 404.

Definitions for a period [from, to], both days included:

* ``cases.referred``: cases whose referral date lies in the period; ``repeat_victim``,
  ``risk`` (standard, medium, high) and their shares count those cases (a withdrawn case is
  counted: withdrawal is one of its outcomes);
* ``cases.open_at_end``: cases referred on or before ``to`` and not closed by then;
  ``cases.closed`` and ``cases.outcomes``: cases closed in the period, by outcome;
* ``community_triggers.received``: applications received in the period, by threshold
  decision (met, not met, not yet decided); ``decided``: applications decided in the period,
  on time (on or before the day the decision was due) or late, and by decision;
* ``interventions.issued``: interventions issued in the period, by type and by outcome so
  far (``none``: no outcome recorded yet); ``breaches``: breaches dated in the period, by the
  type of intervention breached.

Rates are fractions, null when there is nothing to divide by.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.asb.models import (
    CASE_OUTCOMES,
    INTERVENTION_OUTCOMES,
    INTERVENTION_TYPES,
    RISK_BANDS,
    TRIGGER_DECISIONS,
    AsbBreach,
    AsbCase,
    AsbIntervention,
    CommunityTrigger,
)
from casework.authz import action, require_role
from casework.errors import NotVisible
from casework.panels import kinds as panel_kinds
from casework.panels.models import Panel, PanelMember
from casework.roles import STATS_ROLES
from casework.schemas import load
from casework.services import Services
from casework.stats.schemas import PeriodQuery

STATISTICS = "asb"  # the statistics set a panel kind declares to be counted here
NO_OUTCOME = "none"  # an intervention with no outcome recorded yet


@dataclass(frozen=True)
class AsbScope:
    start: date
    end: date
    panels: tuple[tuple[uuid.UUID, str], ...]  # (id, name) of each panel counted, by name


def rate(part: int, total: int) -> float | None:
    return None if not total else round(part / total, 4)


def _between(column: Any, scope: AsbScope) -> Any:
    return and_(column >= scope.start, column <= scope.end)


def _count(condition: Any) -> Any:
    return func.count().filter(condition)


def _empty() -> dict[str, Any]:
    return {
        "cases": {
            "referred": 0,
            "repeat_victim": 0,
            "risk": dict.fromkeys(RISK_BANDS, 0),
            "open_at_end": 0,
            "closed": 0,
            "outcomes": dict.fromkeys(CASE_OUTCOMES, 0),
        },
        "community_triggers": {
            "received": 0,
            "threshold_met": 0,
            "threshold_not_met": 0,
            "threshold_pending": 0,
            "decided": 0,
            "decided_on_time": 0,
            "decided_late": 0,
            "decisions": dict.fromkeys(TRIGGER_DECISIONS, 0),
        },
        "interventions": {
            "issued": 0,
            "by_type": dict.fromkeys(INTERVENTION_TYPES, 0),
            "outcomes": dict.fromkeys((*INTERVENTION_OUTCOMES, NO_OUTCOME), 0),
            "breaches": 0,
            "breaches_by_type": dict.fromkeys(INTERVENTION_TYPES, 0),
        },
    }


def _cases(session: Session, scope: AsbScope, out: dict[uuid.UUID, dict[str, Any]]) -> None:
    referred = _between(AsbCase.referral_date, scope)
    closed = _between(AsbCase.closed_on, scope)
    still_open = or_(
        and_(AsbCase.closed_on.is_(None), AsbCase.status != "closed"),
        AsbCase.closed_on > scope.end,
    )
    rows = session.execute(
        select(
            AsbCase.panel_id,
            _count(referred),
            _count(and_(referred, AsbCase.repeat_victim.is_(True))),
            *(_count(and_(referred, AsbCase.risk_band == band)) for band in RISK_BANDS),
            _count(still_open),
            _count(closed),
            *(_count(and_(closed, AsbCase.outcome == o)) for o in CASE_OUTCOMES),
        )
        .where(AsbCase.panel_id.in_(out), AsbCase.referral_date <= scope.end)
        .group_by(AsbCase.panel_id)
    ).all()
    for panel_id, n, repeat, *rest in rows:
        cases = out[panel_id]["cases"]
        cases["referred"], cases["repeat_victim"] = int(n), int(repeat)
        bands, rest = rest[: len(RISK_BANDS)], rest[len(RISK_BANDS) :]
        cases["risk"] = {b: int(v) for b, v in zip(RISK_BANDS, bands, strict=True)}
        cases["open_at_end"], cases["closed"], *outcomes = (int(v) for v in rest)
        cases["outcomes"] = dict(zip(CASE_OUTCOMES, outcomes, strict=True))


def _triggers(session: Session, scope: AsbScope, out: dict[uuid.UUID, dict[str, Any]]) -> None:
    t = CommunityTrigger
    received = _between(t.received_on, scope)
    decided = _between(t.decided_on, scope)
    rows = session.execute(
        select(
            AsbCase.panel_id,
            _count(received),
            _count(and_(received, t.threshold_met.is_(True))),
            _count(and_(received, t.threshold_met.is_(False))),
            _count(and_(received, t.threshold_met.is_(None))),
            _count(decided),
            _count(and_(decided, t.decided_on <= t.decision_due_on)),
            _count(and_(decided, t.decided_on > t.decision_due_on)),
            *(_count(and_(decided, t.decision == d)) for d in TRIGGER_DECISIONS),
        )
        .join(AsbCase, AsbCase.id == t.case_id)
        .where(AsbCase.panel_id.in_(out), or_(received, decided))
        .group_by(AsbCase.panel_id)
    ).all()
    keys = ("received", "threshold_met", "threshold_not_met", "threshold_pending", "decided")
    for panel_id, *values in rows:
        triggers = out[panel_id]["community_triggers"]
        counts = [int(v) for v in values]
        triggers.update(zip(keys, counts, strict=False))
        triggers["decided_on_time"], triggers["decided_late"] = counts[5], counts[6]
        triggers["decisions"] = dict(zip(TRIGGER_DECISIONS, counts[7:], strict=True))


def _interventions(session: Session, scope: AsbScope, out: dict[uuid.UUID, dict[str, Any]]) -> None:
    i = AsbIntervention
    outcome = func.coalesce(i.outcome, NO_OUTCOME)
    rows = session.execute(
        select(AsbCase.panel_id, i.kind, outcome, func.count())
        .join(AsbCase, AsbCase.id == i.case_id)
        .where(AsbCase.panel_id.in_(out), _between(i.issued_on, scope))
        .group_by(AsbCase.panel_id, i.kind, outcome)
    ).all()
    for panel_id, kind, result, n in rows:
        figures = out[panel_id]["interventions"]
        figures["issued"] += int(n)
        figures["by_type"][kind] = figures["by_type"].get(kind, 0) + int(n)
        figures["outcomes"][result] = figures["outcomes"].get(result, 0) + int(n)
    breaches = session.execute(
        select(AsbCase.panel_id, i.kind, func.count())
        .select_from(AsbBreach)
        .join(i, i.id == AsbBreach.intervention_id)
        .join(AsbCase, AsbCase.id == i.case_id)
        .where(AsbCase.panel_id.in_(out), _between(AsbBreach.occurred_on, scope))
        .group_by(AsbCase.panel_id, i.kind)
    ).all()
    for panel_id, kind, n in breaches:
        figures = out[panel_id]["interventions"]
        figures["breaches"] += int(n)
        figures["breaches_by_type"][kind] = figures["breaches_by_type"].get(kind, 0) + int(n)


def _with_rates(figures: dict[str, Any]) -> dict[str, Any]:
    cases, triggers = figures["cases"], figures["community_triggers"]
    cases["repeat_victim_rate"] = rate(cases["repeat_victim"], cases["referred"])
    cases["high_risk_rate"] = rate(cases["risk"]["high"], cases["referred"])
    triggers["threshold_met_rate"] = rate(triggers["threshold_met"], triggers["received"])
    triggers["on_time_rate"] = rate(triggers["decided_on_time"], triggers["decided"])
    return figures


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value


def asb_figures(session: Session, scope: AsbScope) -> dict[str, Any]:
    """Every figure for the scope: in total and per panel (each panel by its name)."""
    per_panel = {panel_id: _empty() for panel_id, _ in scope.panels}
    if per_panel:
        _cases(session, scope, per_panel)
        _triggers(session, scope, per_panel)
        _interventions(session, scope, per_panel)
    total = _empty()
    for figures in per_panel.values():
        _add(total, figures)
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "total": _with_rates(total),
        "panels": [
            {"panel_id": str(panel_id), "name": name, **_with_rates(per_panel[panel_id])}
            for panel_id, name in scope.panels
        ],
    }


# --- who may count which panels --------------------------------------------------------------


def _countable(svc: Services, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of the ASB panels the caller may count: every one for analysts, those their
    agency sits on for coordinators and chairs."""
    stmt = select(Panel.id, Panel.name).where(
        Panel.kind.in_(panel_kinds.with_statistics(STATISTICS))
    )
    if not actor.has_any("analyst"):
        stmt = stmt.join(PanelMember, PanelMember.panel_id == Panel.id).where(
            PanelMember.agency_id == actor.agency_id
        )
    return [(row[0], row[1]) for row in svc.session.execute(stmt.order_by(Panel.name))]


@action(reads=())
def countable_asb_panels(svc: Services, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """The ASB panels whose figures the caller may see (the page's panel filter)."""
    require_role(actor, *STATS_ROLES)
    return _countable(svc, actor)


@action(reads=())
def asb_stats(svc: Services, actor: Actor, query: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(query, figures) for one ASB panel or every one the caller may count. Figures are
    counts, never a personal field: no record type is read through the sharing engine."""
    require_role(actor, *STATS_ROLES)
    q = load(PeriodQuery(), query)
    panels = _countable(svc, actor)
    if q["panel_id"] is not None:
        panels = [p for p in panels if p[0] == q["panel_id"]]
        if not panels:
            raise NotVisible()
    scope = AsbScope(q["from_"], q["to"], tuple(panels))
    return q, asb_figures(svc.session, scope)
