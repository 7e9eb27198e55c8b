"""API: the meeting cycle (CONTRACT.md, The meeting cycle), from acceptance to minutes.

Thin on purpose: each view calls the action the pages call (``casework.meetings.cycle`` adds
only what a JSON client needs beyond a form), so rules, sharing and audit cannot drift apart.
Each answer is the new state of what changed.
"""

from __future__ import annotations

from typing import Any

from casework.api.answer_schemas import AgendaOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body, no_content
from casework.http import current_actor, services
from casework.meetings import agenda, cycle, minutes
from casework.meetings.agenda_view import agenda_for
from casework.meetings.cycle_schemas import (
    AcceptedOut,
    AcceptManyIn,
    AgendaEntryIn,
    AttendanceOut,
    AttendanceRowIn,
    ItemOut,
    MinuteOut,
    MinuteTextIn,
    PositionIn,
    PublishedOut,
    ResearchIn,
    ResearchOut,
)
from casework.roles import CASE_ROLES, MANAGERS

TAG = "meeting cycle"
ITEM = "/meetings/<meeting_id>/agenda/items/<item_id>"


@blueprint.post("/referrals/accept")
@endpoint(
    summary="Accept several submitted referrals at once (all or none), optionally listing "
    'them on each panel\'s next scheduled meeting ("next") or on a given meeting',
    tag=TAG,
    policy=("referral",),
    body=AcceptManyIn,
    response=AcceptedOut,
    roles=MANAGERS,
)
def accept_referrals() -> Any:
    return cycle.accept_referrals(services(), current_actor(), json_body())


@blueprint.post("/meetings/<meeting_id>/agenda/draft")
@endpoint(
    summary="Build or refresh the draft agenda now, whatever the cut-off; answers the agenda",
    tag=TAG,
    policy=("referral",),
    response=AgendaOut,
    roles=MANAGERS,
)
def build_draft(meeting_id: str) -> Any:
    svc, actor = services(), current_actor()
    agenda.build_agenda(svc, actor, meeting_id)
    return agenda_for(svc, actor, meeting_id)


@blueprint.post("/meetings/<meeting_id>/agenda/items")
@endpoint(
    summary="List an accepted referral of the panel on the agenda (nominals are not listed by "
    "hand: 422)",
    tag=TAG,
    policy=("referral",),
    body=AgendaEntryIn,
    response=ItemOut,
    status=201,
    roles=MANAGERS,
    location="/api/v1/meetings/{meeting_id}/agenda/items/{item_id}",
)
def add_item(meeting_id: str) -> Any:
    return cycle.add_entry(services(), current_actor(), meeting_id, json_body()), 201


@blueprint.patch(ITEM)
@endpoint(
    summary="Move an agenda item to a position (1 is first); the others close up",
    tag=TAG,
    policy=("referral",),
    body=PositionIn,
    response=ItemOut,
    roles=MANAGERS,
)
def move_item(meeting_id: str, item_id: str) -> Any:
    return cycle.place_item(services(), current_actor(), meeting_id, item_id, json_body())


@blueprint.delete(ITEM)
@endpoint(
    summary="Take an item off the agenda; its referral is accepted again, ready to list",
    tag=TAG,
    policy=("referral",),
    status=204,
    roles=MANAGERS,
)
def remove_item(meeting_id: str, item_id: str) -> Any:
    cycle.drop_item(services(), current_actor(), meeting_id, item_id)
    return no_content()


@blueprint.post("/meetings/<meeting_id>/agenda/publish")
@endpoint(
    summary="Publish the agenda (or its changes as a new version) and notify member agencies",
    tag=TAG,
    policy=("referral",),
    response=PublishedOut,
    roles=MANAGERS,
)
def publish(meeting_id: str) -> Any:
    return cycle.version_row(agenda.publish_agenda(services(), current_actor(), meeting_id))


@blueprint.put("/meetings/<meeting_id>/attendance")
@endpoint(
    summary="Replace the meeting's attendance: agencies not listed are absent; each listed "
    "agency's attendees become exactly the names given; acknowledged names those who accepted "
    "the confidentiality statement (left out: each keeps their acknowledgement)",
    tag=TAG,
    policy=("referral", "minute"),
    body=AttendanceRowIn,
    body_many=True,
    response=AttendanceOut,
    roles=MANAGERS,
)
def replace_attendance(meeting_id: str) -> Any:
    return cycle.replace_attendance(services(), current_actor(), meeting_id, json_body())


@blueprint.put("/meetings/<meeting_id>/research/<referral_id>")
@endpoint(
    summary="Create or replace the caller's own agency's research note on a listed case "
    "(a referral, or on a panel listing cases of its own kind, such as ASB, the case's id)",
    tag=TAG,
    policy=("referral", "case", "research_note"),
    body=ResearchIn,
    response=ResearchOut,
    roles=CASE_ROLES,
)
def save_research(meeting_id: str, referral_id: str) -> Any:
    svc, actor = services(), current_actor()
    return cycle.save_research(svc, actor, meeting_id, referral_id, json_body())


@blueprint.put("/meetings/<meeting_id>/minutes/<referral_id>")
@endpoint(
    summary="Write or replace the minutes of one case (once attendance is taken and "
    "acknowledged): a referral, or on a panel listing cases of its own kind the case's id",
    tag=TAG,
    policy=("referral", "case", "minute"),
    body=MinuteTextIn,
    response=MinuteOut,
    roles=MANAGERS,
)
def save_minutes(meeting_id: str, referral_id: str) -> Any:
    svc, actor = services(), current_actor()
    return cycle.minute_row(minutes.save_minute(svc, actor, meeting_id, referral_id, json_body()))
