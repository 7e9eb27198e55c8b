"""What the audit log may be searched by, and the columns of its CSV download.

Messages name the field as the page labels it, so the same errors serve the GOV.UK error
summary and the API's ``fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from casework.audit.models import AUDIT_ACTIONS
from casework.schemas import StrictSchema, TrimmedString

FILTER_NAMES = ("record", "user", "agency", "action", "date_from", "date_to")


def _date(label: str) -> fields.Date:
    return fields.Date(
        error_messages={"invalid": f"{label} must be a real date, for example 27 3 2026"}
    )


class AuditFilters(StrictSchema):
    record = TrimmedString(
        validate=validate.Length(min=1, max=64, error="Record ID must be 64 characters or fewer")
    )
    user = TrimmedString(
        validate=validate.Length(min=1, max=254, error="User must be 254 characters or fewer")
    )
    agency = TrimmedString(
        validate=validate.Regexp(
            r"^[A-Z0-9][A-Z0-9_-]{1,15}$", error="Agency must be an agency code, such as POL"
        )
    )
    action = fields.String(
        validate=validate.OneOf(AUDIT_ACTIONS, error="Choose an action from the list")
    )
    date_from = _date("Date from")
    date_to = _date("Date to")
    # The moment the first page of results was read: later pages and the CSV download show
    # the same entries even though reading the log keeps adding to it.
    as_of = fields.AwareDateTime(
        default_timezone=UTC,
        error_messages={"invalid": "Search again: this link's time stamp is not valid"},
    )

    @pre_load
    def _codes_in_capitals(self, data: Any, **_kw: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("agency"), str):
            data = {**data, "agency": data["agency"].strip().upper()}
        return data

    @validates_schema
    def _range(self, data: dict[str, Any], **_kw: Any) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError("Date to must be the same as or after date from", "date_to")


EXPORT_HEADER = (
    "time (UTC)",
    "user",
    "user id",
    "agency",
    "roles",
    "action",
    "record type",
    "record id",
    "fields",
    "recipient agency",
    "purpose",
    "via",
    "sequence",
)


def export_row(entry: Any) -> tuple[object, ...]:
    """One CSV row, in ``EXPORT_HEADER`` order; ``safe_cell`` escapes it on the way out."""
    return (
        entry.at.strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_email,
        entry.actor_user_id,
        entry.agency_code,
        entry.roles,
        entry.action,
        entry.record_type,
        entry.record_id,
        " ".join(entry.fields or []),
        entry.recipient_agency,
        entry.purpose,
        entry.via,
        entry.seq,
    )
