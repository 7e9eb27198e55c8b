"""API: a victim's history (CONTRACT.md, People: search and history)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint
from casework.http import current_actor, services
from casework.referrals.history import victim_history
from casework.roles import CASE_ROLES

KINDS = ["referral", "idva_assignment", "listed", "heard", "minute", "action", "action_outcome"]


class HistoryEventOut(Schema):
    """One event; beyond ``at`` and ``kind``, only the fields the caller may see are present."""

    at = fields.String(metadata={"description": "ISO date (a referral) or date and time"})
    kind = fields.String(metadata={"enum": KINDS})
    referral_id = fields.String()
    reference = fields.String()
    status = fields.String()
    is_repeat = fields.Boolean()
    previous_referral_date = fields.String(allow_none=True)
    criteria = fields.List(fields.String())
    meeting_id = fields.String()
    meeting_at = fields.String()
    meeting_status = fields.String()
    joined = fields.Boolean()
    referral_ids = fields.List(fields.String())
    references = fields.List(fields.String())
    text = fields.String(allow_none=True)
    risks = fields.String(allow_none=True)
    action_id = fields.String()
    description = fields.String(allow_none=True)
    owner_agency = fields.String(allow_none=True)
    due_date = fields.String()
    outcome = fields.String(allow_none=True)
    change = fields.String(metadata={"enum": ["assigned", "unassigned", "changed"]})
    idva = fields.String(allow_none=True)


class AlsoKnownToOut(Schema):
    type = fields.String(metadata={"enum": ["nominal", "youth_record"]})
    id = fields.String()
    panels = fields.List(fields.String())


class HistoryOut(Schema):
    events = fields.List(fields.Nested(HistoryEventOut))
    also_known_to = fields.List(fields.Nested(AlsoKnownToOut))


@blueprint.get("/referrals/<referral_id>/history")
@endpoint(
    summary="The victim's history: their referrals, agenda listings, meetings heard, minutes, "
    "actions and IDVA assignments the caller may see, oldest first; and offender panels "
    "holding the same person where both protocols permit",
    tag="referrals",
    policy=("referral", "minute", "action", "nominal", "youth_record"),
    roles=CASE_ROLES,
    response=HistoryOut,
)
def referral_history(referral_id: str) -> Any:
    return victim_history(services(), current_actor(), referral_id)
