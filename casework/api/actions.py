"""API: actions agreed at meetings (CONTRACT.md, The meeting cycle).

Each view calls the action the pages call (``casework.meetings.minutes``, ``tracking`` and
``action_changes``), so the rules, the sharing check and the audit are the same whichever door
is used. Every answer is the action's new state as the caller may see it, with its history of
corrections and deletion. ``DELETE /actions/{id}`` answers 200 with that state (status
``deleted``, the reason and the history) rather than 204: the action is kept, not erased, and
its owner goes on seeing it.
"""

from __future__ import annotations

from typing import Any

from flask import request

from casework.api.answer_schemas import ActionStateOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body, query_of
from casework.http import current_actor, services
from casework.meetings import action_changes, minutes, tracking
from casework.meetings.action_changes import ActionCorrectionIn, ActionDeleteIn
from casework.meetings.action_schemas import (
    ActionCreateIn,
    ActionQuery,
    CompleteIn,
    NotDoneIn,
)
from casework.roles import CASE_ROLES, MANAGERS

TAG = "actions"
POLICY = ("action", "referral")  # an action shows its case's reference and name


def _state(act: Any) -> dict[str, Any]:
    """What the change left, as the caller now sees it (one more audited read)."""
    return tracking.get_action(services(), current_actor(), act.id)


@blueprint.post("/meetings/<meeting_id>/actions")
@endpoint(
    summary="Agree an action for a case (referral_id), a person (nominal_id) or a case of the "
    "panel kind's own (case_id, an ASB case) on the meeting's agenda: what, which member "
    "agency owns it, due when (today or later)",
    tag=TAG,
    policy=("action", "referral", "nominal", "youth_record", "case"),
    body=ActionCreateIn,
    response=ActionStateOut,
    status=201,
    roles=MANAGERS,
    location="/api/v1/actions/{id}",
)
def agree_action(meeting_id: str) -> Any:
    act = minutes.agree_action(services(), current_actor(), meeting_id, json_body())
    return _state(act), 201


@blueprint.get("/actions")
@endpoint(
    summary="The caller's agency's actions; a coordinator's or chair's also every action of "
    "their panels. Soonest due first",
    tag=TAG,
    policy=POLICY,
    response=ActionStateOut,
    many=True,
    roles=CASE_ROLES,
    query=query_of(
        ActionQuery,
        {
            "status": "open, done, not_done or deleted",
            "overdue": "true: open and past their due date; false: the others",
            "meeting_id": "only actions agreed at this meeting",
        },
    ),
)
def list_actions() -> Any:
    return tracking.list_actions(services(), current_actor(), request.args.to_dict())


@blueprint.get("/actions/<action_id>")
@endpoint(
    summary="One action as the caller may see it, with its corrections and deletion",
    tag=TAG,
    policy=POLICY,
    response=ActionStateOut,
    roles=CASE_ROLES,
)
def get_action(action_id: str) -> Any:
    return tracking.get_action(services(), current_actor(), action_id)


@blueprint.patch("/actions/<action_id>")
@endpoint(
    summary="Correct an open action's description, owner_agency or due_on (chair, "
    "coordinator); the owner, and an agency it is moved from, see the change",
    tag=TAG,
    policy=POLICY,
    body=ActionCorrectionIn,
    response=ActionStateOut,
    roles=MANAGERS,
)
def correct_action(action_id: str) -> Any:
    act = action_changes.correct_action(services(), current_actor(), action_id, json_body())
    return _state(act)


@blueprint.delete("/actions/<action_id>")
@endpoint(
    summary="Delete an open action with a reason (chair, coordinator). Answers 200 with the "
    "action, now deleted: it is kept, and its owner sees it was deleted and why",
    tag=TAG,
    policy=POLICY,
    body=ActionDeleteIn,
    response=ActionStateOut,
    roles=MANAGERS,
)
def delete_action(action_id: str) -> Any:
    act = action_changes.delete_action(services(), current_actor(), action_id, json_body())
    return _state(act)


@blueprint.post("/actions/<action_id>/complete")
@endpoint(
    summary="Record that the caller's agency did the action, with the outcome",
    tag=TAG,
    policy=POLICY,
    body=CompleteIn,
    response=ActionStateOut,
    roles=CASE_ROLES,
)
def complete_action(action_id: str) -> Any:
    act = tracking.complete_action(services(), current_actor(), action_id, json_body())
    return _state(act)


@blueprint.post("/actions/<action_id>/not-done")
@endpoint(
    summary="Record that the caller's agency's action was not done: circumstances_changed "
    "or agency_did_not_act, with an explanation",
    tag=TAG,
    policy=POLICY,
    body=NotDoneIn,
    response=ActionStateOut,
    roles=CASE_ROLES,
)
def action_not_done(action_id: str) -> Any:
    act = tracking.action_not_done(services(), current_actor(), action_id, json_body())
    return _state(act)
