"""Who was at a meeting: each agency's attendance (present or apologies), the people present by
name, and the confidentiality statement they acknowledge.

Read by running the meeting (``casework.meetings.conduct``) and by the minutes' sign-off
(``casework.meetings.minutes_signoff``), which records these in each approved version; kept
apart from both so that the writes in ``conduct`` can tell the sign-off what changed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from casework.meetings.models import Attendance, Attendee, Meeting
from casework.services import Services

CONFIDENTIALITY_STATEMENT = (
    "Everything shared at this meeting, and in its agenda, research and minutes, is "
    "confidential. It is shared under the panel's information sharing protocol (section 115 of "
    "the Crime and Disorder Act 1998, the Data Protection Act 2018 and the UK GDPR) for one "
    "purpose only: to agree a safety plan that reduces the risk to the people discussed.",
    "Use it only for that safety plan. Do not disclose it outside this meeting, or outside your "
    "agency's part in the plan, except as the information sharing protocol allows. Record in "
    "your agency's systems only what you need to carry out your actions.",
    "The perpetrator must never be told of the referral, of this meeting or of anything said "
    "here, directly or through anyone else: it can put the victim in danger.",
    "If anything you hear means someone is at immediate risk, act now through your agency's "
    "procedures and tell the chair.",
)


def attendance(svc: Services, meeting: Meeting) -> dict[uuid.UUID, str]:
    rows = svc.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    return {row.agency_id: row.status for row in rows}


def attendees(svc: Services, meeting: Meeting) -> list[Attendee]:
    """The people at the meeting by name. Names are sealed, so SQL cannot order them: a
    meeting has a handful, sorted here (case-insensitively, then by id for a stable order)."""
    stmt = select(Attendee).where(Attendee.meeting_id == meeting.id)
    return sorted(svc.session.scalars(stmt), key=lambda p: (p.name.casefold(), str(p.id)))


def attendance_taken(svc: Services, meeting: Meeting) -> bool:
    return "present" in attendance(svc, meeting).values()
