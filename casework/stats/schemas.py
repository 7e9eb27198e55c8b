"""The query every statistics door accepts: one schema, so the doors cannot drift apart.

MARAC figures (``GET /api/v1/stats/marac``) and offender cohort figures
(``GET /api/v1/stats/offenders``) both count over a period: an optional panel, ``from`` and
``to`` (inclusive, ``to`` not before ``from``), a download ``format`` and ``publication``
(suppress small counts). The SafeLives quarterly return names a quarter instead of a period.
The API document's query parameters are read from these classes (``query_of``), in the
order they are declared here.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from casework.schemas import Flag, IsoDate, PlainString, StrictSchema, WholeNumber

FORMATS = ("json", "csv", "xlsx")


def _panel() -> fields.UUID:
    return fields.UUID(load_default=None)


def _format() -> PlainString:
    return PlainString(load_default="json", validate=validate.OneOf(FORMATS))


def _publication() -> Flag:
    return Flag(load_default=False)


class PeriodQuery(StrictSchema):
    """Figures for ``from`` to ``to``: MARAC statistics and offender cohort figures."""

    panel_id = _panel()
    from_ = IsoDate(data_key="from", required=True)
    to = IsoDate(required=True)
    format = _format()
    publication = _publication()

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Must be on or after the start date", "to")


class QuarterQuery(StrictSchema):
    """The SafeLives quarterly return: a year and a quarter instead of a period."""

    panel_id = _panel()
    year = WholeNumber(required=True, validate=validate.Range(min=2000, max=2100))
    quarter = WholeNumber(required=True, validate=validate.Range(min=1, max=4))
    format = _format()
    publication = _publication()
