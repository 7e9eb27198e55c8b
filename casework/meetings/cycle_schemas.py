"""Bodies and answers of the meeting cycle through the API (``casework.meetings.cycle``).

The inputs are strict (unknown fields are errors) and use the validators the pages' forms
use, declared as marshmallow validators so the OpenAPI document shows the same enums and
lengths that validation applies. The answer schemas document the API; the actions build the
answers themselves, with only what the sharing engine lets the caller see.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from casework.meetings.conduct_schemas import ATTENDANCE_CHOICES, ATTENDANCE_ERROR
from casework.referrals.manage_schemas import ReferralStateOut
from casework.schemas import PlainString, StrictSchema, Text, TrimmedString, WholeNumber

MAX_BULK = 100  # a coordinator's screenful of referrals; more is a script gone wrong
RESEARCH_MAX = 5000  # as the research page (casework.meetings.research)
MINUTES_MAX = 20000  # as the meeting page (casework.meetings.conduct_schemas.MinuteIn)
NAME_MAX = 200  # as AttendeeIn


class StrictBool(fields.Boolean):
    """JSON true or false only: 1, "yes" or "true" are refused (CONTRACT.md, Limits), where
    marshmallow's Boolean would take them (and ``1 in {True}`` holds in Python)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false")
        return value


class AcceptManyIn(StrictSchema):
    ids = fields.List(
        fields.UUID(error_messages={"invalid_uuid": "Not a referral id"}),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_BULK, error=f"Send from 1 to {MAX_BULK} referral ids"
        ),
        metadata={"description": "Referrals to accept, all or none"},
    )
    list_at = PlainString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": '"next" (each panel\'s next scheduled meeting), a meeting id, '
            "or null (accept only)"
        },
    )
    idva = fields.UUID(
        load_default=None,
        allow_none=True,
        error_messages={"invalid_uuid": "Not a user id"},
        metadata={
            "description": "An active IDVA's user id to assign to every referral accepted "
            "(null or left out: none is assigned); idvas[N] overrides it for ids[N]"
        },
    )
    idvas = fields.List(
        fields.UUID(allow_none=True, error_messages={"invalid_uuid": "Not a user id"}),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_BULK),
        metadata={
            "description": "One entry per id, in the same order: the IDVA to assign to that "
            "referral, or null for idva's choice (or none)"
        },
    )


class AgendaEntryIn(StrictSchema):
    """One case for the agenda: a referral (MARAC) or a nominal (offender panels)."""

    referral_id = fields.UUID(
        load_default=None, error_messages={"invalid_uuid": "Choose an accepted referral"}
    )
    nominal_id = fields.UUID(load_default=None, error_messages={"invalid_uuid": "Not a nominal id"})


class PositionIn(StrictSchema):
    position = WholeNumber(
        required=True,
        strict=True,
        validate=validate.Range(min=1, error="Positions start at 1"),
        error_messages={"required": "Give the item's new position (1 is first)"},
    )


class AttendanceRowIn(StrictSchema):
    agency = PlainString(
        required=True,
        validate=validate.Length(min=1, max=16),
        error_messages={"required": "Name the agency by its code"},
    )
    status = PlainString(
        required=True,
        validate=validate.OneOf(ATTENDANCE_CHOICES, error=ATTENDANCE_ERROR),
        error_messages={"required": ATTENDANCE_ERROR},
    )
    names = fields.List(
        Text(max_length=NAME_MAX),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "Who attended for the agency (present agencies only)"},
    )
    acknowledged = fields.List(
        Text(max_length=NAME_MAX),
        load_default=None,
        validate=validate.Length(max=50),
        metadata={
            "description": "Those of names who have heard and accepted the confidentiality "
            "statement (the others have not, or have withdrawn it); when left out, each "
            "attendee already recorded keeps their acknowledgement"
        },
    )


def _research_text(description: str) -> TrimmedString:
    return TrimmedString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=RESEARCH_MAX),
        multiline=True,
        metadata={"description": description},
    )


class ResearchIn(StrictSchema):
    has_information = StrictBool(
        required=True,
        error_messages={"required": "Say whether your agency has information to share"},
    )
    text = TrimmedString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=RESEARCH_MAX),
        multiline=True,
        metadata={"description": "A summary of what the agency will share at the meeting"},
    )
    facts = _research_text("What the agency's records show (fact, not opinion)")
    opinion = _research_text("The practitioner's professional opinion")
    held_not_shared = _research_text(
        "Information the agency holds but will not share (stays with the agency)"
    )
    not_shared_reason = _research_text(
        "Why it is not shared; required when held_not_shared is given"
    )
    shared_before_meeting = StrictBool(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Share the note with the chair and coordinator before the meeting, "
            "as the panel's protocol allows (false, null or left out: the agency's own only)"
        },
    )


class MinuteTextIn(StrictSchema):
    text = Text(
        max_length=MINUTES_MAX, multiline=True, error_messages={"required": "Enter the minutes"}
    )


# --- answers --------------------------------------------------------------------------------


class ItemOut(StrictSchema):
    """An agenda line as its manager sees it: place, time slot and the record it is about."""

    item_id = fields.String()
    meeting_id = fields.String()
    position = fields.Integer()
    start_time = fields.String(metadata={"description": "HH:MM, UK time"})
    end_time = fields.String()
    kind = fields.String(metadata={"enum": ["referral", "review", "candidate"]})
    referral_id = fields.String(allow_none=True)
    nominal_id = fields.String(allow_none=True)
    action_id = fields.String(allow_none=True)
    case_type = fields.String(
        allow_none=True, metadata={"description": "a panel kind's own case record (asb_case)"}
    )
    case_id = fields.String(allow_none=True)


class AcceptedOut(StrictSchema):
    accepted = fields.List(fields.Nested(ReferralStateOut))
    items = fields.List(fields.Nested(ItemOut), metadata={"description": "agenda lines added"})
    meeting_ids = fields.List(fields.String(), metadata={"description": "where they were listed"})


class PublishedOut(StrictSchema):
    version = fields.Integer()
    meeting_id = fields.String()
    published_at = fields.DateTime()
    agenda_status = fields.String(metadata={"enum": ["published"]})
    items = fields.Integer(metadata={"description": "how many items the version lists"})


class AttendeeOut(StrictSchema):
    id = fields.String()
    name = fields.String()
    acknowledged = fields.Boolean()


class AttendanceRowOut(StrictSchema):
    agency = fields.String()
    status = fields.String(metadata={"enum": list(ATTENDANCE_CHOICES)})
    names = fields.List(fields.String())
    attendees = fields.List(fields.Nested(AttendeeOut))


class AttendanceOut(StrictSchema):
    meeting_id = fields.String()
    attendance = fields.List(fields.Nested(AttendanceRowOut))
    problems = fields.List(
        fields.String(), metadata={"description": "what still stands before minuting"}
    )


class ResearchOut(StrictSchema):
    id = fields.String()
    meeting_id = fields.String()
    referral_id = fields.String(allow_none=True)
    case_type = fields.String(metadata={"description": "a panel kind's own case (asb_case)"})
    case_id = fields.String()
    agency = fields.String()
    has_information = fields.Boolean()
    text = fields.String(allow_none=True)
    facts = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    held_not_shared = fields.String(allow_none=True)
    not_shared_reason = fields.String(allow_none=True)
    shared_before_meeting = fields.Boolean(
        metadata={"description": "shared with the chair and coordinator before the meeting"}
    )
    updated_at = fields.DateTime(allow_none=True)


class MinuteOut(StrictSchema):
    id = fields.String()
    meeting_id = fields.String()
    referral_id = fields.String(allow_none=True)
    case_type = fields.String(metadata={"description": "a panel kind's own case (asb_case)"})
    case_id = fields.String()
    text = fields.String()
    updated_at = fields.DateTime(allow_none=True)
