"""What a safety plan accepts and answers. Lists are short: a plan is read in a meeting room,
and a list that grows without end hides what matters."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.schemas import IsoDate, StrictSchema, Text

MAX_RISKS = 30
MAX_MEASURES = 30
MEASURE_STATUSES = ("planned", "in_place", "not_done")
STATUS_NAMES = {"planned": "Planned", "in_place": "In place", "not_done": "Not done"}


class MeasureIn(StrictSchema):
    what = Text(max_length=500, multiline=True)
    who = Text(max_length=200, required=False)
    status = fields.String(
        load_default="planned",
        validate=validate.OneOf(MEASURE_STATUSES, error="Choose planned, in place or not done"),
    )


class SafetyPlanIn(StrictSchema):
    risks = fields.List(
        Text(max_length=500, multiline=True),
        required=True,
        validate=validate.Length(max=MAX_RISKS, error=f"List at most {MAX_RISKS} risks"),
    )
    measures = fields.List(
        fields.Nested(MeasureIn),
        required=True,
        validate=validate.Length(max=MAX_MEASURES, error=f"List at most {MAX_MEASURES} measures"),
    )
    review_date = IsoDate(allow_none=True, load_default=None)


class MeasureOut(StrictSchema):
    what = fields.String()
    who = fields.String(allow_none=True)
    status = fields.String()


class SafetyPlanOut(StrictSchema):
    """The answer: fields the caller may not see are absent, as everywhere."""

    id = fields.String(allow_none=True)
    referral_id = fields.String()
    reference = fields.String()
    risks = fields.List(fields.String())
    measures = fields.List(fields.Nested(MeasureOut))
    review_date = fields.Date(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)
    may_edit = fields.Boolean()
