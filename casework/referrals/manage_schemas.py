"""Input and answer shapes for managing referrals: status changes, IDVA assignment and the
possible-match review queue. The answer schemas document the API (OpenAPI); the actions build
the answers themselves and prune them to the fields the sharing engine granted."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.schemas import StrictSchema, TrimmedString

REASON_MISSING = "Enter the reason for withdrawing the referral"
CHOOSE_IDVA = "Choose an IDVA"


class WithdrawIn(StrictSchema):
    reason = TrimmedString(
        required=True,
        validate=[
            validate.Length(min=1, error=REASON_MISSING),
            validate.Length(max=2000, error="The reason must be 2,000 characters or fewer"),
        ],
        error_messages={"required": REASON_MISSING, "null": REASON_MISSING},
        multiline=True,
    )


class AssignIdvaIn(StrictSchema):
    user_id = fields.UUID(
        required=True,
        error_messages={"required": CHOOSE_IDVA, "invalid_uuid": CHOOSE_IDVA, "null": CHOOSE_IDVA},
    )


class MatchQuery(StrictSchema):
    panel_id = fields.UUID(load_default=None, allow_none=True)


class RepeatOut(StrictSchema):
    is_repeat = fields.Boolean()
    previous_referral_date = fields.Date(allow_none=True)


class CriteriaOut(StrictSchema):
    criteria = fields.List(fields.String())


class ReferralStateOut(StrictSchema):
    id = fields.String()
    reference = fields.String()
    status = fields.String(
        metadata={"enum": ["submitted", "accepted", "listed", "heard", "closed", "withdrawn"]}
    )
    panel_id = fields.String()
    referral_date = fields.Date()
    assigned_idva = fields.String(allow_none=True, metadata={"description": "a user ID"})
    repeat = fields.Nested(RepeatOut)
    risk = fields.Nested(CriteriaOut)


class MatchSideOut(StrictSchema):
    id = fields.String()
    reference = fields.String()
    status = fields.String()
    referral_date = fields.Date()
    panel_id = fields.String()
    victim = fields.Dict(
        metadata={"description": "first_name, last_name, date_of_birth where the caller may see"}
    )


class PossibleMatchOut(StrictSchema):
    id = fields.String()
    reason = fields.String(metadata={"enum": ["different_first_name", "day_month_swapped"]})
    reason_text = fields.String()
    status = fields.String(metadata={"enum": ["pending", "confirmed", "rejected"]})
    referral = fields.Nested(MatchSideOut, metadata={"description": "the newer referral"})
    other_referral = fields.Nested(MatchSideOut, metadata={"description": "the earlier one"})
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    new_state = fields.Nested(ReferralStateOut, metadata={"description": "after a decision"})
