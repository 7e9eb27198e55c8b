"""A nominal as the API and pages show it, pruned to what the sharing engine granted.

``dump`` writes out everything; ``visible_view`` keeps only the keys the reader's granted
fields reveal (``REVEALS``), so a key added here stays hidden until a protocol field covers
it. The same ``Nominal`` row is a ``nominal`` or a ``youth_record`` (sharing/engine.py): the
field names are the same for both, and the protocol decides which of them each agency gets.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from casework.agencies.actions import codes_of
from casework.offenders.models import (
    Classification,
    CohortMembership,
    CustodyPeriod,
    Intervention,
    Nominal,
    OffenderEvent,
    PathwayNeed,
)
from casework.panels.models import Panel
from casework.services import Services
from casework.sharing.engine import header_fields, prune, record_type_for

# Granted field -> the keys of the dump it reveals (a field not listed reveals its own key).
REVEALS: dict[str, tuple[str, ...]] = {
    "cohort": ("cohorts",),
    "classification": ("classification", "classifications"),
    "offences": ("offences", "intelligence", "warrants", "custody"),
}
EVENT_KEYS = {"offence": "offences", "intelligence": "intelligence", "warrant": "warrants"}


def record_type_name(nominal: Nominal) -> str:
    return record_type_for(Nominal, nominal).name


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def current(membership: CohortMembership, today: date) -> bool:
    return membership.exit_date is None or membership.exit_date >= today


def home_panel(nominal: Nominal, today: date) -> uuid.UUID | None:
    """The panel a nominal is listed under: its latest current spell, else its latest one."""
    spells = sorted(nominal.memberships, key=lambda m: (current(m, today), m.entry_date))
    return spells[-1].panel_id if spells else None


def _panels(svc: Services, nominals: Iterable[Nominal]) -> dict[uuid.UUID, Panel]:
    ids = {m.panel_id for n in nominals for m in n.memberships}
    if not ids:
        return {}
    return {p.id: p for p in svc.session.scalars(select(Panel).where(Panel.id.in_(ids)))}


def latest_classifications(svc: Services, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each nominal's current classification: the latest-dated (latest entered on a tie)."""
    if not ids:
        return {}
    rows = svc.session.execute(
        select(Classification.nominal_id, Classification.classification)
        .where(Classification.nominal_id.in_(ids))
        .order_by(Classification.decided_on, Classification.created_at)
    )
    return {nid: value for nid, value in rows}  # later rows overwrite earlier ones


def _rows(svc: Services, model: type, nominal_id: uuid.UUID, *order: Any) -> list[Any]:
    return list(
        svc.session.scalars(select(model).where(model.nominal_id == nominal_id).order_by(*order))
    )


def dump(
    svc: Services, nominal: Nominal, today: date, *, detail: bool, context: dict[str, Any]
) -> dict[str, Any]:
    """Everything about a nominal; callers prune it with ``visible_view``.

    ``context`` carries what lists look up once for many rows (panels, agency codes, current
    classifications). ``detail`` adds the records (events, custody, pathways...).
    """
    panels: dict[uuid.UUID, Panel] = context["panels"]
    out: dict[str, Any] = {
        "id": str(nominal.id),
        "panel_id": str(pid) if (pid := home_panel(nominal, today)) else None,
        "record_type": record_type_name(nominal),
        "first_name": nominal.first_name,
        "last_name": nominal.last_name,
        "date_of_birth": _iso(nominal.date_of_birth),
        "pnc_id": nominal.pnc_id,
        "address": nominal.address,
        "school": nominal.school,
        "risk_factors": nominal.risk_factors or {},
        "lead_agency": context["codes"].get(nominal.lead_agency_id),
        "lead_officer": nominal.lead_officer,
        "cohorts": [
            {
                "id": str(m.id),
                "panel_id": str(m.panel_id),
                "panel_name": panels[m.panel_id].name if m.panel_id in panels else None,
                "panel_kind": panels[m.panel_id].kind if m.panel_id in panels else None,
                "entry_date": _iso(m.entry_date),
                "exit_date": _iso(m.exit_date),
                "exit_reason": m.exit_reason,
                "cohort": m.cohort,
                "current": current(m, today),
            }
            for m in nominal.memberships
        ],
        "classification": context["classifications"].get(nominal.id),
    }
    if detail:
        out.update(_records(svc, nominal))
    return out


def _records(svc: Services, nominal: Nominal) -> dict[str, Any]:
    events = _rows(
        svc, OffenderEvent, nominal.id, OffenderEvent.event_date, OffenderEvent.created_at
    )
    out: dict[str, Any] = {key: [] for key in EVENT_KEYS.values()}
    out["drug_tests"] = []
    for e in events:
        item = {"id": str(e.id), "date": _iso(e.event_date)}
        if e.kind == "offence":
            item.update(category=e.category, outcome=e.outcome)
        if e.kind == "drug_test":
            out["drug_tests"].append({**item, "positive": e.positive})
        else:
            out[EVENT_KEYS[e.kind]].append(item)
    out["custody"] = [
        {"id": str(c.id), "start_date": _iso(c.start_date), "end_date": _iso(c.end_date)}
        for c in _rows(svc, CustodyPeriod, nominal.id, CustodyPeriod.start_date)
    ]
    out["classifications"] = [
        {
            "id": str(c.id),
            "classification": c.classification,
            "date": _iso(c.decided_on),
            "reason": c.reason,
            "panel_id": str(c.panel_id),
            "meeting_id": str(c.meeting_id) if c.meeting_id else None,
        }
        for c in _rows(
            svc, Classification, nominal.id, Classification.decided_on, Classification.created_at
        )
    ]
    out["pathways"] = [
        {
            "id": str(p.id),
            "pathway": p.pathway,
            "status": p.status,
            "achieved": p.achieved,
            "start_date": _iso(p.start_date),
            "end_date": _iso(p.end_date),
            "notes": p.notes,
        }
        for p in _rows(svc, PathwayNeed, nominal.id, PathwayNeed.pathway, PathwayNeed.start_date)
    ]
    out["interventions"] = [
        {
            "id": str(i.id),
            "kind": i.kind,
            "start_date": _iso(i.start_date),
            "end_date": _iso(i.end_date),
            "outcome": i.outcome,
        }
        for i in _rows(svc, Intervention, nominal.id, Intervention.start_date)
    ]
    return out


def context_for(svc: Services, nominals: list[Nominal]) -> dict[str, Any]:
    return {
        "panels": _panels(svc, nominals),
        "codes": codes_of(svc, (n.lead_agency_id for n in nominals)),
        "classifications": latest_classifications(svc, [n.id for n in nominals]),
    }


def revealed(fields: Iterable[str]) -> set[str]:
    return {key for f in fields for key in REVEALS.get(f, (f,))}


def visible_view(data: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """Keep the header and the keys the granted ``fields`` reveal."""
    header = (*header_fields(data["record_type"]), "record_type")
    return prune(data, revealed(fields), header)
