"""What the actions API accepts and answers. Bodies and queries are allow-lists (unknown
fields and parameters are errors naming them); the answer schemas document the API, while the
actions build the answers and prune them to what the sharing engine granted."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.meetings.conduct_schemas import ActionIn
from casework.meetings.models import NOT_DONE_REASONS
from casework.schemas import PlainString, StrictSchema, TrimmedString

QUERY_STATUSES = ("open", "done", "not_done", "deleted")
OUTCOME_MISSING = "Describe the outcome"
EXPLANATION_MISSING = "Explain why the action was not done"


def _long_text(missing: str) -> TrimmedString:
    return TrimmedString(
        required=True,
        validate=[
            validate.Length(min=1, error=missing),
            validate.Length(max=2000, error="Must be 2,000 characters or fewer"),
        ],
        error_messages={"required": missing, "null": missing},
        multiline=True,
    )


class ActionCreateIn(ActionIn):
    """``referral_id`` (a MARAC case), ``nominal_id`` (an offender panel's person) or
    ``case_id`` (a case of the panel kind's own, such as an ASB case): one of them, on the
    meeting's agenda."""

    referral_id = fields.UUID(load_default=None)
    nominal_id = fields.UUID(load_default=None)
    case_id = fields.UUID(load_default=None)


class CompleteIn(StrictSchema):
    outcome = _long_text(OUTCOME_MISSING)


class NotDoneIn(StrictSchema):
    reason = PlainString(
        required=True,
        validate=validate.OneOf(
            NOT_DONE_REASONS, error="Give circumstances_changed or agency_did_not_act"
        ),
        error_messages={"required": "Give why the action was not done", "null": "Give why"},
    )
    explanation = _long_text(EXPLANATION_MISSING)


class ActionQuery(StrictSchema):
    status = PlainString(
        load_default=None,
        validate=validate.OneOf(QUERY_STATUSES, error="Use open, done, not_done or deleted"),
    )
    overdue = PlainString(
        load_default=None, validate=validate.OneOf(("true", "false"), error="Use true or false")
    )
    meeting_id = fields.UUID(load_default=None, error_messages={"invalid_uuid": "Not a valid id"})


class ChangeLineOut(StrictSchema):
    field = fields.String(metadata={"description": "description, owner_agency or due_date"})
    from_ = fields.Raw(data_key="from", metadata={"description": "only if you may see it"})
    to = fields.Raw(metadata={"description": "only if you may see the field"})


class ChangeOut(StrictSchema):
    at = fields.DateTime()
    kind = fields.String(metadata={"description": "corrected or deleted"})
    by = fields.String(allow_none=True)
    by_agency = fields.String(allow_none=True)
    changes = fields.List(fields.Nested(ChangeLineOut))
    reason = fields.String(metadata={"description": "why it was deleted"})


class ActionOut(StrictSchema):
    id = fields.UUID()
    meeting_id = fields.UUID()
    referral_id = fields.UUID(allow_none=True)
    nominal_id = fields.UUID(allow_none=True)
    case_type = fields.String(allow_none=True)
    case_id = fields.UUID(allow_none=True)
    description = fields.String()
    owner_agency = fields.String()
    due_date = fields.Date()
    status = fields.String(metadata={"description": "open, done, not_done or deleted"})
    not_done_reason = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    deleted_reason = fields.String(allow_none=True)
    overdue = fields.Boolean()
    case_reference = fields.String(allow_none=True)
    history = fields.List(fields.Nested(ChangeOut))
