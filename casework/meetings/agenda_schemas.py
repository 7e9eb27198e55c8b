"""What the agenda builder's forms and API bodies may contain (unknown fields are refused)."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.schemas import IsoDate, PlainString, StrictSchema


class ItemsIn(StrictSchema):
    items = fields.List(
        fields.UUID(error_messages={"invalid_uuid": "Choose items from the agenda"}),
        required=True,
        validate=validate.Length(min=1, error="Choose at least one item"),
    )


class AddItemIn(StrictSchema):
    referral_id = fields.UUID(
        required=True,
        error_messages={
            "required": "Choose an accepted referral",
            "invalid_uuid": "Choose an accepted referral",
        },
    )


class ExtraMeetingIn(ItemsIn):
    date = IsoDate(
        required=True,
        error_messages={
            "required": "Enter the date of the extra meeting",
            "invalid": "Enter a real date",
        },
    )
    time = PlainString(
        required=True,
        validate=validate.Regexp(
            r"^([01]?\d|2[0-3]):[0-5]\d$", error="Enter a time like 14:00 (24-hour clock)"
        ),
        error_messages={"required": "Enter the start time of the extra meeting"},
    )
