"""What the meeting's forms (and any other caller) may send: attendance, attendees, minutes,
actions and their outcomes. Unknown fields are errors; messages say how to put them right."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework.meetings.models import NOT_DONE_REASONS
from casework.schemas import IsoDate, PlainString, StrictSchema, Text, TrimmedString

ATTENDANCE_CHOICES = ("present", "apologies", "absent")
ATTENDANCE_ERROR = "Select present, apologies or absent"


def attendance_schema(codes: list[str]) -> Schema:
    """One answer per member agency, keyed ``attendance-<CODE>``: present, apologies or did
    not attend. Made per meeting because the panel's members are the fields."""
    spec = {
        f"attendance-{code}": PlainString(
            required=True,
            validate=validate.OneOf(ATTENDANCE_CHOICES, error=ATTENDANCE_ERROR),
            error_messages={"required": f"Select whether {code} was present"},
        )
        for code in codes
    }
    return type("AttendanceIn", (StrictSchema,), spec)()


class AttendeeIn(StrictSchema):
    name = Text(
        max_length=200,
        error_messages={"required": "Enter the attendee's name"},
    )
    agency = PlainString(
        required=True,
        error_messages={"required": "Select the attendee's agency"},
    )


class AcknowledgeIn(StrictSchema):
    acknowledged = fields.List(PlainString(), load_default=list)


class MinuteIn(StrictSchema):
    text = Text(
        max_length=20000,
        multiline=True,
        error_messages={"required": "Enter the minutes for this case"},
    )
    # The risks identified (SafeLives minutes checklist); blank or left out: none recorded.
    risks = PlainString(
        required=False, allow_none=True, multiline=True, validate=validate.Length(max=20000)
    )


class ActionIn(StrictSchema):
    description = Text(
        max_length=2000,
        multiline=True,
        error_messages={"required": "Enter what the action is"},
    )
    owner_agency = PlainString(
        required=True, error_messages={"required": "Select the agency that owns the action"}
    )
    due_on = IsoDate(
        required=True,
        error_messages={
            "required": "Enter the date the action is due",
            "invalid": "Due date must be a real date, for example 27 3 2027",
        },
    )


class ActionUpdateIn(StrictSchema):
    status = PlainString(
        required=True,
        validate=validate.OneOf(("done", "not_done"), error="Select done or not done"),
        error_messages={"required": "Select whether the action was done"},
    )
    not_done_reason = PlainString(
        load_default=None,
        validate=validate.OneOf(NOT_DONE_REASONS, error="Select why the action was not done"),
    )
    outcome = TrimmedString(
        load_default=None,
        validate=validate.Length(max=2000, error="The outcome must be 2,000 characters or fewer"),
        multiline=True,
    )

    @validates_schema
    def _reason_when_not_done(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("status") == "not_done" and not data.get("not_done_reason"):
            errors["not_done_reason"] = [
                "Select why the action was not done: circumstances changed, or the agency "
                "did not act"
            ]
        if data.get("status") and not data.get("outcome"):
            errors["outcome"] = ["Describe the outcome"]
        if errors:
            raise ValidationError(errors)
