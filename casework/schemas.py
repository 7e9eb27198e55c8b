"""Shared marshmallow pieces: a strict base schema, the one loader every door uses, and the
field types every input goes through (text, whole numbers, dates; CONTRACT.md, "Limits").

One type per kind of value, so a rule is written once and no door can forget it:

- ``PlainString`` / ``TrimmedString`` / ``Text``: text refuses lone surrogates, control
  characters, unclosed direction controls and (on one line) invisible characters
  (``casework.text_rules``); ``multiline=True`` marks long text, where tab and line breaks
  belong (minutes, research, reasons, notes, descriptions).
- ``Flag``: true or false; in JSON bodies only JSON's ``true`` and ``false``.
- ``WholeNumber``: JSON bodies must send a JSON integer; forms and CSV files send text, so
  there a string of digits is read as the number it spells.
- ``IsoDate``: ISO 8601 dates from 1 January 1900 to 31 December 2100 only, so no date
  arithmetic downstream can overflow and no typo (``9999``) is stored.

``StrictSchema`` also applies these rules to any plain marshmallow ``String``, ``Integer``,
``Boolean`` or ``Date``/``DateTime`` field declared on it (modules written before these
types, or new ones), so a field that forgets the project's type still lets nothing through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow import validate as _validate

from casework.errors import Invalid, flatten_messages
from casework.text_rules import text_problem

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE = "Enter a date between 1 January 1900 and 31 December 2100"
# Beyond a PostgreSQL integer no count, length or position the service keeps can go.
WHOLE_NUMBER_LIMIT = 2**31 - 1


class JsonObject(dict):
    """A JSON object exactly as the API door decoded it (``casework.api.registry.json_body``):
    its values carry JSON's own types, so a field may insist on them (``WholeNumber``)."""


# True while ``load`` reads a JsonObject: fields then hold values to JSON's types.
_TYPED_JSON: ContextVar[bool] = ContextVar("casework_typed_json", default=False)


class StrictSchema(Schema):
    """Unknown fields are errors, never silently dropped; plain text and date fields get the
    project's rules (module docstring)."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        guard_field(field_obj)


def load(schema: Schema, data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise Invalid({"_schema": ["Expected a JSON object"]})
    token = _TYPED_JSON.set(isinstance(data, JsonObject))
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise Invalid(flatten_messages(exc.messages)) from None
    finally:
        _TYPED_JSON.reset(token)


# --- text -----------------------------------------------------------------------------------


class PlainString(fields.String):
    """marshmallow's String with the text rules (``casework.text_rules``). ``multiline=True``
    is long text: tab and line breaks allowed."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = self._tidy(super()._deserialize(value, attr, data, **kwargs))
        problem = text_problem(text, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        return text

    def _tidy(self, text: str) -> str:
        return text


class TrimmedString(PlainString):
    """Text with the spaces around it removed (forms pad what people paste)."""

    def _tidy(self, text: str) -> str:
        return text.strip()


def Text(  # noqa: N802  (reads like a field class where schemas use it)
    *,
    max_length: int = 200,
    required: bool = True,
    validate: Any = None,
    multiline: bool = False,
    **kw: Any,
) -> fields.String:
    """A trimmed, non-blank string: what people type into a form field (``multiline`` for a
    text area)."""
    rules = [_validate.Length(min=1, max=max_length)]
    if validate is not None:
        rules.append(validate)
    return TrimmedString(required=required, validate=rules, multiline=multiline, **kw)


def _text_rule(value: Any) -> None:
    """The one-line text rules, as a validator for plain marshmallow String fields."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem)


# --- whole numbers --------------------------------------------------------------------------


_DIGITS = re.compile(r"\s*[+-]?[0-9]{1,12}\s*")


class WholeNumber(fields.Integer):
    """A whole number. In a JSON body only a JSON integer is one: ``2.5`` was silently stored
    as 2 and ``"3"`` taken as 3, hiding a client's mistake (CONTRACT.md, Limits). Forms and
    CSV imports send text, so outside JSON a string of digits is read as its number; a
    fraction, a word or a boolean is refused everywhere. Beyond 2**31 - 1 nothing fits."""

    # "invalid" stays marshmallow's "Not a valid integer.", which pages already reword.
    default_error_messages = {"too_large": "The number is too large"}

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.make_error("invalid", input=value)
        if isinstance(value, str):
            if _TYPED_JSON.get() or not _DIGITS.fullmatch(value):
                raise self.make_error("invalid", input=value)
            value = int(value)
        if abs(value) > WHOLE_NUMBER_LIMIT:
            raise self.make_error("too_large", input=value)
        return value


# --- true or false -------------------------------------------------------------------------


class Flag(fields.Boolean):
    """True or false. In a JSON body only JSON's ``true`` and ``false``: marshmallow also takes
    0, 1, "yes" and "on", which in JSON are a client's mistake the OpenAPI document refuses.
    Forms send text (checkboxes "on", radios "yes"), so outside JSON those words still count."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if _TYPED_JSON.get() and not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        # named, not super(): the safety net lends this method to plain Boolean fields
        return fields.Boolean._deserialize(self, value, attr, data, **kwargs)


# --- dates ----------------------------------------------------------------------------------


def _in_range(value: Any) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(DATE_RANGE)


class IsoDate(fields.Date):
    """The one date type: ISO 8601 (``2026-11-22``), from 1 January 1900 to 31 December 2100.
    Checked before any other validator, so none of them (nor anything downstream: periods,
    deadlines, months between) meets a date whose arithmetic overflows."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        _in_range(day)
        return day


def parse_date(value: Any) -> date | None:
    """A date read through the one type, or None when it is not one (for code that only
    compares what was sent, such as "is this the due date it already had?")."""
    try:
        return IsoDate().deserialize(value)
    except ValidationError:
        return None


# --- the safety net for plain marshmallow fields --------------------------------------------


def guard_field(field: fields.Field) -> None:
    """Give a plain marshmallow field the project's rules (idempotent): text rules for
    ``String`` (one line), the date range for ``Date``/``DateTime``, and JSON's own types for
    ``Integer`` and ``Boolean`` (as ``WholeNumber`` and ``Flag`` read them); containers pass
    them to the fields they hold. The project's own types apply their rules themselves."""
    if getattr(field, "_casework_guarded", False):
        return
    field._casework_guarded = True  # type: ignore[attr-defined]
    if isinstance(field, fields.List):
        guard_field(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            guard_field(inner)
    elif isinstance(field, fields.Mapping):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                guard_field(inner)
    elif isinstance(field, PlainString | IsoDate | WholeNumber | Flag):
        return
    elif isinstance(field, fields.String):
        field.validators.insert(0, _text_rule)
    elif isinstance(field, fields.DateTime):  # Date is a DateTime in marshmallow 3
        field.validators.insert(0, _in_range)
    elif isinstance(field, fields.Integer):
        field._validated = functools.partial(WholeNumber._validated, field)  # type: ignore[method-assign]
    elif isinstance(field, fields.Boolean):
        field._deserialize = functools.partial(Flag._deserialize, field)  # type: ignore[method-assign]
