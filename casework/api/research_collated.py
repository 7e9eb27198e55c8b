"""API: a case's research collated for the chair and coordinator before the meeting.

Thin on purpose: ``casework.meetings.research_collated`` asks the sharing engine which notes
the caller may read (the panel's protocol, ``shared_research``), discloses them audited, and
says for every other member agency only where it stands.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint
from casework.http import current_actor, services
from casework.meetings import research_collated
from casework.roles import CASE_ROLES
from casework.schemas import StrictSchema


class SharedNoteOut(StrictSchema):
    """The fields of a shared note the protocol grants the caller (null: not granted or empty).
    Information held but not shared is never here."""

    has_information = fields.Boolean(allow_none=True)
    facts = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class AgencyResearchOut(StrictSchema):
    agency = fields.String(metadata={"description": "a member agency of the meeting's panel"})
    agency_name = fields.String()
    status = fields.String(
        metadata={
            "enum": list(research_collated.STATUSES),
            "description": "not_researched: no note the caller may read (none written, or not "
            "shared); not_shared: the caller's own agency's note, not marked shared",
        }
    )
    note = fields.Nested(SharedNoteOut, allow_none=True)


class CollatedOut(StrictSchema):
    meeting_id = fields.String()
    referral_id = fields.String(allow_none=True)
    case_type = fields.String(metadata={"description": "a panel kind's own case (asb_case)"})
    case_id = fields.String()
    agencies = fields.List(fields.Nested(AgencyResearchOut))
    shared = fields.Integer(metadata={"description": "member agencies whose research is shown"})
    members = fields.Integer(metadata={"description": "member agencies of the panel"})


# ``referral_id`` as in PUT .../research/{referral_id}: on a panel listing cases of its own
# kind (ASB) it is that case's id.
@blueprint.get("/meetings/<meeting_id>/research/<referral_id>/collated")
@endpoint(
    summary="A listed case's research as the caller may read it before the meeting: each "
    "member agency's shared note (as the panel's protocol grants it: the MARAC protocol, to "
    "the chair and coordinator until 28 days after the meeting), or no_information, or "
    "not_researched",
    tag="meeting cycle",
    policy=("referral", "case", "research_note"),
    response=CollatedOut,
    roles=CASE_ROLES,
)
def collated_research(meeting_id: str, referral_id: str) -> Any:
    view = research_collated.collated(services(), current_actor(), meeting_id, referral_id)
    return research_collated.answer(view)
