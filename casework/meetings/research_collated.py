"""The chair's and coordinator's view of one case's research before the meeting: every member
agency's shared research, or where it stands, so gaps show before the case is heard.

Which notes the reader sees is the sharing engine's answer alone (``visible_clause`` and
``disclose``): under the shipped MARAC protocol the panel's chair and coordinator read notes
their agencies marked "share with the chair and coordinator before the meeting"
(``shared_research``), from the agenda's circulation until 28 days after the meeting. Nothing
here decides who reads what; it only lays out what the engine disclosed.

Each member agency is then one of:

* ``shared``: its note is shown, with the fields the protocol grants the reader;
* ``no_information``: its shared note says it holds nothing on the case;
* ``not_researched``: the reader sees no note of its (none written, or not shared: the two
  look alike, so an unshared note is never revealed, not even as existing);
* ``not_shared``: the reader's own agency's note, written but not marked shared (the reader
  may read it anyway; this page shows only what is shared, so its content is left out).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.authz import action
from casework.errors import NotVisible
from casework.meetings.meeting_access import (
    case_on_agenda,
    case_summaries,
    kind_case_on_agenda,
    kind_case_type,
    panel_agencies,
    sees_case,
)
from casework.meetings.models import Meeting, ResearchNote
from casework.meetings.research import filled, research_meeting
from casework.services import Services

# What this view shows of a note: what an agency shares. Information held but not shared
# (and why) is never on it, whatever a protocol grants.
SHOWN = frozenset({"has_information", "facts", "opinion", "text"})
STATUSES = ("shared", "no_information", "not_researched", "not_shared")


def collated(svc: Services, actor: Actor, meeting_id: Any, case_id: Any) -> dict[str, Any]:
    """The case's research at this meeting as the reader may see it: a referral on a MARAC
    agenda, or a case of the panel kind's own (an ASB case). 404 for a meeting outside the
    reader's panels, before circulation, or a case not on the agenda or not visible."""
    meeting = research_meeting(svc, actor, meeting_id)
    if kind_case_type(svc, meeting) is not None:
        return _kind_case(svc, actor, meeting, case_id)
    return _referral_case(svc, actor, meeting, case_id)


@action(reads=("referral", "research_note"))
def _referral_case(
    svc: Services, actor: Actor, meeting: Meeting, referral_id: Any
) -> dict[str, Any]:
    rid = case_on_agenda(svc, meeting, referral_id)
    summary = case_summaries(svc, actor, [rid]).get(rid)
    if summary is None and not sees_case(svc, actor, rid):
        raise NotVisible()
    return _collate(svc, actor, meeting, {"referral_id": rid}, summary)


@action(reads=("case", "research_note"))
def _kind_case(svc: Services, actor: Actor, meeting: Meeting, case_id: Any) -> dict[str, Any]:
    about = kind_case_on_agenda(svc, actor, meeting, case_id)
    return _collate(svc, actor, meeting, about, None)


def _collate(
    svc: Services,
    actor: Actor,
    meeting: Meeting,
    about: dict[str, Any],
    summary: dict[str, Any] | None,
) -> dict[str, Any]:
    same = [getattr(ResearchNote, key) == value for key, value in about.items()]
    stmt = select(ResearchNote).where(
        ResearchNote.meeting_id == meeting.id,
        *same,
        svc.sharing.visible_clause(actor, "view", ResearchNote),
    )
    notes = {n.agency_id: n for n in svc.session.scalars(stmt)}
    shared = [n for n in notes.values() if n.shared_before_meeting]
    found = svc.sharing.disclosures(
        svc.session, actor, ResearchNote, shared, only=lambda n, g: filled(n, g & SHOWN)
    )
    shown = {d.record.agency_id: d.data for d in found}
    rows = []
    for agency in panel_agencies(svc, meeting):
        note = shown.get(agency.id)
        rows.append(
            {
                "agency": agency.code,
                "agency_name": agency.name,
                "status": _status(agency.id, note, notes.get(agency.id), actor),
                "note": None if note is None else {k: note[k] for k in (*SHOWN, "updated_at")},
            }
        )
    return {
        "meeting": meeting,
        "case": summary,
        "about": about,
        "agencies": rows,
        "shared": sum(1 for r in rows if r["status"] in ("shared", "no_information")),
    }


def _status(
    agency_id: uuid.UUID, note: dict[str, Any] | None, seen: ResearchNote | None, actor: Actor
) -> str:
    if note is not None:
        return "no_information" if note["has_information"] is False else "shared"
    if seen is not None and agency_id == actor.agency_id:
        return "not_shared"
    return "not_researched"


def answer(view: dict[str, Any]) -> dict[str, Any]:
    """The view as JSON (``CollatedOut``): ids and statuses, and the notes' disclosed fields."""
    about = {k: str(v) for k, v in view["about"].items()}
    return {
        "meeting_id": str(view["meeting"].id),
        "referral_id": about.get("referral_id"),
        **(
            {"case_type": about["case_type"], "case_id": about["case_id"]}
            if "case_id" in about
            else {}
        ),
        "agencies": [
            {
                **row,
                "note": None
                if row["note"] is None
                else {
                    **row["note"],
                    "updated_at": row["note"]["updated_at"].isoformat()
                    if row["note"]["updated_at"]
                    else None,
                },
            }
            for row in view["agencies"]
        ],
        "shared": view["shared"],
        "members": len(view["agencies"]),
    }
