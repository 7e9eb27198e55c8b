"""Shared checks for the meeting's own pages: research, running the meeting, minutes.

A meeting is reachable only by its panel's member agencies: anyone else gets 404, exactly as
for a meeting that does not exist. What each member then sees of the cases on it is decided
by the sharing engine, never here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select

from casework import clock
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.authz import require_role
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings import victims
from casework.meetings.models import AgendaItem, CaseAction, Meeting
from casework.panels import kinds as panel_kinds
from casework.panels.models import Panel, PanelMember
from casework.referrals.models import Referral
from casework.roles import CASE_ROLES
from casework.services import Services
from casework.sharing.engine import record_type_named

# What the meeting pages show of a case: who it is about and how serious it is, the fields
# member agencies are given to research it. Each page shows this set *as far as the engine
# grants it* to the reader; the referral's own page has the rest for those allowed it.
CASE_SUMMARY_FIELDS = frozenset(
    {
        "victim.first_name",
        "victim.last_name",
        "victim.date_of_birth",
        "victim.gender",
        "perpetrators.first_name",
        "perpetrators.last_name",
        "perpetrators.date_of_birth",
        "perpetrators.relationship_to_victim",
        "children.first_name",
        "children.last_name",
        "children.date_of_birth",
        "risk.dash_score",
        "risk.band",
        "risk.criteria",
        "repeat.is_repeat",
        "repeat.previous_referral_date",
    }
)


def member_meeting(svc: Services, actor: Actor, meeting_id: Any, *roles: str) -> Meeting:
    """The meeting, if the caller has one of ``roles`` (403 otherwise) and their agency is a
    member of its panel (404 otherwise, as for a meeting that does not exist)."""
    require_role(actor, *(roles or CASE_ROLES))
    mid = as_uuid(meeting_id)
    meeting = svc.session.get(Meeting, mid) if mid is not None else None
    if meeting is None or meeting.status == "cancelled" or actor.agency_id is None:
        raise NotVisible()
    member = svc.session.get(PanelMember, (meeting.panel_id, actor.agency_id))
    if member is None:
        raise NotVisible()
    return meeting


def is_circulated(meeting: Meeting, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return meeting.circulated_at is not None and meeting.circulated_at <= now


def not_closed(meeting: Meeting, what: str) -> None:
    """After closing, the record of the meeting is fixed: a stale form learns why."""
    if meeting.status == "closed":
        raise Invalid(
            {"_schema": [f"The meeting is closed: {what} can no longer be changed"]},
            message=f"This meeting has been closed, so {what} can no longer be changed.",
            code="meeting_closed",
        )


@dataclass
class Case:
    """One agenda line as the meeting pages need it: its place, kind and the case it is about."""

    item: AgendaItem
    referral_id: uuid.UUID | None
    action: CaseAction | None


def agenda_cases(svc: Services, meeting: Meeting) -> list[Case]:
    """Agenda items in order, each with the case it concerns. A review item names an action
    from an earlier meeting; its case is that action's referral."""
    action_ids = [i.action_id for i in meeting.items if i.action_id is not None]
    actions = {}
    if action_ids:
        found = svc.session.scalars(select(CaseAction).where(CaseAction.id.in_(action_ids)))
        actions = {a.id: a for a in found}
    out = []
    for item in sorted(meeting.items, key=lambda i: i.position):
        act = actions.get(item.action_id) if item.action_id else None
        rid = item.referral_id or (act.referral_id if act is not None else None)
        out.append(Case(item, rid, act))
    return out


def heard_referral_ids(svc: Services, meeting: Meeting) -> list[uuid.UUID]:
    """The referrals a meeting hears, in agenda order: each referral item's, then those joined
    to it (the same victim's, heard together: ``casework.meetings.victims``). Review items
    are about actions, not new hearings."""
    joined = victims.joined_rows(svc, meeting.id)
    out = []
    for case in agenda_cases(svc, meeting):
        if case.item.kind == "referral" and case.referral_id is not None:
            out.append(case.referral_id)
            out += [r.referral_id for r in joined.get(case.item.id, []) if r.referral_id]
    return out


def listed_referral_ids(svc: Services, meeting: Meeting) -> list[uuid.UUID]:
    seen: dict[uuid.UUID, None] = {}
    for case in agenda_cases(svc, meeting):
        if case.referral_id is not None:
            seen.setdefault(case.referral_id, None)
    return list(seen)


def case_on_agenda(svc: Services, meeting: Meeting, referral_id: Any) -> uuid.UUID:
    """The referral id if the case is on this meeting's agenda; 404 otherwise."""
    rid = as_uuid(referral_id)
    if rid is None or rid not in listed_referral_ids(svc, meeting):
        raise NotVisible()
    return rid


def kind_case_type(svc: Services, meeting: Meeting) -> str | None:
    """The record type of the cases the meeting's panel kind lists itself (an ASB case), or
    None when its cases are referrals (MARAC) or nominals (offender panels)."""
    panel = svc.session.get(Panel, meeting.panel_id)
    return panel_kinds.case_record(panel.kind) if panel is not None else None


def kind_case_on_agenda(
    svc: Services, actor: Actor, meeting: Meeting, case_id: Any
) -> dict[str, Any]:
    """``{"case_type": ..., "case_id": ...}`` for a case of the panel kind's own record type
    that is on this meeting's agenda and that the engine shows the caller; 404 otherwise, as
    for a case that does not exist. What minutes, research notes and actions store."""
    record = kind_case_type(svc, meeting)
    cid = as_uuid(case_id)
    if record is None or cid is None:
        raise NotVisible()
    listed = svc.session.scalar(
        select(
            exists().where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.case_type == record,
                AgendaItem.case_id == cid,
            )
        )
    )
    row = svc.session.get(record_type_named(record).model, cid) if listed else None
    if row is None or not svc.sharing.may(svc.session, actor, "view", row):
        raise NotVisible()
    return {"case_type": record, "case_id": cid}


def sees_case(svc: Services, actor: Actor, referral_id: uuid.UUID) -> bool:
    """Whether the engine shows the caller anything of the case (no disclosure, no audit)."""
    referral = svc.session.get(Referral, referral_id)
    return referral is not None and svc.sharing.may(svc.session, actor, "view", referral)


def case_summaries(
    svc: Services,
    actor: Actor,
    referral_ids: list[uuid.UUID],
    only: frozenset[str] = CASE_SUMMARY_FIELDS,
) -> dict[uuid.UUID, dict[str, Any]]:
    """What the reader may see of each case, limited to ``only`` (the summary the meeting
    pages show). Cases the engine shows nothing of are left out. Each disclosure is audited
    with the field names shown.
    """
    wanted = select(Referral).where(Referral.id.in_(referral_ids)) if referral_ids else None
    referrals = list(svc.session.scalars(wanted)) if wanted is not None else []
    found = svc.sharing.disclosures(svc.session, actor, Referral, referrals, only=only)
    return {d.record.id: d.data for d in found}


def require_manage_cases(svc: Services, actor: Actor, referrals: Sequence[Referral]) -> None:
    """The sharing engine decides the caller may manage (``edit``) every case a change moves
    (listed, heard, taken off, deferred, circulated): 403 otherwise. Asked even about none,
    so an agenda change with no case in it still counts as checked."""
    granted = svc.sharing.fields_for(svc.session, actor, "edit", list(referrals), Referral)
    if not all(granted.get(r.id) for r in referrals):
        raise Forbidden("The sharing protocol does not let you manage a case this changes")


def require_manage_items(svc: Services, actor: Actor, items: Iterable[AgendaItem]) -> None:
    """``require_manage_cases`` for the cases of these agenda items and those joined to them.
    Items of other kinds (a review of an action, a panel kind's own entries) carry no case."""
    ids = {
        row.referral_id
        for item in items
        for row in (item, *victims.rows_of(svc, item))
        if row.referral_id is not None
    }
    stmt = select(Referral).where(Referral.id.in_(ids))
    require_manage_cases(svc, actor, list(svc.session.scalars(stmt)) if ids else [])


def panel_agencies(svc: Services, meeting: Meeting) -> list[Agency]:
    stmt = (
        select(Agency)
        .join(PanelMember, PanelMember.agency_id == Agency.id)
        .where(PanelMember.panel_id == meeting.panel_id)
        .order_by(Agency.name)
    )
    return list(svc.session.scalars(stmt))


def panel_of(svc: Services, meeting: Meeting) -> Panel:
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None  # a foreign key
    return panel
