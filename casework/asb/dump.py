"""An ASB case as the API, pages and agendas show it: the record type's dump for
``Sharing.disclose`` (``RecordType.dump``), pruned to the fields the protocol granted.

Everything is written out, then ``prune`` keeps the header and the granted dotted fields of
``casework.asb.policies.FIELDS``, so a key added here stays hidden until a protocol grants it.
Two refinements ``prune`` cannot express: an incident's reference number is shown only with
``incidents.reference`` (``incidents`` shows the rest of each incident), and incidents' and
perpetrators' ids (not personal data) stay beside whatever of them is shown, so pages and
other actions (interventions against a perpetrator) can name them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.agencies.models import Agency
from casework.asb.models import AsbCase, AsbIntervention, CommunityTrigger
from casework.meetings.calendar import local_date
from casework.meetings.models import Meeting
from casework.sharing.engine import header_fields, prune

RECORD_TYPE = "asb_case"


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _codes(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(wanted)))
    return dict(rows.tuples().all())


def _by_case(session: Session, model: type, ids: list[uuid.UUID], *order: Any) -> dict:
    out: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
    for row in session.scalars(select(model).where(model.case_id.in_(ids)).order_by(*order)):
        out[row.case_id].append(row)
    return out


def intervention_row(i: AsbIntervention, code: str | None) -> dict[str, Any]:
    """One rung of the ladder, as the case's ``interventions`` field and the write answers
    show it (one shape for both)."""
    return {
        "id": str(i.id),
        "perpetrator_id": str(i.perpetrator_id),
        "kind": i.kind,
        "agency": code,
        "issued_on": _iso(i.issued_on),
        "ends_on": _iso(i.ends_on),
        "outcome": i.outcome,
        "outcome_on": _iso(i.outcome_on),
        "notes": i.notes,
        "breaches": [
            {"id": str(b.id), "occurred_on": _iso(b.occurred_on), "action_taken": b.action_taken}
            for b in i.breaches
        ],
    }


def trigger_row(t: CommunityTrigger, heard_on: date | None, today: date) -> dict[str, Any]:
    """One Community Trigger application, as the case's ``community_triggers`` field and the
    write answers show it: ``late`` (decided after the day due), ``overdue`` (in review past
    it), ``meeting_date`` (the UK day of the meeting it was heard at)."""
    return {
        "id": str(t.id),
        "received_on": _iso(t.received_on),
        "applicant": t.applicant,
        "complaints_counted": t.complaints_counted,
        "threshold_met": t.threshold_met,
        "status": t.status,
        "decision_due_on": _iso(t.decision_due_on),
        "meeting_id": str(t.meeting_id) if t.meeting_id else None,
        "meeting_date": _iso(heard_on),
        "decision": t.decision,
        "decided_on": _iso(t.decided_on),
        "late": t.decided_on is not None and t.decided_on > t.decision_due_on,
        "overdue": t.status == "review" and today > t.decision_due_on,
        "letter_sent_on": _iso(t.letter_sent_on),
        "letter_summary": t.letter_summary,
        "recommendations": t.recommendations,
    }


def dump_case(case: AsbCase, context: Mapping[str, Any]) -> dict[str, Any]:
    """Everything about one case (unpruned: callers keep only what was granted), with what
    ``context_for`` looked up for its batch."""
    codes = context["codes"]
    interventions = context["interventions"][case.id]
    triggers = context["triggers"][case.id]
    heard, today = context["heard"], context["today"]
    return {
        "id": str(case.id),
        "reference": case.reference,
        "status": case.status,
        "panel_id": str(case.panel_id),
        "referral_date": _iso(case.referral_date),
        "referring_agency": codes.get(case.referring_agency_id),
        "victim": {
            "first_name": case.victim_first_name,
            "last_name": case.victim_last_name,
            "date_of_birth": _iso(case.victim_date_of_birth),
            "address": case.victim_address,
            "phone": case.victim_phone,
        },
        "location": case.location,
        "summary": case.summary,
        "risk": {
            "answers": dict(case.risk_answers or {}),
            "score": case.risk_score,
            "band": case.risk_band,
        },
        "repeat_victim": case.repeat_victim,
        "incidents": [
            {
                "id": str(i.id),
                "date": _iso(i.occurred_on),
                "type": i.kind,
                "agency": codes.get(i.agency_id) if i.agency_id else None,
                "reference": i.reference,
            }
            for i in case.incidents
        ],
        "perpetrators": [
            {
                "id": str(p.id),
                "is_group": p.is_group,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "date_of_birth": _iso(p.date_of_birth),
                "group_name": p.group_name,
                "description": p.description,
            }
            for p in case.perpetrators
        ],
        "interventions": [intervention_row(i, codes.get(i.agency_id)) for i in interventions],
        "community_triggers": [trigger_row(t, heard.get(t.meeting_id), today) for t in triggers],
        "outcome": None
        if case.outcome is None
        else {"outcome": case.outcome, "closed_on": _iso(case.closed_on)},
    }


def visible_view(data: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """Keep the header and the granted fields (module docstring for the two refinements)."""
    granted = set(fields)
    if "incidents" not in granted:
        granted.discard("incidents.reference")
    shown = prune(data, granted, header_fields(RECORD_TYPE))
    if "incidents" in shown:
        for kept, full in zip(shown["incidents"], data["incidents"], strict=True):
            if "incidents.reference" not in granted:
                kept.pop("reference", None)
            kept["id"] = full["id"]
    if "perpetrators" in shown:
        for kept, full in zip(shown["perpetrators"], data["perpetrators"], strict=True):
            kept["id"], kept["is_group"] = full["id"], full["is_group"]
    return shown


def context_for(session: Session, cases: Sequence[AsbCase]) -> dict[str, Any]:
    """What a batch of cases looks up once: agency codes, interventions, Community Triggers."""
    ids = [c.id for c in cases]
    interventions = _by_case(
        session, AsbIntervention, ids, AsbIntervention.issued_on, AsbIntervention.created_at
    )
    triggers = _by_case(
        session, CommunityTrigger, ids, CommunityTrigger.received_on, CommunityTrigger.created_at
    )
    agency_ids = [c.referring_agency_id for c in cases]
    agency_ids += [i.agency_id for c in cases for i in c.incidents]
    agency_ids += [i.agency_id for rows in interventions.values() for i in rows]
    meeting_ids = {t.meeting_id for rows in triggers.values() for t in rows if t.meeting_id}
    starts = (
        session.execute(select(Meeting.id, Meeting.starts_at).where(Meeting.id.in_(meeting_ids)))
        if meeting_ids
        else []
    )
    return {
        "codes": _codes(session, agency_ids),
        "interventions": interventions,
        "triggers": triggers,
        "heard": {mid: local_date(at) for mid, at in starts},
        "today": clock.today(),
    }


def dump(
    session: Session, cases: Sequence[AsbCase], shown: Mapping[Any, frozenset[str]]
) -> dict[Any, dict[str, Any]]:
    """The registered dump (``casework.sharing.disclosure.Dump``): each case, pruned."""
    if not cases:
        return {}
    context = context_for(session, cases)
    return {
        c.id: visible_view(
            dump_case(c, context),
            shown[c.id],
        )
        for c in cases
    }
