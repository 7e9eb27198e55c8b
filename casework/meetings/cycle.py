"""The meeting cycle as an agency system drives it (CONTRACT.md, The meeting cycle).

Each function here is an action built from the actions the pages call, so the API keeps the
pages' rules, the sharing filter and the audit: accepting goes through
``lifecycle.accept_referral``, listing through ``agenda.add_item``, ordering through
``agenda.set_order``, attendance through ``conduct.record_attendance``/``add_attendee``,
research through ``research.save_note``. What is added here is only what a JSON client
needs beyond a form: several referrals at once (all or none), a position instead of "one
place up", and the whole attendance of a meeting in one request.

Access is decided first, in the pages' order: 403 for a role that may never do this, 404 for
a meeting or record outside the caller's panels or sharing rights, then 422 for the input.
"""

from __future__ import annotations

import uuid
from typing import Any

from casework import clock
from casework.actors import Actor
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Invalid, NotVisible
from casework.meetings import agenda, conduct, research
from casework.meetings.agenda_view import items_of, slot_entry
from casework.meetings.cycle_schemas import (
    AcceptManyIn,
    AgendaEntryIn,
    AttendanceRowIn,
    PositionIn,
    ResearchIn,
)
from casework.meetings.meeting_access import panel_agencies, require_manage_items
from casework.meetings.models import AgendaItem, AgendaVersion, Meeting, Minute, ResearchNote
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.roles import MANAGERS
from casework.schemas import load
from casework.services import Services

NOMINAL_BY_HAND = (
    "A nominal cannot be added to an agenda by hand: offender panels' candidates and "
    "classification reviews are added when the draft is built (POST .../agenda/draft)"
)


def item_row(meeting: Meeting, item: AgendaItem) -> dict[str, Any]:
    """An agenda line without case data: the manager can always see where it sits."""
    return {
        **slot_entry(meeting, item),
        "meeting_id": str(meeting.id),
        "referral_id": str(item.referral_id) if item.referral_id else None,
        "nominal_id": str(item.nominal_id) if item.nominal_id else None,
        "action_id": str(item.action_id) if item.action_id else None,
        "case_type": item.case_type,
        "case_id": str(item.case_id) if item.case_id else None,
    }


def _item_on(svc: Services, meeting: Meeting, item_id: Any) -> AgendaItem:
    """An item named in the URL: one not on this meeting's agenda is 404, like any address
    that leads nowhere (the pages' forms say "stale" instead, as they listed it)."""
    iid = as_uuid(item_id)
    item = svc.session.get(AgendaItem, iid) if iid is not None else None
    if item is None or item.meeting_id != meeting.id or item.lead_id is not None:
        raise NotVisible()  # a joined row is part of its lead's item, not an item itself
    return item


# --- accepting several referrals ------------------------------------------------------------


def _targets(
    svc: Services,
    actor: Actor,
    list_at: str | None,
    chosen: list[tuple[int, Referral]],
    errors: dict[str, list[str]],
) -> dict[uuid.UUID, Meeting]:
    """Where each referral is to be listed (none without ``list_at``); problems go into
    ``errors`` so one answer names them all."""
    if list_at is None:
        return {}
    if list_at == "next":
        meetings: dict[uuid.UUID, Meeting | None] = {}
        for _, referral in chosen:
            if referral.panel_id not in meetings:
                found = agenda.next_meeting(svc, referral.panel_id, clock.now())
                meetings[referral.panel_id] = (
                    None if found is None else agenda.managed_meeting(svc, actor, found.id)
                )
        if any(m is None for m in meetings.values()):
            errors["list_at"] = ["There is no scheduled meeting ahead to list them at"]
        return {r.id: m for _, r in chosen if (m := meetings[r.panel_id]) is not None}
    if as_uuid(list_at) is None:
        errors["list_at"] = ['Give "next", a meeting id or null']
        return {}
    meeting = agenda.managed_meeting(svc, actor, list_at)  # 404 outside the caller's panels
    if meeting.status != "scheduled":
        errors["list_at"] = [f"That meeting is {meeting.status}: choose a scheduled meeting"]
    for n, referral in chosen:
        if referral.panel_id != meeting.panel_id:
            errors.setdefault(f"ids.{n}", []).append(
                f"Referral {referral.reference} is not for that meeting's panel"
            )
    return {r.id: meeting for _, r in chosen}


def _idvas(
    svc: Services,
    actor: Actor,
    values: dict[str, Any],
    chosen: list[tuple[int, Referral]],
    errors: dict[str, list[str]],
) -> dict[uuid.UUID, uuid.UUID]:
    """The IDVA each referral is to be given (``idvas[N]`` over ``idva``), checked against
    the single-referral page's choices (``lifecycle.idva_choices``) before anything changes,
    so one bad row is named rather than half the selection assigned."""
    overall, each = values["idva"], values["idvas"]
    if each is not None and len(each) != len(values["ids"]):
        errors["idvas"] = ["Give one entry (an IDVA's id or null) for each of ids, in order"]
        each = None
    if overall is None and not any(each or ()):
        return {}
    active = {user.id for user in lifecycle.idva_choices(svc, actor)}
    if overall is not None and overall not in active:
        errors["idva"] = ["Choose an active IDVA"]
    wanted: dict[uuid.UUID, uuid.UUID] = {}
    for n, referral in chosen:
        user_id = (each[n] if each is not None else None) or overall
        if user_id is None:
            continue
        if user_id not in active:
            if each is not None and each[n] is not None:
                errors.setdefault(f"idvas.{n}", []).append(
                    f"Choose an active IDVA for referral {referral.reference}"
                )
            continue
        wanted[referral.id] = user_id
    return wanted


@action(changes=("referral",))
def accept_referrals(svc: Services, actor: Actor, data: Any) -> dict[str, Any]:
    """Accept several submitted referrals, give them IDVAs and list them if asked: all or none.

    Every id is checked before anything changes: one the caller may not see answers 404
    (naming its place in the list, never what it is); every other problem is a 422 naming
    ``ids.N``, ``idva``, ``idvas.N`` or ``list_at``. Only then are they accepted, assigned
    and listed, each through the action the pages use, so each is audited as if done one by
    one (the triage page, ``casework.web.triage``, calls this too).
    """
    require_role(actor, *MANAGERS)
    values = load(AcceptManyIn(), data)
    errors: dict[str, list[str]] = {}
    chosen: list[tuple[int, Referral]] = []
    seen: dict[uuid.UUID, int] = {}
    for n, rid in enumerate(values["ids"]):
        if rid in seen:
            errors[f"ids.{n}"] = [f"The same referral as ids.{seen[rid]}"]
            continue
        seen[rid] = n
        try:
            referral, _ = lifecycle.managed_referral(svc, actor, rid)
        except NotVisible:
            raise NotVisible(f"ids.{n} was not found; nothing was accepted") from None
        chosen.append((n, referral))
        if referral.status != "submitted":
            errors[f"ids.{n}"] = [
                f"Referral {referral.reference} is {referral.status}: only a submitted "
                "referral can be accepted"
            ]
    idvas = _idvas(svc, actor, values, chosen, errors)
    targets = _targets(svc, actor, values["list_at"], chosen, errors)
    if errors:
        raise Invalid(errors, message="Nothing was accepted: correct the fields named")
    accepted = [lifecycle.accept_referral(svc, actor, r.id) for _, r in chosen]
    for n, (_, referral) in enumerate(chosen):
        if referral.id in idvas:
            form = {"user_id": str(idvas[referral.id])}
            accepted[n] = lifecycle.assign_idva(svc, actor, referral.id, form)
    items: dict[uuid.UUID, dict[str, Any]] = {}
    for _, referral in chosen:
        meeting = targets.get(referral.id)
        if meeting is not None:
            item = agenda.add_item(svc, actor, meeting.id, {"referral_id": str(referral.id)})
            items[item.id] = item_row(meeting, item)  # one line per victim once merged
    meeting_ids = list(dict.fromkeys(row["meeting_id"] for row in items.values()))
    return {"accepted": accepted, "items": list(items.values()), "meeting_ids": meeting_ids}


# --- the agenda's lines ---------------------------------------------------------------------


@action(changes=("referral",))
def add_entry(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> dict[str, Any]:
    """List a referral by hand (``agenda.add_item``). Nominals are not listed by hand: see
    ``NOMINAL_BY_HAND``; the request is refused with that reason rather than ignored."""
    meeting = agenda.managed_meeting(svc, actor, meeting_id, lock=False)
    values = load(AgendaEntryIn(), data)
    if values["nominal_id"] is not None:
        raise Invalid({"nominal_id": [NOMINAL_BY_HAND]}, message=NOMINAL_BY_HAND)
    if values["referral_id"] is None:
        raise Invalid({"referral_id": ["Choose an accepted referral"]})
    item = agenda.add_item(svc, actor, meeting.id, {"referral_id": str(values["referral_id"])})
    return item_row(meeting, item)


@action(changes=("referral",))
def place_item(
    svc: Services, actor: Actor, meeting_id: Any, item_id: Any, data: Any
) -> dict[str, Any]:
    """Move one item to ``position`` (1 is first); the others close up in their order."""
    meeting = agenda.managed_meeting(svc, actor, meeting_id, lock=False)
    item = _item_on(svc, meeting, item_id)
    require_manage_items(svc, actor, [item])
    position = load(PositionIn(), data)["position"]
    items = items_of(svc, meeting)
    if position > len(items):
        raise Invalid({"position": [f"Choose a position from 1 to {len(items)}"]})
    order = [i for i in items if i.id != item.id]
    order.insert(position - 1, item)
    if order == items:
        agenda.require_open(meeting)  # nothing to change, but a closed agenda still says so
    else:
        agenda.set_order(svc, actor, meeting.id, {"items": [str(i.id) for i in order]})
    svc.session.flush()  # the same objects were renumbered (one identity map): write them
    return item_row(meeting, item)


@action(changes=("referral",))
def drop_item(svc: Services, actor: Actor, meeting_id: Any, item_id: Any) -> None:
    """Take an item off (``agenda.remove_item``): its referral is accepted again."""
    meeting = agenda.managed_meeting(svc, actor, meeting_id, lock=False)
    item = _item_on(svc, meeting, item_id)
    agenda.remove_item(svc, actor, meeting.id, item.id)


def version_row(version: AgendaVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "meeting_id": str(version.meeting_id),
        "published_at": version.published_at.isoformat(),
        "agenda_status": "published",
        "items": len(version.items or []),
    }


# --- attendance -----------------------------------------------------------------------------


def _wanted_attendance(
    svc: Services, meeting: Meeting, rows: Any
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The body checked row by row (``N.field`` names each problem) against the panel."""
    if not isinstance(rows, list):
        raise Invalid({"_schema": ["Send a JSON array with one entry per agency"]})
    agencies = {a.code: a for a in panel_agencies(svc, meeting)}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(rows):
        try:
            values = load(AttendanceRowIn(), row)
        except Invalid as exc:
            errors.update({f"{n}.{k}": v for k, v in exc.fields.items()})
            continue
        code = values["agency"]
        if code not in agencies:
            errors[f"{n}.agency"] = ["Name an agency on the meeting's panel"]
        elif code in wanted:
            errors[f"{n}.agency"] = [f"{code} is listed twice"]
        elif values["status"] != "present" and values["names"]:
            errors[f"{n}.names"] = [f"Only an agency present has attendees: {code} is not"]
        elif set(values["acknowledged"] or ()) - set(values["names"]):
            errors[f"{n}.acknowledged"] = ["Name only attendees listed in names"]
        else:
            wanted[code] = {**values, "names": list(dict.fromkeys(values["names"]))}
    if not errors and not any(v["status"] == "present" for v in wanted.values()):
        errors["_schema"] = ["Record at least one agency as present"]
    if errors:
        raise Invalid(errors)
    return wanted, agencies


@action
def replace_attendance(svc: Services, actor: Actor, meeting_id: Any, rows: Any) -> dict[str, Any]:
    """The meeting's whole attendance, as a PUT replaces a record.

    A member agency not in ``rows`` is recorded absent. Each listed agency's attendees
    become exactly ``names``: a person already recorded under the same name stays (with
    their acknowledgement of the confidentiality statement), others are removed, new names
    added; ``acknowledged`` names those who have accepted the statement, as the page's
    ticks do. Every change goes through the meeting page's actions and is audited by them.
    """
    meeting = conduct.chair_meeting(svc, actor, meeting_id)
    wanted, agencies = _wanted_attendance(svc, meeting, rows)
    statuses = {f"attendance-{c}": wanted.get(c, {}).get("status", "absent") for c in agencies}
    conduct.record_attendance(svc, actor, meeting.id, statuses)
    codes = {a.id: code for code, a in agencies.items()}
    kept: set[tuple[str, str]] = set()
    for person in conduct.attendees(svc, meeting):
        code = codes.get(person.agency_id, "")
        key = (code, person.name)
        if person.name in wanted.get(code, {}).get("names", []) and key not in kept:
            kept.add(key)
        else:
            conduct.remove_attendee(svc, actor, meeting.id, person.id)
    for code, values in wanted.items():
        for name in values["names"]:
            if (code, name) not in kept:
                conduct.add_attendee(svc, actor, meeting.id, {"name": name, "agency": code})
    ticked = []
    for person in conduct.attendees(svc, meeting):
        said = wanted.get(codes.get(person.agency_id, ""), {}).get("acknowledged")
        if person.name in (said or ()) or (said is None and person.acknowledged_at):
            ticked.append(str(person.id))
    conduct.acknowledge(svc, actor, meeting.id, {"acknowledged": ticked})
    return attendance_state(svc, actor, meeting)


def attendance_state(svc: Services, actor: Actor, meeting: Meeting) -> dict[str, Any]:
    """Every member agency's attendance and attendees (staff names: no case data)."""
    status = conduct.attendance(svc, meeting)
    people = conduct.attendees(svc, meeting)
    rows = []
    for agency in panel_agencies(svc, meeting):
        mine = [p for p in people if p.agency_id == agency.id]
        rows.append(
            {
                "agency": agency.code,
                "status": status.get(agency.id, "absent"),
                "names": [p.name for p in mine],
                "attendees": [
                    {"id": str(p.id), "name": p.name, "acknowledged": p.acknowledged_at is not None}
                    for p in mine
                ],
            }
        )
    return {
        "meeting_id": str(meeting.id),
        "attendance": rows,
        "problems": conduct.readiness(svc, actor, meeting),
    }


# --- research and minutes -------------------------------------------------------------------


def save_research(
    svc: Services, actor: Actor, meeting_id: Any, referral_id: Any, data: Any
) -> dict[str, Any]:
    """The caller's agency's research note on one case, through ``research.save_note`` (which
    decides again, on the row itself, that the note is the caller's agency's own)."""
    meeting = research.research_meeting(svc, actor, meeting_id)  # 403/404 before the body
    values = load(ResearchIn(), data)
    form: dict[str, Any] = {"has_information": "yes" if values["has_information"] else "no"}
    form |= {f: values[f] for f in research.TEXTS if values[f] is not None}
    # PUT replaces the note: left out or null, it is not shared (the agency's own, as before)
    form["shared_before_meeting"] = "yes" if values["shared_before_meeting"] else "no"
    note = research.save_note(svc, actor, meeting.id, referral_id, form)
    return {
        "id": str(note.id),
        "meeting_id": str(meeting.id),
        "referral_id": str(note.referral_id) if note.referral_id else None,
        **_kind_case(note),
        "agency": actor.agency_code,
        "has_information": note.has_information,
        **{f: getattr(note, f) for f in research.TEXTS},
        "shared_before_meeting": note.shared_before_meeting,
        "updated_at": note.updated_at.isoformat() if note.updated_at else None,
    }


def _kind_case(row: Minute | ResearchNote) -> dict[str, Any]:
    """A panel kind's own case the row names (``case_type``, ``case_id``), when it names one."""
    if row.case_id is None:
        return {}
    return {"case_type": row.case_type, "case_id": str(row.case_id)}


def minute_row(minute: Minute) -> dict[str, Any]:
    """What the chair just wrote, as saved."""
    return {
        "id": str(minute.id),
        "meeting_id": str(minute.meeting_id),
        "referral_id": str(minute.referral_id) if minute.referral_id else None,
        **_kind_case(minute),
        "text": minute.text,
        "updated_at": minute.updated_at.isoformat() if minute.updated_at else None,
    }
