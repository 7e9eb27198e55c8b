"""A victim's history: every referral of the same victim and what happened to each, in time
order, each event through the sharing engine.

The referral asked about is loaded through the engine (404 when the caller may see nothing
of it). The victim's other referrals are found by the surname + date-of-birth blind index
(then compared exactly, decrypted, like the repeat rule) and through possible matches a
coordinator confirmed, *inside* the engine's list filter, so a referral the caller may not see
is never read, counted or hinted at. Meeting records (minutes, actions) go through their own
record types' filters: an event the caller may not see is absent, not redacted.

Every record shown passes ``Sharing.disclosures``, so each is audited once with the fields
shown. Listings, hearings and IDVA assignments are facts about a referral already disclosed
(its header and, for assignments, its granted ``assigned_idva`` field).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select

from casework import clock
from casework.accounts.models import User
from casework.actors import Actor
from casework.audit.models import AuditEntry
from casework.authz import action, require_role
from casework.crypto import candidates, normalise
from casework.db import as_uuid
from casework.meetings.models import AgendaItem, CaseAction, Meeting, Minute
from casework.offenders.models import CohortMembership, Nominal
from casework.offenders.policies import current_membership
from casework.panels.models import Panel, PanelMember
from casework.referrals.models import PossibleMatch, Referral
from casework.referrals.repeat import victim_of
from casework.roles import CASE_ROLES
from casework.services import Services

HELD = ("held", "closed")
# Same-day events read in the order things happen.
ORDER = ("referral", "idva_assignment", "listed", "heard", "minute", "action", "action_outcome")
REFERRAL_SHOWN = frozenset(
    {"repeat.is_repeat", "repeat.previous_referral_date", "risk.criteria", "assigned_idva"}
)
IDENTITY = frozenset({"victim.last_name", "victim.date_of_birth"})
NOMINAL_SHOWN = frozenset({"last_name", "date_of_birth"})


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


@action(reads=("referral", "minute", "action", "nominal", "youth_record"))
def victim_history(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """``{"events": [...], "also_known_to": [...]}``, oldest first (CONTRACT.md)."""
    require_role(actor, *CASE_ROLES)
    anchor, anchor_fields = svc.sharing.get(
        svc.session, actor, Referral, as_uuid(referral_id), verb="view"
    )
    referrals = _same_victim(svc, actor, anchor)
    shown = svc.sharing.disclosures(
        svc.session, actor, Referral, referrals, only=REFERRAL_SHOWN, shape=_referral_event
    )
    events = [d.data for d in shown]
    by_id = {d.record.id: d.record for d in shown}
    assignable = [d.record for d in shown if "assigned_idva" in d.fields]
    events += _assignments(svc, assignable)
    events += _meetings(svc, by_id)
    events += _minutes(svc, actor, by_id)
    events += _actions(svc, actor, by_id)
    events.sort(key=lambda e: (e["at"], ORDER.index(e["kind"]), e.get("reference") or ""))
    # "Also known to" compares the victim's identity: only for a caller who may read it here.
    known = _also_known_to(svc, actor, anchor, anchor_fields >= IDENTITY)
    return {"events": events, "also_known_to": known}


def _same_victim(svc: Services, actor: Actor, anchor: Referral) -> list[Referral]:
    """The anchor and the visible referrals of the same victim: stored under the victim's
    index and the same person when decrypted, or confirmed as the same by a coordinator
    (with, in turn, that person's own referrals under the index: a match is confirmed against
    one earlier referral, whichever the matcher found first, and the history must not depend
    on which)."""
    visible = svc.sharing.visible_clause(actor, "view", Referral)
    chosen = {anchor.id: anchor}
    chosen.update({r.id: r for r in _indexed(svc, visible, victim_of(anchor))})
    confirmed = select(PossibleMatch.referral_id, PossibleMatch.other_referral_id).where(
        PossibleMatch.status == "confirmed",
        or_(PossibleMatch.referral_id.in_(chosen), PossibleMatch.other_referral_id.in_(chosen)),
    )
    linked = {i for pair in svc.session.execute(confirmed) for i in pair} - set(chosen)
    extra = (
        list(svc.session.scalars(select(Referral).where(Referral.id.in_(linked), visible)))
        if linked
        else []
    )
    for referral in extra:
        chosen[referral.id] = referral
        chosen.update({r.id: r for r in _indexed(svc, visible, victim_of(referral))})
    return sorted(chosen.values(), key=lambda r: (r.referral_date, r.created_at))


def _indexed(svc: Services, visible: Any, victim: Any) -> list[Referral]:
    """The visible referrals stored under this victim's index that are the same person."""
    if victim.date_of_birth is None or not victim.last_name:
        return []
    keys = candidates("victim_name_dob", victim.last_name, victim.date_of_birth.isoformat())
    rows = svc.session.scalars(select(Referral).where(Referral.victim_ix.in_(keys), visible))
    return [r for r in rows if victim_of(r).same_as(victim)]


def _referral_event(referral: Referral, fields: frozenset[str]) -> dict[str, Any]:
    event: dict[str, Any] = {
        "at": referral.referral_date.isoformat(),
        "kind": "referral",
        "referral_id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
    }
    if "repeat.is_repeat" in fields:
        event["is_repeat"] = referral.crit_repeat
    if "repeat.previous_referral_date" in fields:
        event["previous_referral_date"] = _iso(referral.previous_referral_date)
    if "risk.criteria" in fields:
        event["criteria"] = referral.criteria
    return event


def _assignments(svc: Services, referrals: Sequence[Referral]) -> list[dict[str, Any]]:
    """Each change of IDVA from the audit trail (which records that it changed, not to whom);
    the latest change names the IDVA the case has now, or says it has none."""
    if not referrals:
        return []
    by_key = {str(r.id): r for r in referrals}
    stmt = (
        select(AuditEntry.at, AuditEntry.record_id, AuditEntry.fields)
        .where(
            AuditEntry.record_type == "referral",
            AuditEntry.action == "update",
            AuditEntry.record_id.in_(list(by_key)),
        )
        .order_by(AuditEntry.at, AuditEntry.seq)
    )
    changes = [
        (at, rid) for at, rid, fields in svc.session.execute(stmt) if "assigned_idva" in fields
    ]
    latest = {rid: at for at, rid in changes}
    idvas = {r.assigned_idva_id for r in referrals if r.assigned_idva_id is not None}
    names = (
        dict(svc.session.execute(select(User.id, User.name).where(User.id.in_(idvas))).all())
        if idvas
        else {}
    )
    events = []
    for at, rid in changes:
        referral = by_key[rid]
        event = {
            "at": at.isoformat(),
            "kind": "idva_assignment",
            "referral_id": rid,
            "reference": referral.reference,
            "change": "changed",
        }
        if latest[rid] == at:  # the change that left the case as it is now
            current = referral.assigned_idva_id
            event["change"] = "assigned" if current is not None else "unassigned"
            event["idva"] = names.get(current) if current is not None else None
        events.append(event)
    return events


def _meetings(svc: Services, referrals: dict[uuid.UUID, Referral]) -> list[dict[str, Any]]:
    """Agenda listings of the shown referrals, and each held meeting that heard any of them
    (one event per meeting, naming the referrals it heard)."""
    if not referrals:
        return []
    stmt = (
        select(AgendaItem, Meeting)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.referral_id.in_(list(referrals)))
        .order_by(Meeting.starts_at, AgendaItem.position)
    )
    events: list[dict[str, Any]] = []
    heard: dict[uuid.UUID, dict[str, Any]] = {}
    for item, meeting in svc.session.execute(stmt).all():
        referral = referrals[item.referral_id]
        events.append(
            {
                "at": item.added_at.isoformat(),
                "kind": "listed",
                "referral_id": str(referral.id),
                "reference": referral.reference,
                "meeting_id": str(meeting.id),
                "meeting_at": meeting.starts_at.isoformat(),
                "meeting_status": meeting.status,
                "joined": item.kind == "joined",
            }
        )
        if meeting.status in HELD:
            event = heard.setdefault(
                meeting.id,
                {
                    "at": meeting.starts_at.isoformat(),
                    "kind": "heard",
                    "meeting_id": str(meeting.id),
                    "referral_ids": [],
                    "references": [],
                },
            )
            event["referral_ids"].append(str(referral.id))
            event["references"].append(referral.reference)
    return events + list(heard.values())


def _starts(svc: Services, meeting_ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not meeting_ids:
        return {}
    stmt = select(Meeting.id, Meeting.starts_at).where(Meeting.id.in_(meeting_ids))
    return dict(svc.session.execute(stmt).all())


def _minutes(
    svc: Services, actor: Actor, referrals: dict[uuid.UUID, Referral]
) -> list[dict[str, Any]]:
    """Minutes of the shown referrals the minute record type lets the caller read (its
    agency attended that meeting, under the MARAC protocol)."""
    visible = svc.sharing.visible_clause(actor, "view", Minute)
    rows = (
        list(
            svc.session.scalars(
                select(Minute).where(Minute.referral_id.in_(list(referrals)), visible)
            )
        )
        if referrals
        else []
    )
    starts = _starts(svc, {m.meeting_id for m in rows})

    def shape(minute: Minute, fields: frozenset[str]) -> dict[str, Any]:
        referral = referrals[minute.referral_id]  # type: ignore[index]
        event: dict[str, Any] = {
            "at": starts[minute.meeting_id].isoformat(),
            "kind": "minute",
            "referral_id": str(referral.id),
            "reference": referral.reference,
            "meeting_id": str(minute.meeting_id),
        }
        for name in ("text", "risks"):
            if name in fields:
                event[name] = getattr(minute, name)
        return event

    found = svc.sharing.disclosures(svc.session, actor, Minute, rows, shape=shape)
    return [d.data for d in found]


def _actions(
    svc: Services, actor: Actor, referrals: dict[uuid.UUID, Referral]
) -> list[dict[str, Any]]:
    """Actions on the shown referrals the action record type lets the caller see, each as
    agreed and, once done or not done, its outcome."""
    visible = svc.sharing.visible_clause(actor, "view", CaseAction)
    rows = (
        list(
            svc.session.scalars(
                select(CaseAction).where(CaseAction.referral_id.in_(list(referrals)), visible)
            )
        )
        if referrals
        else []
    )
    events: list[dict[str, Any]] = []
    for d in svc.sharing.disclosures(svc.session, actor, CaseAction, rows):
        act: CaseAction = d.record
        referral = referrals[act.referral_id]  # type: ignore[index]
        common = {"referral_id": str(referral.id), "reference": referral.reference}
        data = {k: v for k, v in d.data.items() if k not in ("referral_id", "outcome")}
        data["action_id"] = data.pop("id")
        events.append({"at": act.created_at.isoformat(), "kind": "action", **common, **data})
        if act.completed_at is not None and act.status in ("done", "not_done"):
            outcome = {"action_id": str(act.id), "status": act.status}
            if "outcome" in d.fields:
                outcome["outcome"] = d.data.get("outcome")
            at = act.completed_at.isoformat()
            events.append({"at": at, "kind": "action_outcome", **common, **outcome})
    return events


def _also_known_to(
    svc: Services, actor: Actor, anchor: Referral, permitted: bool
) -> list[dict[str, Any]]:
    """Nominals on offender panels with the victim's surname and date of birth, shown only
    where the offender protocol lets the caller view the nominal's name and date of birth:
    its record and the panels of its cohorts the caller's agency sits on, nothing else."""
    visible = svc.sharing.visible_clause(actor, "view", Nominal)
    victim = victim_of(anchor)
    keys: list[str] = []
    if permitted and victim.date_of_birth is not None and victim.last_name:
        keys = candidates("nominal_name_dob", victim.last_name, victim.date_of_birth.isoformat())
    rows = (
        list(svc.session.scalars(select(Nominal).where(Nominal.name_dob_ix.in_(keys), visible)))
        if keys
        else []
    )
    granted = svc.sharing.fields_for(svc.session, actor, "view", rows, Nominal)
    same = [
        n
        for n in rows
        if granted.get(n.id, frozenset()) >= NOMINAL_SHOWN
        and normalise(n.last_name or "") == normalise(victim.last_name)
        and n.date_of_birth == victim.date_of_birth
    ]
    panels = _cohort_panels(svc, actor, [n.id for n in same])

    def shape(nominal: Nominal, fields: frozenset[str]) -> dict[str, Any]:
        return {
            "type": svc.sharing.record_type_of(nominal).name,
            "id": str(nominal.id),
            "panels": sorted(panels.get(nominal.id, [])),
        }

    found = svc.sharing.disclosures(
        svc.session, actor, Nominal, same, only=NOMINAL_SHOWN, shape=shape
    )
    return [d.data for d in found]


def _cohort_panels(
    svc: Services, actor: Actor, nominal_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The names of panels whose current cohort holds each nominal, among the panels the
    caller's agency is a member of (a panel's name is known to its members)."""
    if not nominal_ids or actor.agency_id is None:
        return {}
    stmt = (
        select(CohortMembership.nominal_id, Panel.name)
        .join(Panel, Panel.id == CohortMembership.panel_id)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(
            CohortMembership.nominal_id.in_(nominal_ids),
            current_membership(clock.today()),
            PanelMember.agency_id == actor.agency_id,
        )
    )
    out: dict[uuid.UUID, list[str]] = {}
    for nominal_id, name in svc.session.execute(stmt).all():
        if name not in out.setdefault(nominal_id, []):
            out[nominal_id].append(name)
    return out
