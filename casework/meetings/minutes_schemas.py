"""What the minutes' header accepts and how the sign-off answers (CONTRACT.md, Minutes).

The header is what the SafeLives checklist asks of the minutes beyond the cases: where the
meeting was held, who chaired it and who observed. Names are staff names, sealed when stored.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casework.schemas import PlainString, StrictSchema, Text

MAX_OBSERVERS = 30


class MinutesHeaderIn(StrictSchema):
    venue = Text(max_length=200, error_messages={"required": "Enter where the meeting was held"})
    chair = Text(max_length=200, required=False, allow_none=True)
    observers = fields.List(
        Text(max_length=200),
        load_default=list,
        validate=validate.Length(
            max=MAX_OBSERVERS, error=f"List at most {MAX_OBSERVERS} observers"
        ),
    )


class MinutesHeaderOut(Schema):
    meeting_id = fields.String()
    date = fields.String()
    venue = fields.String(allow_none=True)
    chair = fields.String(allow_none=True)
    observers = fields.List(fields.String())
    status = fields.String(metadata={"description": "draft or approved"})
    version = fields.Integer(metadata={"description": "the latest version made; 0 for none"})
    approved_version = fields.Integer(
        metadata={"description": "the latest version approved and circulated; 0 for none"}
    )
    minutes_due_on = fields.String(allow_none=True)
    overdue = fields.Boolean()


class MinutesApprovedOut(MinutesHeaderOut):
    circulated_to = fields.List(
        fields.String(), metadata={"description": "codes of the agencies recorded present"}
    )
    emails = fields.Integer(metadata={"description": "e-mails queued (links only)"})


class MinutesVersionOut(Schema):
    version = fields.Integer()
    status = fields.String()
    fields_changed = fields.List(
        fields.String(), data_key="fields", metadata={"description": "names only, no values"}
    )
    created_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)


class MinutesVersionsOut(Schema):
    meeting_id = fields.String()
    versions = fields.List(fields.Nested(MinutesVersionOut))


MINUTES_FORMAT = PlainString(
    validate=validate.OneOf(("json", "pdf")),
    metadata={
        "description": "pdf to download the latest approved version as your agency receives "
        "it; JSON (the header) when absent or empty",
        "empty_is_absent": True,
    },
)
