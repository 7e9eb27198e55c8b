"""The agenda as one reader may see it: the single filter behind the page, the API and every
download (PDF, CSV, XLSX).

Each item's case goes through the sharing engine (``Sharing.disclosures``) with the verb of
the door it leaves by: ``view`` for the page and the JSON API, ``export`` for downloads. An
item the reader's agency may see nothing of is **omitted** rather than shown as "restricted":
an empty line would still say *something* about a case the protocol keeps from them. Items
keep their real position and time slot, so an agency attending for one case arrives on time;
a gap in the numbering is all that shows of a case it may not see.

Before the agenda is published (circulated) only the panel's coordinators and chairs see it;
every other member gets 404, exactly as for a meeting that does not exist, and so does any
agency outside the panel.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.clock import UK
from casework.db import as_uuid
from casework.errors import NotVisible
from casework.meetings import victims
from casework.meetings.models import AgendaItem, CaseAction, Meeting
from casework.panels import kinds as panel_kinds
from casework.panels.kinds import AgendaShown
from casework.panels.models import Panel, PanelMember
from casework.referrals.models import Referral
from casework.roles import CASE_ROLES, MANAGERS
from casework.services import Services

MARKING = "OFFICIAL-SENSITIVE"
VERBS = ("view", "export")


def local_start(meeting: Meeting) -> datetime:
    """Meetings are stored in UTC and shown on the partnership's (UK) clock."""
    return meeting.starts_at.astimezone(UK)


def slot(meeting: Meeting, position: int) -> tuple[datetime, datetime]:
    """Start and end of the ``position``-th item (1-based): review items take a slot too."""
    start = local_start(meeting) + timedelta(minutes=meeting.minutes_per_case * (position - 1))
    return start, start + timedelta(minutes=meeting.minutes_per_case)


def capacity(meeting: Meeting) -> int:
    """How many items fit in the meeting's length."""
    return meeting.length_minutes // max(meeting.minutes_per_case, 1)


def overflow(meeting: Meeting, count: int) -> dict[str, Any]:
    """Whether ``count`` items run past the meeting's end, and by how much."""
    needed = count * meeting.minutes_per_case
    return {
        "over": needed > meeting.length_minutes,
        "needed_minutes": needed,
        "length_minutes": meeting.length_minutes,
        "fits": capacity(meeting),
        "extra_items": max(0, count - capacity(meeting)),
    }


def items_of(svc: Services, meeting: Meeting) -> list[AgendaItem]:
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.lead_id.is_(None))
        .order_by(AgendaItem.position, AgendaItem.added_at)
    )
    return list(svc.session.scalars(stmt))


def is_member(svc: Services, actor: Actor, panel_id: uuid.UUID) -> bool:
    if actor.agency_id is None:
        return False
    return svc.session.get(PanelMember, (panel_id, actor.agency_id)) is not None


def meeting_summary(svc: Services, meeting: Meeting, actor: Actor) -> dict[str, Any]:
    """The meeting's own details: no case data, so shown to every member who may see it."""
    panel = svc.session.get(Panel, meeting.panel_id)
    agency = svc.session.get(Agency, actor.agency_id) if actor.agency_id else None
    start = local_start(meeting)
    end = start + timedelta(minutes=meeting.length_minutes)
    return {
        "id": str(meeting.id),
        "panel_id": str(meeting.panel_id),
        "panel_name": panel.name if panel else "",
        "panel_kind": panel.kind if panel else "",
        "date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "starts_at": meeting.starts_at.isoformat(),
        "length_minutes": meeting.length_minutes,
        "minutes_per_case": meeting.minutes_per_case,
        "status": meeting.status,
        "agenda_status": meeting.agenda_status,
        "agenda_version": meeting.agenda_version,
        "circulated_at": meeting.circulated_at.isoformat() if meeting.circulated_at else None,
        "cutoff_on": meeting.cutoff_on.isoformat() if meeting.cutoff_on else None,
        "circulate_on": meeting.circulate_on.isoformat() if meeting.circulate_on else None,
        "marking": MARKING,
        "recipient_agency": actor.agency_code,
        "recipient_agency_name": agency.name if agency else None,
    }


def readable_meeting(svc: Services, actor: Actor, meeting_id: Any) -> Meeting:
    """The meeting whose agenda ``actor`` may read, or 403/404 (see the module docstring)."""
    require_role(actor, *CASE_ROLES)
    mid = as_uuid(meeting_id)
    meeting = svc.session.get(Meeting, mid) if mid is not None else None
    if meeting is None or not is_member(svc, actor, meeting.panel_id):
        raise NotVisible()
    if meeting.circulated_at is None and not actor.has_any(*MANAGERS):
        raise NotVisible()
    return meeting


def _kind_entries(
    svc: Services, actor: Actor, meeting: Meeting, items: list[AgendaItem], disclosing: dict
) -> AgendaShown:
    """The items the panel's kind shows itself (``casework.panels.kinds``: an offender panel's
    nominals), through the same engine, disclosed and audited by it; none for MARAC."""
    panel = svc.session.get(Panel, meeting.panel_id)
    show = panel_kinds.agenda_hooks(panel.kind).show if panel is not None else None
    return show(svc, actor, items, disclosing) if show is not None else AgendaShown({})


def slot_entry(meeting: Meeting, item: AgendaItem) -> dict[str, Any]:
    start, end = slot(meeting, item.position)
    return {
        "item_id": str(item.id),
        "position": item.position,
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "kind": item.kind,
    }


@action(reads=("referral",))
def agenda_for(
    svc: Services, actor: Actor, meeting_id: Any, verb: str = "view", fmt: str | None = None
) -> dict[str, Any]:
    """``{"meeting": {...}, "items": [...]}`` as CONTRACT.md shows, for ``actor``'s agency.

    Items the agency may see nothing of are omitted (see the module docstring). Each
    disclosed case is audited: ``view`` for reading, ``export`` naming the recipient agency
    for a download (``fmt`` says which).
    """
    if verb not in VERBS:
        raise ValueError(f"unknown agenda verb {verb!r}")
    meeting = readable_meeting(svc, actor, meeting_id)
    items = items_of(svc, meeting)
    action_ids = [i.action_id for i in items if i.action_id is not None]
    actions = (
        {
            a.id: a
            for a in svc.session.scalars(select(CaseAction).where(CaseAction.id.in_(action_ids)))
        }
        if action_ids
        else {}
    )
    joined = {
        lead: [r.referral_id for r in rows if r.referral_id is not None]
        for lead, rows in victims.joined_rows(svc, meeting.id).items()
    }
    referral_ids = {i.referral_id for i in items if i.referral_id is not None}
    referral_ids |= {a.referral_id for a in actions.values() if a.referral_id is not None}
    referral_ids |= {rid for rows in joined.values() for rid in rows}
    referrals = (
        {
            r.id: r
            for r in svc.session.scalars(select(Referral).where(Referral.id.in_(referral_ids)))
        }
        if referral_ids
        else {}
    )
    exporting = verb == "export"
    disclosing: dict[str, Any] = {
        "verb": verb,
        "audit_as": "export" if exporting else "view",
        "recipient": actor.agency_code if exporting else None,
        "purpose": f"meeting agenda ({fmt or 'json'})" if exporting else None,
    }
    # Only the cases items show are disclosed; a joined referral is named by id, if visible.
    ref_fields = svc.sharing.fields_for(svc.session, actor, verb, list(referrals.values()))
    on_items = {
        i.referral_id or getattr(actions.get(i.action_id), "referral_id", None) for i in items
    }
    shown_refs = {
        d.record.id: d
        for d in svc.sharing.disclosures(
            svc.session,
            actor,
            Referral,
            [r for rid, r in referrals.items() if rid in on_items],
            **disclosing,
        )
    }
    shown_acts = {
        d.record.id: d
        for d in svc.sharing.disclosures(
            svc.session, actor, CaseAction, list(actions.values()), **disclosing
        )
    }
    by_kind = _kind_entries(svc, actor, meeting, items, disclosing)
    disclosed = [*shown_refs.values(), *shown_acts.values(), *by_kind.disclosed]
    out = []
    for item in items:
        if item.id in by_kind.entries:
            own = by_kind.entries[item.id]
            if own is not None:  # else nothing of it may be shown to this agency: omitted
                out.append({**slot_entry(meeting, item), **own})
            continue
        act = actions.get(item.action_id) if item.action_id else None
        rid = item.referral_id or (act.referral_id if act is not None else None)
        case = shown_refs.get(rid) if rid else None
        act_shown = shown_acts.get(act.id) if act is not None else None
        if case is None and act_shown is None:
            continue  # nothing of this case may be shown to this agency: omit the line
        entry = {**slot_entry(meeting, item), "referral_id": str(rid) if rid else None}
        if item.kind == "referral" and rid is not None:
            # One item per victim: the lead and the referrals heard with it that this agency
            # may see (ids only; their details are on each referral's own page).
            others = [r for r in joined.get(item.id, []) if ref_fields.get(r)]
            entry["referral_ids"] = [str(rid), *(str(r) for r in others)]
        if item.kind == "review" and act is not None:
            entry["action_id"] = str(act.id)
        if case is not None:
            entry.update({k: v for k, v in case.data.items() if k != "id"})  # named referral_id
        if act_shown is not None:
            entry["action"] = act_shown.data
        out.append(entry)
    if exporting:
        # The download as a whole leaves the service for the caller's agency (s.62 DPA 2018):
        # one disclosure naming the recipient, beside the per-case export entries.
        names = set().union(*(d.fields for d in disclosed))
        audit.record(
            svc.session,
            actor,
            "disclose",
            "agenda",
            meeting.id,
            names,
            disclosing["recipient"],
            disclosing["purpose"],
        )
    return {"meeting": meeting_summary(svc, meeting, actor), "items": out}
