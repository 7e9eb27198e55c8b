"""Input for Community Trigger applications and decisions, and for the interventions ladder.

Everything that can be checked without the database is checked here, so one answer names
every bad field; rules that need the case (its panel's meetings and agencies, an
intervention's issue date) are checked by the actions before anything is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from casework import clock
from casework.asb.models import INTERVENTION_OUTCOMES, INTERVENTION_TYPES, TRIGGER_DECISIONS
from casework.schemas import IsoDate, PlainString, StrictSchema, Text, TrimmedString, WholeNumber

# What can be kept of a letter or a note: enough for a summary, not a document store.
LONG_TEXT = 4000


def _not_future(value: date) -> None:
    if value > clock.today():
        raise ValidationError("Date must be today or in the past")


def Day(*, required: bool = True) -> fields.Date:  # noqa: N802  (reads like a field class)
    """A date that has happened (an application received, a letter sent, a breach)."""
    if required:
        return IsoDate(required=True, validate=_not_future)
    return IsoDate(load_default=None, allow_none=True, validate=_not_future)


def OptionalText(max_length: int, *, multiline: bool = False) -> fields.String:  # noqa: N802
    return TrimmedString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=max_length),
        multiline=multiline,
    )


class AsbTriggerIn(StrictSchema):
    """An ASB case review application. ``complaints_counted`` is worked out from the case's
    incidents in the configured window when it is not given (a partner's count may be
    higher: complaints to agencies that did not refer the case)."""

    received_on = Day()
    applicant = OptionalText(200)
    complaints_counted = WholeNumber(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10000)
    )


class AsbDecisionIn(StrictSchema):
    """The review's decision and the facts of the letter that told the applicant."""

    decision = PlainString(required=True, validate=validate.OneOf(TRIGGER_DECISIONS))
    decided_on = Day()
    meeting_id = fields.UUID(load_default=None, allow_none=True)
    letter_sent_on = Day(required=False)
    letter_summary = OptionalText(LONG_TEXT, multiline=True)
    recommendations = OptionalText(LONG_TEXT, multiline=True)

    @validates_schema(skip_on_field_errors=False)
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        sent, decided = data.get("letter_sent_on"), data.get("decided_on")
        if sent and decided and sent < decided:
            errors["letter_sent_on"] = ["The letter cannot be sent before the decision"]
        if data.get("decision") == "recommendations_made" and not data.get("recommendations"):
            errors["recommendations"] = ["Enter the recommendations the review made"]
        if errors:
            raise ValidationError(errors)


class AsbInterventionIn(StrictSchema):
    """A rung of the ladder: what, by which member agency (its code), from when to when."""

    kind = PlainString(required=True, validate=validate.OneOf(INTERVENTION_TYPES))
    agency = Text(max_length=20)
    issued_on = Day()
    ends_on = IsoDate(load_default=None, allow_none=True)
    notes = OptionalText(LONG_TEXT, multiline=True)

    @validates_schema(skip_on_field_errors=False)
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        issued, ends = data.get("issued_on"), data.get("ends_on")
        if issued and ends and ends < issued:
            raise ValidationError({"ends_on": ["The end date must be on or after the issue date"]})


class AsbBreachIn(StrictSchema):
    occurred_on = Day()
    action_taken = OptionalText(LONG_TEXT, multiline=True)


class AsbOutcomeIn(StrictSchema):
    outcome = PlainString(required=True, validate=validate.OneOf(INTERVENTION_OUTCOMES))
    outcome_on = Day()
