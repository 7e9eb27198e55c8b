"""What a search accepts: a name, reference or PNC number, and optionally a date of birth."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates

from casework.schemas import IsoDate, StrictSchema, Text

# The query is kept sealed in the search's audit entry, whose purpose column holds 200
# characters: 90 bytes of text, a date of birth and the envelope fit (casework.search.audit).
MAX_QUERY_BYTES = 90


class SearchQuery(StrictSchema):
    q = Text(max_length=MAX_QUERY_BYTES)
    date_of_birth = IsoDate(load_default=None)

    @validates("q")
    def _short(self, value: str, **_: Any) -> None:
        if len(value.encode("utf-8")) > MAX_QUERY_BYTES:
            raise ValidationError(f"Type at most {MAX_QUERY_BYTES} letters")
