"""API: panels and their meetings (CONTRACT.md, Panels; Meetings and agendas)."""

from __future__ import annotations

from typing import Any

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.meetings import schedule
from casework.panels import actions as panels
from casework.panels.schemas import (
    CancelledOut,
    MeetingOut,
    MoveMeetingIn,
    PanelIn,
    PanelOut,
    PanelUpdate,
)
from casework.roles import MANAGERS, PANEL_EDITORS


@blueprint.post("/panels")
@endpoint(
    policy=(),
    summary="Create a panel (its next three meetings are scheduled at once)",
    tag="panels",
    body=PanelIn,
    response=PanelOut,
    status=201,
    roles=PANEL_EDITORS,
)
def create_panel() -> Any:
    return PanelOut().dump(panels.create_panel(services(), current_actor(), json_body())), 201


@blueprint.get("/panels")
@endpoint(
    policy=(),
    summary="Panels the caller's agency is a member of",
    tag="panels",
    response=PanelOut,
    many=True,
)
def list_panels() -> Any:
    return PanelOut(many=True).dump(panels.list_panels(services(), current_actor()))


@blueprint.get("/panels/<panel_id>")
@endpoint(
    policy=(),
    summary="A panel the caller's agency is a member of",
    tag="panels",
    response=PanelOut,
)
def get_panel(panel_id: str) -> Any:
    return PanelOut().dump(panels.get_panel(services(), current_actor(), panel_id))


@blueprint.patch("/panels/<panel_id>")
@endpoint(
    policy=(),
    summary="Change a panel's settings or member agencies; future meetings follow",
    tag="panels",
    body=PanelUpdate,
    response=PanelOut,
    roles=PANEL_EDITORS,
)
def update_panel(panel_id: str) -> Any:
    return PanelOut().dump(panels.update_panel(services(), current_actor(), panel_id, json_body()))


@blueprint.get("/panels/<panel_id>/meetings")
@endpoint(
    policy=(),
    summary="A panel's meetings, oldest first (member agencies only)",
    tag="meetings",
    response=MeetingOut,
    many=True,
)
def list_meetings(panel_id: str) -> Any:
    _, meetings = schedule.panel_meetings(services(), current_actor(), panel_id)
    return [schedule.meeting_row(m) for m in meetings]


@blueprint.post("/meetings/<meeting_id>/move")
@endpoint(
    policy=(),
    summary="Move a scheduled meeting to a new date and time (UK time); deadlines follow",
    tag="meetings",
    body=MoveMeetingIn,
    response=MeetingOut,
    roles=MANAGERS,
)
def move_meeting(meeting_id: str) -> Any:
    moved = schedule.move_meeting(services(), current_actor(), meeting_id, json_body())
    return schedule.meeting_row(moved)


@blueprint.post("/meetings/<meeting_id>/cancel")
@endpoint(
    policy=(),
    summary="Cancel a scheduled meeting; its agenda items move to the next meeting",
    tag="meetings",
    response=CancelledOut,
    roles=MANAGERS,
)
def cancel_meeting(meeting_id: str) -> Any:
    done = schedule.cancel_meeting(services(), current_actor(), meeting_id)
    moved_to = None if done.moved_to is None else str(done.moved_to.id)
    return {**schedule.meeting_row(done.meeting), "items_moved_to": moved_to}
