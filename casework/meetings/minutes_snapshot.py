"""The whole of a meeting's minutes as one document, and what changed between two of them.

An approved version keeps this snapshot (sealed), so the minutes circulated can be shown
again exactly as approved. It holds the SafeLives checklist: date, venue, chair, attendees
by agency, apologies, observers, the confidentiality statement and who acknowledged it, and
per case the information shared, the risks identified and the actions (owner, due date).
Each case names the ``Minute`` and ``CaseAction`` rows it came from, so a download asks the
sharing engine about those rows before showing any of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework.meetings.attendance_state import CONFIDENTIALITY_STATEMENT, attendance, attendees
from casework.meetings.meeting_access import panel_agencies
from casework.meetings.minutes_models import MinutesSignOff
from casework.meetings.models import CaseAction, Meeting, Minute
from casework.services import Services

# The checklist's parts outside the cases, in the order a reader meets them.
HEADER_FIELDS = ("venue", "chair", "observers", "attendees", "apologies")
CASE_FIELDS = ("information_shared", "risks_identified", "actions")


def _case_key(row: Minute | CaseAction) -> str:
    ident = row.referral_id or row.case_id or getattr(row, "nominal_id", None)
    return str(ident)


def _positions(meeting: Meeting) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in meeting.items:
        ident = item.referral_id or item.case_id or item.nominal_id
        if ident is not None:
            out.setdefault(str(ident), item.position)
    return out


def build(svc: Services, meeting: Meeting, sign: MinutesSignOff | None) -> dict[str, Any]:
    """The minutes as they stand now (every case: the sharing filter is applied on the way
    out, per reader, never here)."""
    agencies = {a.id: a for a in panel_agencies(svc, meeting)}
    status = attendance(svc, meeting)
    people = attendees(svc, meeting)
    present = sorted(
        (a for a, s in status.items() if s == "present"), key=lambda a: _name(agencies, a)
    )
    sent = sorted(
        (a for a, s in status.items() if s == "apologies"), key=lambda a: _name(agencies, a)
    )
    minutes = list(svc.session.scalars(select(Minute).where(Minute.meeting_id == meeting.id)))
    acts = list(
        svc.session.scalars(
            select(CaseAction)
            .where(CaseAction.meeting_id == meeting.id, CaseAction.status != "deleted")
            .order_by(CaseAction.created_at, CaseAction.id)
        )
    )
    codes = {a.id: a.code for a in agencies.values()}
    cases: dict[str, dict[str, Any]] = {}
    for m in minutes:
        case = _case(cases, m)
        case["minute_id"] = str(m.id)
        case["information_shared"] = m.text
        case["risks_identified"] = m.risks
    for act in acts:
        _case(cases, act)["actions"].append(
            {
                "id": str(act.id),
                "description": act.description,
                "owner_agency": codes.get(act.owner_agency_id, ""),
                "due_date": act.due_on.isoformat(),
            }
        )
    order = _positions(meeting)
    listed = sorted(cases.values(), key=lambda c: (order.get(c["key"], 10**6), c["key"]))
    for number, case in enumerate(listed, start=1):
        case["number"] = number
    return {
        "meeting_id": str(meeting.id),
        "date": meeting.starts_at.isoformat(),
        "venue": meeting.venue,
        "chair": sign.chair_name if sign is not None else None,
        "observers": list(sign.observers or []) if sign is not None else [],
        "attendees": [
            {
                "agency": codes.get(a, ""),
                "agency_name": _name(agencies, a),
                "people": [p.name for p in people if p.agency_id == a],
            }
            for a in present
        ],
        "apologies": [
            {"agency": codes.get(a, ""), "agency_name": _name(agencies, a)} for a in sent
        ],
        "confidentiality": {
            "statement": list(CONFIDENTIALITY_STATEMENT),
            "acknowledged": sum(1 for p in people if p.acknowledged_at is not None),
            "attendees": len(people),
        },
        "cases": listed,
    }


def _name(agencies: dict[Any, Any], agency_id: Any) -> str:
    agency = agencies.get(agency_id)
    return agency.name if agency is not None else ""


def _case(cases: dict[str, dict[str, Any]], row: Minute | CaseAction) -> dict[str, Any]:
    key = _case_key(row)
    if key not in cases:
        cases[key] = {
            "key": key,
            "referral_id": str(row.referral_id) if row.referral_id else None,
            "case_type": row.case_type,
            "case_id": str(row.case_id) if row.case_id else None,
            "minute_id": None,
            "information_shared": None,
            "risks_identified": None,
            "actions": [],
        }
    return cases[key]


def flatten(snapshot: dict[str, Any] | None) -> dict[str, str]:
    """Each checklist entry as text, by a field name that carries no personal data (a case
    is named by its record id), so versions can say what changed."""
    if not snapshot:
        return {}
    out = {
        "venue": snapshot.get("venue") or "",
        "chair": snapshot.get("chair") or "",
        "observers": "\n".join(snapshot.get("observers") or []),
        "attendees": "\n".join(
            f"{a['agency']}: {', '.join(a['people'])}" for a in snapshot.get("attendees", [])
        ),
        "apologies": "\n".join(a["agency"] for a in snapshot.get("apologies", [])),
    }
    for case in snapshot.get("cases", []):
        key = case["key"]
        out[f"cases.{key}.information_shared"] = case.get("information_shared") or ""
        out[f"cases.{key}.risks_identified"] = case.get("risks_identified") or ""
        out[f"cases.{key}.actions"] = "\n".join(
            f"{a['owner_agency']} by {a['due_date']}: {a['description']}"
            for a in case.get("actions", [])
        )
    return out


def diff(
    before: dict[str, Any] | None, after: dict[str, Any]
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The names of the entries that differ, and their text before and after."""
    old, new = flatten(before), flatten(after)
    names = sorted(k for k in old.keys() | new.keys() if old.get(k, "") != new.get(k, ""))
    return names, {k: old.get(k, "") for k in names}, {k: new.get(k, "") for k in names}
