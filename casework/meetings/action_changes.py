"""Correcting a mistyped action, and deleting one with a reason.

Actions are agreed in the heat of a meeting, and a wrong agency or a due date a year out is
easy to type. The panel's chair or coordinator may put it right while the action is open, at
any time (closing the meeting fixes the minutes, not the work that follows from them). Nothing
is overwritten silently: each correction or deletion is an ``ActionChange`` row saying what
changed, from what to what, when and by whom (values encrypted), and the owning agency sees it
where it sees the action. An action moved to another agency stays visible to the agency it was
moved from (``casework.meetings.policies``), so both read the correction.

A deleted action keeps its row, with status ``deleted``: the owner sees that it was deleted
and why instead of it vanishing. Everything that gathers work to do reads ``status == "open"``
(the agency's list, overdue reminders, the draft agenda's review items), so a deleted action
leaves them all; a review item already on a later, still scheduled agenda is taken off it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from marshmallow import validate
from sqlalchemy import select

from casework import clock
from casework.accounts.models import User
from casework.actors import Actor
from casework.agencies.actions import codes_of
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Invalid
from casework.meetings import agenda, minutes_signoff
from casework.meetings.meeting_access import member_meeting, panel_agencies
from casework.meetings.models import ActionChange, AgendaItem, CaseAction, Meeting
from casework.roles import MANAGERS
from casework.schemas import IsoDate, PlainString, StrictSchema, TrimmedString, load, parse_date
from casework.services import Services

# The action's fields as the protocol names them (``due_date``) and as forms send them.
FIELD_NAMES = {"description": "description", "owner_agency": "owner_agency", "due_on": "due_date"}
NOTHING_CHANGED = "Change the action, the agency that owns it or the due date"
REASON_MISSING = "Enter why the action is being deleted"


def _due(value: Any) -> date | None:
    return parse_date(value)  # the one date type: nothing outside 1900-2100 is a due date


def action_errors(
    svc: Services, meeting: Meeting, data: Any, errors: dict[str, list[str]], values: dict
) -> dict[str, list[str]]:
    """The owner must be a member agency of the meeting's panel and the due date today or
    later: added to ``errors`` (the schema's), so every problem is reported at once."""
    members = {a.code for a in panel_agencies(svc, meeting)}
    code = data.get("owner_agency") if isinstance(data, dict) else None
    if code and "owner_agency" not in errors and code not in members:
        errors["owner_agency"] = ["Select an agency on the panel"]
    due = values.get("due_on") or (_due(data.get("due_on")) if isinstance(data, dict) else None)
    if due is not None and "due_on" not in errors and due < clock.today():
        errors["due_on"] = ["The due date must be today or in the future"]
    return errors


class ActionCorrectionIn(StrictSchema):
    """Any of the three; what is not sent stays as it is."""

    description = TrimmedString(
        validate=[
            validate.Length(min=1, error="Enter what the action is"),
            validate.Length(max=2000, error="The action must be 2,000 characters or fewer"),
        ],
        multiline=True,
    )
    owner_agency = PlainString(required=False)
    due_on = IsoDate(
        required=False,
        error_messages={"invalid": "Due date must be a real date, for example 27 3 2027"},
    )


class ActionDeleteIn(StrictSchema):
    reason = TrimmedString(
        required=True,
        validate=[
            validate.Length(min=1, error=REASON_MISSING),
            validate.Length(max=2000, error="The reason must be 2,000 characters or fewer"),
        ],
        error_messages={"required": REASON_MISSING, "null": REASON_MISSING},
        multiline=True,
    )


def managed_action(svc: Services, actor: Actor, action_id: Any) -> tuple[CaseAction, Meeting]:
    """An action the caller may correct: 403 for roles other than chair and coordinator, 404
    for an action they may not change (another panel's, or none), locked for the change."""
    require_role(actor, *MANAGERS)
    act, _ = svc.sharing.get(svc.session, actor, CaseAction, as_uuid(action_id), verb="edit")
    meeting = member_meeting(svc, actor, act.meeting_id, *MANAGERS)
    return act, meeting


def _lock_open(svc: Services, act: CaseAction) -> None:
    """Only an open action is corrected or deleted: once its agency has recorded an outcome
    it is what happened, and a page left open meanwhile learns so."""
    svc.session.flush()
    svc.session.refresh(act, with_for_update=True)
    if act.status != "open":
        word = {"done": "done", "not_done": "not done", "deleted": "deleted"}[act.status]
        raise Invalid(
            {"_schema": [f"This action is already {word}: it can no longer be changed"]},
            message=f"This action is already {word}, so it can no longer be changed.",
            code="already_updated",
        )


def _typed_values(act: CaseAction, codes: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "description": act.description,
        "owner_agency": codes.get(act.owner_agency_id),
        "due_date": act.due_on.isoformat(),
    }


@action(changes=("action",))
def correct_action(svc: Services, actor: Actor, action_id: Any, data: Any) -> CaseAction:
    """Correct an open action's description, owner agency or due date (any of them). A new
    due date must be today or later; a due date left as it was may already have passed.
    Every problem is reported at once; sending nothing different is itself a problem."""
    act, meeting = managed_action(svc, actor, action_id)
    _lock_open(svc, act)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values = load(ActionCorrectionIn(), data)
    except Invalid as exc:
        errors = exc.fields
    raw = dict(data) if isinstance(data, dict) else {}
    if (values.get("due_on") or _due(raw.get("due_on"))) == act.due_on:
        raw.pop("due_on", None)  # left as it was: it may have passed since
    errors = action_errors(svc, meeting, raw, errors, {k: values[k] for k in raw if k in values})
    if errors:
        raise Invalid(errors)
    agencies = {a.code: a.id for a in panel_agencies(svc, meeting)}
    owner = agencies.get(values["owner_agency"]) if "owner_agency" in values else None
    wanted = {
        "description": values.get("description", act.description),
        "owner_agency_id": owner or act.owner_agency_id,
        "due_on": values.get("due_on", act.due_on),
    }
    attrs = {"description": "description", "owner_agency": "owner_agency_id", "due_on": "due_on"}
    changed = [name for name, attr in attrs.items() if wanted[attr] != getattr(act, attr)]
    if not changed:
        raise Invalid({"_schema": [NOTHING_CHANGED]}, message=NOTHING_CHANGED, code="no_change")
    codes = codes_of(svc, (act.owner_agency_id, wanted["owner_agency_id"]))
    before = _typed_values(act, codes)
    moved_from = act.owner_agency_id if "owner_agency" in changed else None
    act.description = wanted["description"]
    act.owner_agency_id = wanted["owner_agency_id"]
    act.due_on = wanted["due_on"]
    if "owner_agency" in changed or "due_on" in changed:
        act.last_reminded_on = None  # a new owner or due date starts its reminders afresh
    after = _typed_values(act, codes)
    names = [FIELD_NAMES[n] for n in changed]
    change = ActionChange(
        action_id=act.id,
        kind="corrected",
        fields=names,
        owner_before_id=moved_from,
        changed_by_id=actor.user_id,
    )
    change.before = {n: before[n] for n in names}
    change.after = {n: after[n] for n in names}
    svc.session.add(change)
    svc.session.flush()
    audit.record(svc.session, actor, "update", "action", act.id, names)
    minutes_signoff.note_change(svc, actor, meeting)  # after approval: the next version
    return act


@action(changes=("action",))
def delete_action(svc: Services, actor: Actor, action_id: Any, data: Any) -> CaseAction:
    """Delete an open action, with the reason (required, encrypted). The row stays, marked
    deleted, so its owner is told rather than finding it gone (module docstring)."""
    act, meeting = managed_action(svc, actor, action_id)
    _lock_open(svc, act)
    values = load(ActionDeleteIn(), data)
    act.status = "deleted"
    change = ActionChange(
        action_id=act.id, kind="deleted", fields=["status"], changed_by_id=actor.user_id
    )
    change.before, change.after = {"status": "open"}, {"status": "deleted"}
    change.reason = values["reason"]
    svc.session.add(change)
    svc.session.flush()
    audit.record(svc.session, actor, "update", "action", act.id, ["status", "deletion_reason"])
    _off_later_agendas(svc, actor, act)
    minutes_signoff.note_change(svc, actor, meeting)
    return act


def _off_later_agendas(svc: Services, actor: Actor, act: CaseAction) -> None:
    """Take the action's review items off agendas of meetings still to be held."""
    stmt = (
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.action_id == act.id, Meeting.status == "scheduled")
    )
    for item in list(svc.session.scalars(stmt)):
        meeting = svc.session.get(Meeting, item.meeting_id)
        assert meeting is not None  # a foreign key
        agenda.take_off(svc, actor, meeting, item)


def history_of(svc: Services, action_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Each action's corrections and deletion, oldest first."""
    ids = list(action_ids)
    out: dict[uuid.UUID, list[ActionChange]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(ActionChange)
        .where(ActionChange.action_id.in_(ids))
        .order_by(ActionChange.changed_at, ActionChange.id)
    )
    for change in svc.session.scalars(stmt):
        out[change.action_id].append(change)
    return out


def changers(svc: Services, changes: Iterable[ActionChange]) -> dict[uuid.UUID, tuple[str, str]]:
    """Who made each change: a member of staff's name and agency (not case data)."""
    ids = {c.changed_by_id for c in changes if c.changed_by_id}
    if not ids:
        return {}
    users = list(svc.session.scalars(select(User).where(User.id.in_(ids))))
    codes = codes_of(svc, (u.agency_id for u in users))
    return {u.id: (u.name, codes.get(u.agency_id) or "") for u in users}


def history_view(
    change: ActionChange, fields: frozenset[str], who: dict[uuid.UUID, tuple[str, str]]
) -> dict[str, Any]:
    """One change as a reader granted ``fields`` of the action may see it: the values of a
    field it may not see are left out (the field's name still says something changed);
    a deletion's reason travels with ``status``, as ``not_done_reason`` does."""
    name, agency = who.get(change.changed_by_id, ("", "")) if change.changed_by_id else ("", "")
    before, after = change.before or {}, change.after or {}
    return {
        "at": change.changed_at.isoformat(),
        "kind": change.kind,
        "by": name or None,
        "by_agency": agency or None,
        "changes": [
            {"field": f, **({"from": before.get(f), "to": after.get(f)} if f in fields else {})}
            for f in change.fields
        ],
        **({"reason": change.reason} if change.kind == "deleted" and "status" in fields else {}),
    }
