"""Input for ASB cases: the referral, incidents added later, closing a case, list filters.

Everything that can be checked without the database or the configured risk matrix is checked
here; the actions (``casework.asb.cases``) add the matrix's answers, the panel and the
agencies' codes to the same answer, so one 422 names every bad field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from casework import clock
from casework.asb.models import CASE_OUTCOMES, CASE_STATUSES, INCIDENT_TYPES, RISK_BANDS
from casework.schemas import IsoDate, PlainString, StrictSchema, Text, TrimmedString


def _past(value: date) -> None:
    if value > clock.today():
        raise ValidationError("Date must be today or in the past")


def Day(*, required: bool = True) -> fields.Date:  # noqa: N802  (reads like a field class)
    if required:
        return IsoDate(required=True, validate=_past)
    return IsoDate(load_default=None, allow_none=True, validate=_past)


def Optional(max_length: int = 200, *, multiline: bool = False) -> fields.String:  # noqa: N802
    return TrimmedString(
        load_default=None,
        allow_none=True,
        multiline=multiline,
        validate=validate.Length(max=max_length),
    )


class AsbVictimIn(StrictSchema):
    first_name = Text(max_length=100)
    last_name = Text(max_length=100)
    date_of_birth = Day()
    address = Optional(300, multiline=True)
    phone = Optional(40)


class AsbIncidentIn(StrictSchema):
    date = Day()
    type = Text(max_length=40, validate=validate.OneOf(INCIDENT_TYPES))
    agency = Text(
        max_length=20, metadata={"description": "the code of the agency it was reported to"}
    )
    reference = Optional(60)


class AsbPerpetratorIn(StrictSchema):
    """A person (first name and surname, date of birth if known) or a group (a name and a
    description): one or the other."""

    first_name = Optional(100)
    last_name = Optional(100)
    date_of_birth = Day(required=False)
    group_name = Optional(100)
    description = Optional(1000, multiline=True)

    @validates_schema
    def _person_or_group(self, data: dict[str, Any], **_: Any) -> None:
        person = any(data.get(k) for k in ("first_name", "last_name", "date_of_birth"))
        group = any(data.get(k) for k in ("group_name", "description"))
        if person and group:
            raise ValidationError("Give a person or a group, not both", "group_name")
        if group and not data.get("group_name"):
            raise ValidationError("Enter the group's name", "group_name")
        if not group:
            errors = {
                k: ["Enter the person's " + ("first name" if k == "first_name" else "surname")]
                for k in ("first_name", "last_name")
                if not data.get(k)
            }
            if errors:
                raise ValidationError(errors)


class AsbReferralIn(StrictSchema):
    panel_id = fields.UUID(required=True)
    referral_date = Day(required=False)
    victim = fields.Nested(AsbVictimIn, required=True)
    location = Text(max_length=300)
    summary = Optional(5000, multiline=True)
    # question code -> answer code, checked against the configured matrix by the action
    risk_answers = fields.Dict(keys=PlainString(), values=PlainString(), required=True)
    incidents = fields.List(
        fields.Nested(AsbIncidentIn), required=True, validate=validate.Length(min=1, max=200)
    )
    perpetrators = fields.List(
        fields.Nested(AsbPerpetratorIn), load_default=list, validate=validate.Length(max=50)
    )


class AsbIncidentsIn(StrictSchema):
    incidents = fields.List(
        fields.Nested(AsbIncidentIn), required=True, validate=validate.Length(min=1, max=200)
    )


class AsbCloseIn(StrictSchema):
    outcome = Text(max_length=32, validate=validate.OneOf(CASE_OUTCOMES))
    closed_on = Day()


class AsbCaseQuery(StrictSchema):
    status = PlainString(load_default=None, validate=validate.OneOf(CASE_STATUSES))
    panel_id = fields.UUID(load_default=None)
    band = PlainString(load_default=None, validate=validate.OneOf(RISK_BANDS))
