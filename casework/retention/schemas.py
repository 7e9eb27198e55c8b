"""What the DPO types on the retention pages: a hold's reference and reason, an erasure's
choice of records, reason and confirmation. The same rules for the pages and any caller."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.schemas import StrictSchema, TrimmedString

HOLD_REASON = "Enter why the case is on hold"
ERASE_REASON = "Enter why these records are erased"
REFERENCE = "Enter the reference of the referral or ASB case, or the nominal's record id"
CHOOSE = "Choose the records to erase"
CONFIRM = "Confirm that the chosen records are to be erased"


def _reason(missing: str) -> TrimmedString:
    return TrimmedString(
        required=True,
        validate=[
            validate.Length(min=1, error=missing),
            validate.Length(max=2000, error="The reason must be 2,000 characters or fewer"),
        ],
        error_messages={"required": missing, "null": missing},
        multiline=True,
    )


class HoldIn(StrictSchema):
    reference = TrimmedString(
        required=True,
        validate=[
            validate.Length(min=1, error=REFERENCE),
            validate.Length(max=40, error="A reference is 40 characters or fewer"),
        ],
        error_messages={"required": REFERENCE, "null": REFERENCE},
    )
    reason = _reason(HOLD_REASON)


class EraseIn(StrictSchema):
    records = fields.List(
        fields.UUID(error_messages={"invalid_uuid": CHOOSE}),
        required=True,
        validate=validate.Length(min=1, max=500, error=CHOOSE),
        error_messages={"required": CHOOSE, "null": CHOOSE},
    )
    reason = _reason(ERASE_REASON)
    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=CONFIRM),
        error_messages={"required": CONFIRM, "null": CONFIRM},
    )
