"""What the workbench accepts. Messages name the field as the pages label it, so the same
errors serve the GOV.UK error summary and the API's ``fields``."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from casework import clock
from casework.schemas import IsoDate, PlainString, StrictSchema, Text
from casework.subject_access.models import DECISIONS, REQUESTER_TYPES

MAX_PEOPLE = 50


class RequestIn(StrictSchema):
    requester_type = fields.String(
        required=True,
        validate=validate.OneOf(REQUESTER_TYPES, error="Choose who is asking"),
        error_messages={"required": "Choose who is asking"},
    )
    reference = Text(max_length=100, error_messages={"required": "Enter your reference"})
    received_on = IsoDate(
        required=True,
        error_messages={
            "required": "Enter the date the request was received",
            "invalid": "The date received must be a real date, for example 27 3 2026",
        },
    )

    @validates("received_on")
    def _not_ahead(self, value: Any, **_: Any) -> None:
        if value > clock.today():
            raise ValidationError("The date received must be today or in the past")


class GatherIn(StrictSchema):
    people = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_PEOPLE, error=f"Choose between 1 and {MAX_PEOPLE} people found"
        ),
        error_messages={"required": "Choose the people found who are the requester"},
    )


class DecisionIn(StrictSchema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(DECISIONS, error="Choose release, redact or withhold"),
        error_messages={"required": "Choose release, redact or withhold"},
    )
    reason = Text(max_length=500, required=False, multiline=True)

    @validates_schema
    def _reason_given(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decision") in ("redact", "withhold") and not data.get("reason"):
            raise ValidationError("Give the reason for redacting or withholding", "reason")


class SubjectAccessFoundOut(StrictSchema):
    key = fields.String()
    type = fields.String()
    id = fields.String()
    role = fields.String()
    person_id = fields.String()
    name = fields.String()
    date_of_birth = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    match = fields.String()


class SubjectAccessItemOut(StrictSchema):
    id = fields.UUID()
    source_type = fields.String()
    category = fields.String()
    title = fields.String()
    content = fields.List(fields.List(fields.String()))
    default_decision = fields.String()
    decision = fields.String()
    reason = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class SubjectAccessRequestOut(StrictSchema):
    id = fields.UUID()
    requester_type = fields.String()
    reference = fields.String()
    received_on = fields.Date()
    due_on = fields.Date()
    created_at = fields.DateTime()
    items = fields.List(fields.Nested(SubjectAccessItemOut))


class SubjectAccessRequestSummaryOut(StrictSchema):
    id = fields.UUID()
    requester_type = fields.String()
    reference = fields.String()
    received_on = fields.Date()
    due_on = fields.Date()


DISCLOSURE_FORMAT = PlainString(
    validate=validate.OneOf(("json", "pdf")),
    metadata={
        "description": "pdf to download the disclosure; JSON (what it prints) when absent or empty",
        "empty_is_absent": True,
    },
)


class SubjectAccessShownOut(StrictSchema):
    """One item as the disclosure prints it: content only when released."""

    title = fields.String()
    decision = fields.String(metadata={"enum": ["release", "redact"]})
    content = fields.List(fields.List(fields.String()), allow_none=True)
    reason = fields.String(allow_none=True)


class SubjectAccessDisclosureOut(StrictSchema):
    items = fields.List(fields.Nested(SubjectAccessShownOut))
