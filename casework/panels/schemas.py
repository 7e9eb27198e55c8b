"""Panel input and output, as CONTRACT.md gives them, plus meeting settings and moves."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from casework.agencies.schemas import CODE_RULE
from casework.panels import kinds as panel_kinds
from casework.panels.cadence import Cadence, CadenceError
from casework.schemas import (
    EARLIEST_DATE,
    LATEST_DATE,
    Flag,
    IsoDate,
    PlainString,
    StrictSchema,
    Text,
    WholeNumber,
)

NATIONS = ("england-and-wales", "scotland", "northern-ireland")


class OneOfKinds(validate.OneOf):
    """``OneOf`` the registered panel kinds, read when used rather than when this module is
    imported, so a kind registered later (or by a test) is accepted and listed in the API
    document like the others."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return panel_kinds.codes()

    @choices.setter
    def choices(self, _: object) -> None:
        pass

    @property  # type: ignore[override]
    def choices_text(self) -> str:
        return ", ".join(self.choices)

    @choices_text.setter
    def choices_text(self, _: object) -> None:
        pass


# Settings a partnership may change, with the defaults DOMAIN.md gives.
DEFAULTS = {
    "meeting_minutes": 180,
    "minutes_per_case": 15,
    "cutoff_working_days": 8,
    "circulation_working_days": 5,
}


def _whole(low: int, high: int, what: str) -> validate.Range:
    return validate.Range(low, high, error=f"{what} must be a whole number from {low} to {high}")


def _setting_fields(defaults: bool) -> dict[str, fields.Field]:
    """The meeting settings, with defaults for a new panel and none for a change."""

    def number(name: str, low: int, high: int, what: str) -> fields.Integer:
        extra: dict[str, Any] = {"load_default": DEFAULTS[name]} if defaults else {}
        return WholeNumber(
            validate=_whole(low, high, what),
            error_messages={"invalid": f"{what} must be a whole number"},
            **extra,
        )

    population: dict[str, Any] = {"load_default": None} if defaults else {}
    return {
        "meeting_minutes": number("meeting_minutes", 30, 720, "Meeting length in minutes"),
        "minutes_per_case": number("minutes_per_case", 5, 120, "Minutes per case"),
        "cutoff_working_days": number("cutoff_working_days", 0, 30, "Referral cut-off"),
        "circulation_working_days": number("circulation_working_days", 0, 30, "Agenda circulation"),
        # Adults (16+) who are female in the area: the SafeLives volume denominator.
        "adult_female_population": WholeNumber(
            allow_none=True,
            validate=_whole(1, 100_000_000, "Adult female population"),
            error_messages={"invalid": "Adult female population must be a whole number"},
            **population,
        ),
    }


def check_deadlines(cutoff: int | None, circulation: int | None) -> None:
    """Referrals close before the agenda goes out, never after."""
    if cutoff is not None and circulation is not None and cutoff < circulation:
        raise ValidationError(
            "The referral cut-off must be at least as many working days before the meeting "
            "as agenda circulation",
            "cutoff_working_days",
        )


def _check_schedule(value: str) -> None:
    try:
        cadence = Cadence.parse(value)
    except CadenceError as exc:
        raise ValidationError(f"Schedule not understood: {exc}") from None
    except ValueError:  # digits Python's int() refuses ("hour=²" passes str.isdigit)
        raise ValidationError("Schedule not understood: use the digits 0 to 9") from None
    if cadence.anchor is not None and not EARLIEST_DATE <= cadence.anchor <= LATEST_DATE:
        raise ValidationError("Schedule not understood: from must be a date from 1900 to 2100")


NewSettings = StrictSchema.from_dict(_setting_fields(defaults=True), name="NewSettings")
ChangedSettings = StrictSchema.from_dict(_setting_fields(defaults=False), name="ChangedSettings")


class PanelIn(NewSettings):  # type: ignore[valid-type,misc]
    kind = PlainString(required=True, validate=OneOfKinds())
    name = Text(max_length=200)
    area = Text(max_length=200)
    agencies = fields.List(
        Text(max_length=16, validate=CODE_RULE), required=True, validate=validate.Length(min=1)
    )
    schedule = Text(max_length=200)
    nation = PlainString(load_default="england-and-wales", validate=validate.OneOf(NATIONS))
    # The Information Sharing Protocol; default: the protocol that covers the panel's kind.
    protocol = PlainString(load_default=None, validate=validate.Length(max=64))

    @validates("schedule")
    def _schedule(self, value: str, **_: object) -> None:
        _check_schedule(value)

    @validates_schema(skip_on_field_errors=False)
    def _deadlines(self, data: dict[str, Any], **_: Any) -> None:
        check_deadlines(data.get("cutoff_working_days"), data.get("circulation_working_days"))


class PanelUpdate(ChangedSettings):  # type: ignore[valid-type,misc]
    """A change to a panel: only the fields given change. The kind is fixed at creation."""

    name = Text(max_length=200, required=False)
    area = Text(max_length=200, required=False)
    agencies = fields.List(
        Text(max_length=16, validate=CODE_RULE),
        validate=validate.Length(min=1, error="Choose at least one member agency"),
    )
    schedule = Text(max_length=200, required=False)
    nation = PlainString(validate=validate.OneOf(NATIONS))
    protocol = PlainString(validate=validate.Length(min=1, max=64))
    active = Flag()

    @validates("schedule")
    def _schedule(self, value: str, **_: object) -> None:
        _check_schedule(value)

    def __init__(self, *, panel: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.panel = panel  # the panel being changed: its values stand in for those not given

    @validates_schema(skip_on_field_errors=False)
    def _deadlines(self, data: dict[str, Any], **_: Any) -> None:
        panel = self.panel
        check_deadlines(
            data.get("cutoff_working_days", getattr(panel, "cutoff_working_days", None)),
            data.get("circulation_working_days", getattr(panel, "circulation_working_days", None)),
        )


class PanelOut(StrictSchema):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    area = fields.String()
    agencies = fields.List(fields.String(), attribute="agency_codes")
    schedule = fields.String()
    schedule_text = fields.String()
    nation = fields.String()
    protocol = fields.String()
    active = fields.Boolean()
    meeting_minutes = fields.Integer()
    minutes_per_case = fields.Integer()
    cutoff_working_days = fields.Integer()
    circulation_working_days = fields.Integer()
    adult_female_population = fields.Integer(allow_none=True)


class ClockTime(PlainString):
    """A time of day typed as HH:MM (24-hour clock), for example 10:00 or 13:30."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> time:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        match = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", text)
        if not match:
            raise ValidationError("Enter a time on the 24-hour clock, like 10:00 or 13:30")
        return time(int(match.group(1)), int(match.group(2)))


class MoveMeetingIn(StrictSchema):
    """A meeting's new date and time, in UK time."""

    date = IsoDate(
        required=True,
        error_messages={
            "required": "Enter the new date",
            "invalid": "The new date must be a real date",
        },
    )
    time = ClockTime(required=True, error_messages={"required": "Enter the new time"})


class MeetingOut(StrictSchema):
    """A meeting in a panel's list (CONTRACT.md: id, date, status). No case data."""

    id = fields.String()
    panel_id = fields.String()
    date = fields.String(metadata={"description": "UK date, YYYY-MM-DD"})
    time = fields.String(metadata={"description": "UK time, HH:MM"})
    starts_at = fields.String(metadata={"description": "ISO 8601 with the UK offset"})
    status = fields.String(
        metadata={"enum": ["scheduled", "cancelled", "held", "closed", "reopened"]}
    )
    agenda_status = fields.String(metadata={"enum": ["none", "draft", "published"]})
    cutoff_on = fields.String(allow_none=True)
    circulate_on = fields.String(allow_none=True)
    minutes_due_on = fields.String(allow_none=True)
    length_minutes = fields.Integer()
    minutes_per_case = fields.Integer()
    moved_from = fields.String(allow_none=True)


class CancelledOut(MeetingOut):
    items_moved_to = fields.String(
        allow_none=True, metadata={"description": "The meeting its agenda items went to"}
    )
