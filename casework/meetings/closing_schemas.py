"""What reopening a meeting takes (a reason) and what closing and reopening answer.

The answers are a meeting's row (``schedule.meeting_row``: no case data) with what changed:
how many cases were marked heard or went back to listed, and until when the meeting may be
reopened. They name no case, so a closing tells a client nothing the agenda did not.
"""

from __future__ import annotations

from marshmallow import fields, validate

from casework.panels.schemas import MeetingOut
from casework.schemas import StrictSchema, TrimmedString

REASON_MISSING = "Enter why the meeting is being reopened"


class ReopenIn(StrictSchema):
    reason = TrimmedString(
        required=True,
        validate=[
            validate.Length(min=1, error=REASON_MISSING),
            validate.Length(max=2000, error="The reason must be 2,000 characters or fewer"),
        ],
        error_messages={"required": REASON_MISSING, "null": REASON_MISSING},
        multiline=True,
        metadata={"description": "Why (stored encrypted; never in the audit log)"},
    )


class MeetingClosedOut(MeetingOut):
    closed_at = fields.String(metadata={"description": "ISO 8601 with the UK offset"})
    heard = fields.Integer(metadata={"description": "Referrals this closing marked heard"})
    reopen_until = fields.String(
        metadata={"description": "The last UK day the meeting may be reopened (YYYY-MM-DD)"}
    )


class MeetingReopenedOut(MeetingOut):
    reopened_at = fields.String(metadata={"description": "ISO 8601 with the UK offset"})
    listed_again = fields.Integer(
        metadata={"description": "Referrals that went back from heard to listed"}
    )
    reopen_until = fields.String(
        metadata={"description": "Reopening again is open until this UK day (YYYY-MM-DD)"}
    )
