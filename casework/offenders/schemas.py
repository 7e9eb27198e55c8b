"""Input for nominals, cohorts and their records (CONTRACT.md, Offenders, plus extensions).

Everything that can be checked without the database is checked here, so one answer names
every bad field; rules that need the panel (its kind, the young person's age on entry, the
configured offence categories) are checked by the actions.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from casework import clock
from casework.offenders.models import (
    CLASSIFICATIONS,
    COHORTS,
    EVENT_KINDS,
    EXIT_REASONS,
    INTERVENTIONS,
    OUTCOMES,
    PATHWAY_STATUSES,
    PATHWAYS,
    RISK_FACTORS,
)
from casework.schemas import Flag, IsoDate, PlainString, StrictSchema, Text, TrimmedString
from casework.text_rules import text_problem

EARLIEST = date(1900, 1, 1)
# Pathways whose "achieved" flag the outcome measures count: referred to drug or alcohol
# treatment, in stable accommodation, in education, training or employment.
ACHIEVABLE = ("drugs_alcohol", "accommodation", "education_training_employment")
_PNC = re.compile(r"^[A-Z0-9/-]{2,20}$")


def canonical_pnc(value: str) -> str:
    """The PNC number as stored and compared: upper case, no spaces (``12/345678a`` ->
    ``12/345678A``). Police extracts write it several ways; one person is one number."""
    return re.sub(r"\s+", "", value).upper()


def _past(value: date) -> None:
    if value > clock.today():
        raise ValidationError("Date must be today or in the past")
    if value < EARLIEST:
        raise ValidationError("Date must be after 1 January 1900")


def Day(*, required: bool = True) -> fields.Date:  # noqa: N802  (reads like a field class)
    if required:
        return IsoDate(required=True, validate=_past)
    return IsoDate(load_default=None, allow_none=True, validate=_past)


def OptionalText(max_length: int = 200, *, multiline: bool = False) -> fields.String:  # noqa: N802
    return TrimmedString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=max_length),
        multiline=multiline,
    )


class PncField(PlainString):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = canonical_pnc(super()._deserialize(value, attr, data, **kwargs))
        if not text:
            return None
        if not _PNC.match(text):
            raise ValidationError("Enter the PNC number as it appears on PNC, like 12/345678A")
        return text


class RiskFactorsField(fields.Field):
    """Risk factors by name with optional notes: ``{"school_exclusion": "…", "victim": null}``
    (a list of names is accepted too). Every unknown name is named in the answer."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if isinstance(value, list):
            # names only: a list or object among them ([[]], [{}]) is not a name (and cannot
            # be a key: it was a TypeError, answered 500)
            if not all(isinstance(name, str) for name in value):
                raise ValidationError("Give risk factors by name, like school_exclusion")
            value = dict.fromkeys(value)
        if not isinstance(value, dict):
            raise ValidationError("Give risk factors as an object of name to notes")
        errors: dict[str, list[str]] = {}
        out: dict[str, str | None] = {}
        for name, notes in value.items():
            if name not in RISK_FACTORS:
                errors[str(name)] = [f"Must be one of {', '.join(RISK_FACTORS)}"]
            elif notes is not None and (not isinstance(notes, str) or len(notes) > 2000):
                errors[str(name)] = ["Notes must be text of at most 2,000 characters"]
            elif isinstance(notes, str) and (problem := text_problem(notes, multiline=True)):
                errors[str(name)] = [problem]
            else:
                out[name] = (notes.strip() or None) if isinstance(notes, str) else None
        if errors:
            raise ValidationError(errors)
        return out


class CohortIn(StrictSchema):
    """Entering a panel's cohort (also the part of a new nominal that says where)."""

    panel_id = fields.UUID(required=True)
    entry_date = Day()
    cohort = PlainString(load_default=None, allow_none=True, validate=validate.OneOf(COHORTS))


class NominalIn(CohortIn):
    first_name = Text(max_length=100)
    last_name = Text(max_length=100)
    date_of_birth = Day()
    pnc_id = PncField(load_default=None, allow_none=True)
    address = OptionalText(500, multiline=True)
    lead_agency = OptionalText(20)
    lead_officer = OptionalText(200)
    school = OptionalText(200)
    risk_factors = RiskFactorsField(load_default=None, allow_none=True)

    @validates_schema
    def _born_before_entry(self, data: dict[str, Any], **_: Any) -> None:
        born, entry = data.get("date_of_birth"), data.get("entry_date")
        if born and entry and born >= entry:
            raise ValidationError("Date of birth must be before the entry date", "date_of_birth")


class ExitIn(StrictSchema):
    panel_id = fields.UUID(required=True)
    exit_date = Day()
    exit_reason = PlainString(required=True, validate=validate.OneOf(EXIT_REASONS))


class EventIn(StrictSchema):
    """An offence, intelligence report, warrant or drug test. Offences carry a category and
    usually an outcome; drug tests a result; reports and warrants only their date."""

    kind = PlainString(load_default="offence", validate=validate.OneOf(EVENT_KINDS))
    date = Day()
    category = OptionalText(32)
    outcome = PlainString(load_default=None, allow_none=True, validate=validate.OneOf(OUTCOMES))
    positive = Flag(load_default=None, allow_none=True)

    @validates_schema
    def _by_kind(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("kind", "offence")
        errors: dict[str, list[str]] = {}
        if kind == "offence" and not data.get("category"):
            errors["category"] = ["Choose the offence category"]
        if kind != "offence":
            for name in ("category", "outcome"):
                if data.get(name) is not None:
                    errors[name] = ["Only offences have a category and outcome"]
        if kind == "drug_test" and data.get("positive") is None:
            errors["positive"] = ["Say whether the drug test was positive or negative"]
        if kind != "drug_test" and data.get("positive") is not None:
            errors["positive"] = ["Only drug tests have a result"]
        if errors:
            raise ValidationError(errors)


class OffenceIn(StrictSchema):
    """``POST /nominals/{id}/offences`` exactly as CONTRACT.md shows it."""

    date = Day()
    category = Text(max_length=32)
    outcome = PlainString(load_default=None, allow_none=True, validate=validate.OneOf(OUTCOMES))


def _ends_after_start(data: dict[str, Any], start: str = "start_date") -> None:
    if data.get(start) and data.get("end_date") and data["end_date"] < data[start]:
        raise ValidationError("End date must be on or after the start date", "end_date")


class CustodyIn(StrictSchema):
    start_date = Day()
    end_date = IsoDate(load_default=None, allow_none=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        _ends_after_start(data)


class PathwayIn(StrictSchema):
    pathway = PlainString(required=True, validate=validate.OneOf(PATHWAYS))
    status = PlainString(load_default="identified", validate=validate.OneOf(PATHWAY_STATUSES))
    achieved = Flag(load_default=False)
    start_date = Day(required=False)
    end_date = IsoDate(load_default=None, allow_none=True)
    notes = OptionalText(2000, multiline=True)

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        _ends_after_start(data)
        if data.get("achieved") and data.get("pathway") not in ACHIEVABLE:
            raise ValidationError(
                "Only the drugs and alcohol, accommodation and education, training and "
                "employment pathways record an achievement",
                "achieved",
            )


def ChangedText(max_length: int) -> fields.String:  # noqa: N802
    """Long text in an update: left alone when absent, cleared by null."""
    return TrimmedString(allow_none=True, validate=validate.Length(max=max_length), multiline=True)


class PathwayUpdate(StrictSchema):
    """Only the keys sent are changed."""

    status = PlainString(validate=validate.OneOf(PATHWAY_STATUSES))
    achieved = Flag()
    end_date = IsoDate(allow_none=True)
    notes = ChangedText(2000)


class InterventionIn(StrictSchema):
    kind = PlainString(required=True, validate=validate.OneOf(INTERVENTIONS))
    start_date = Day()
    end_date = IsoDate(load_default=None, allow_none=True)
    outcome = OptionalText(2000, multiline=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        _ends_after_start(data)


class InterventionUpdate(StrictSchema):
    """Only the keys sent are changed."""

    end_date = IsoDate(allow_none=True)
    outcome = ChangedText(2000)


class RiskFactorsIn(StrictSchema):
    """Replaces the young person's risk factors (an empty object clears them)."""

    risk_factors = RiskFactorsField(required=True)


class ClassificationIn(StrictSchema):
    classification = PlainString(required=True, validate=validate.OneOf(CLASSIFICATIONS))
    date = Day()
    reason = Text(max_length=5000, multiline=True)
    panel_id = fields.UUID(load_default=None, allow_none=True)
    meeting_id = fields.UUID(load_default=None, allow_none=True)


class NominalQuery(StrictSchema):
    panel_id = fields.UUID(load_default=None)
