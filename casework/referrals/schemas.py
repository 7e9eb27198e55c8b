"""Referral input, exactly as CONTRACT.md shows it; every rule that can be checked without the
database is checked here so one answer names every bad field."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from casework import clock
from casework.risk.dash import ANSWERS, QUESTIONS
from casework.schemas import (
    Flag,
    IsoDate,
    PlainString,
    StrictSchema,
    Text,
    TrimmedString,
    WholeNumber,
)

GENDERS = ("female", "male", "other", "not_known")
EARLIEST_BIRTH = date(1900, 1, 1)


def _past_date(value: date) -> None:
    if value > clock.today():
        raise ValidationError("Date must be today or in the past")
    if value < EARLIEST_BIRTH:
        raise ValidationError("Date must be after 1 January 1900")


def OptionalText(max_length: int = 200, *, multiline: bool = False) -> fields.String:  # noqa: N802
    return TrimmedString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=max_length),
        multiline=multiline,
    )


class VictimIn(StrictSchema):
    first_name = Text(max_length=100)
    last_name = Text(max_length=100)
    date_of_birth = IsoDate(required=True, validate=_past_date)
    gender = PlainString(required=True, validate=validate.OneOf(GENDERS))
    ethnicity = OptionalText(100)
    bme = Flag(load_default=None, allow_none=True)
    lgbt = Flag(load_default=None, allow_none=True)
    disability = Flag(load_default=None, allow_none=True)
    address = OptionalText(500, multiline=True)
    postcode = OptionalText(10)
    phone = OptionalText(30)
    safe_to_call = Flag(load_default=None, allow_none=True)


class PerpetratorIn(StrictSchema):
    first_name = Text(max_length=100)
    last_name = Text(max_length=100)
    date_of_birth = IsoDate(load_default=None, allow_none=True, validate=_past_date)
    relationship_to_victim = OptionalText(100)


class ChildIn(StrictSchema):
    first_name = OptionalText(100)
    last_name = OptionalText(100)
    date_of_birth = IsoDate(load_default=None, allow_none=True, validate=_past_date)


class DashField(fields.Dict):
    """All 24 questions, each yes / no / not_known; every missing or unknown one is named."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Give the 24 DASH answers as an object")
        errors: dict[str, list[str]] = {}
        for key in value:
            if key not in QUESTIONS:
                errors[str(key)] = ["Not a DASH question (1 to 24)"]
        for key in QUESTIONS:
            if key not in value:
                errors[key] = ["Answer yes, no or not known"]
            elif value[key] not in ANSWERS:
                errors[key] = ["Must be yes, no or not_known"]
        if errors:
            raise ValidationError(errors)
        return {k: value[k] for k in QUESTIONS}


COMMENT_LENGTH = 2000  # characters per DASH comment: the form's "comments" column


class DashCommentsField(fields.Dict):
    """The optional comment beside each DASH answer, keyed by question number: a key that is
    not a question, or a comment that is not text, too long or with forbidden characters, is
    named; blank comments are left out."""

    _text = TrimmedString(multiline=True, validate=validate.Length(max=COMMENT_LENGTH))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Give the DASH comments as an object keyed by question number")
        errors: dict[str, list[str]] = {}
        comments: dict[str, str] = {}
        for key, text in value.items():
            if key not in QUESTIONS:
                errors[str(key)] = ["Not a DASH question (1 to 24)"]
                continue
            if text is None:
                continue
            try:
                comment = self._text.deserialize(text)
            except ValidationError as exc:
                errors[key] = list(exc.messages)
                continue
            if comment:
                comments[key] = comment
        if errors:
            raise ValidationError(errors)
        return {k: comments[k] for k in QUESTIONS if k in comments}


class RiskIn(StrictSchema):
    dash = DashField(required=True)
    dash_comments = DashCommentsField(load_default=dict)
    police_incidents_12m = WholeNumber(load_default=0, validate=validate.Range(min=0, max=1000))
    professional_judgement = Flag(load_default=False)
    professional_judgement_reason = OptionalText(5000, multiline=True)

    @validates_schema
    def _reason(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("professional_judgement") and not data.get("professional_judgement_reason"):
            raise ValidationError(
                "Write down the reasons for your professional judgement",
                "professional_judgement_reason",
            )


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> None:
    if value and not EMAIL.fullmatch(value):
        raise ValidationError("Enter an email address in the correct format, like name@example.com")


class ReferrerIn(StrictSchema):
    """Who made the referral and how the coordinator calls them back."""

    name = OptionalText(200)
    phone = OptionalText(30)
    email = TrimmedString(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=254), _email],
    )


class SafetyIn(StrictSchema):
    """Who the victim is afraid of, and who is and is not safe to talk to (SafeLives' form)."""

    afraid_of = OptionalText(2000, multiline=True)
    safe_to_talk_to = OptionalText(2000, multiline=True)
    not_safe_to_talk_to = OptionalText(2000, multiline=True)


class PreviousMaracIn(StrictSchema):
    """A MARAC in another area heard the victim before: where and, if known, when. Not a
    repeat under the local rule (DOMAIN.md), which counts this partnership's referrals."""

    elsewhere = Flag(load_default=None, allow_none=True)
    area = OptionalText(200)
    date = IsoDate(load_default=None, allow_none=True, validate=_past_date)

    @validates_schema
    def _where(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("elsewhere") is True and not data.get("area"):
            raise ValidationError("Enter the area of the previous MARAC", "area")
        if data.get("elsewhere") is not True:
            given = [k for k in ("area", "date") if data.get(k)]
            if given:
                raise ValidationError(
                    {k: ["Only give this if a MARAC elsewhere has heard the case"] for k in given}
                )


def _empty(schema: type[StrictSchema]) -> Any:
    """Every field of an optional group, not given."""
    return lambda: dict.fromkeys(schema().fields)


class ReferralIn(StrictSchema):
    panel_id = fields.UUID(required=True)
    referral_date = IsoDate(required=True)
    victim = fields.Nested(VictimIn, required=True)
    perpetrators = fields.List(
        fields.Nested(PerpetratorIn), required=True, validate=validate.Length(min=1, max=10)
    )
    children = fields.List(
        fields.Nested(ChildIn), load_default=list, validate=validate.Length(max=20)
    )
    risk = fields.Nested(RiskIn, required=True)
    victim_aware = Flag(required=True)
    consent = Flag(required=True)
    summary = OptionalText(10000, multiline=True)
    referrer = fields.Nested(ReferrerIn, load_default=_empty(ReferrerIn))
    safety = fields.Nested(SafetyIn, load_default=_empty(SafetyIn))
    previous_marac = fields.Nested(PreviousMaracIn, load_default=_empty(PreviousMaracIn))

    @validates("referral_date")
    def _not_future(self, value: date, **_: Any) -> None:
        if value > clock.today():
            raise ValidationError("Referral date must be today or in the past")


class ReferralQuery(StrictSchema):
    panel_id = fields.UUID(load_default=None)
    status = PlainString(load_default=None)
    from_ = IsoDate(data_key="from", load_default=None)
    to = IsoDate(load_default=None)
    limit = WholeNumber(load_default=500, validate=validate.Range(min=1, max=500))
    # how many of the matching referrals (newest first) to pass over: a page's start
    offset = WholeNumber(load_default=0, validate=validate.Range(min=0))
