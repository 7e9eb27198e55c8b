"""API: closing a meeting and reopening it (CONTRACT.md, The meeting cycle).

The same actions as the closing and reopening pages, with the same rules: not before the
meeting's start time (409 ``meeting_not_started``), reopening with a reason within five
working days of the first closing (409 ``reopen_window_passed`` after). Each answers the
meeting's new state; no case is named.
"""

from __future__ import annotations

from typing import Any

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.meetings import closing
from casework.meetings.closing_schemas import MeetingClosedOut, MeetingReopenedOut, ReopenIn
from casework.roles import MANAGERS


@blueprint.post("/meetings/<meeting_id>/close")
@endpoint(
    summary="Close a meeting that has started: its new cases are marked heard and its record "
    "becomes read-only (409 meeting_not_started before its start time)",
    tag="meetings",
    policy=("referral",),  # the answer is the meeting's state: no minutes
    response=MeetingClosedOut,
    roles=MANAGERS,
    errors=(409,),
)
def close_meeting(meeting_id: str) -> Any:
    return closing.close(services(), current_actor(), meeting_id)


@blueprint.post("/meetings/<meeting_id>/reopen")
@endpoint(
    summary="Reopen a closed meeting for corrections, with a reason, within five working days "
    "of its first closing: its heard cases go back to listed until it is closed again",
    tag="meetings",
    policy=(),
    body=ReopenIn,
    response=MeetingReopenedOut,
    roles=MANAGERS,
    errors=(409,),
)
def reopen_meeting(meeting_id: str) -> Any:
    return closing.reopen_meeting(services(), current_actor(), meeting_id, json_body())
