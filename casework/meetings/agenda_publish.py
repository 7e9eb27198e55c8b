"""Publishing an agenda: circulation, versions and the e-mails that say so.

The first publication sets ``circulated_at``: the sharing engine's ``on_agenda`` condition
lets member agencies see the listed cases from then on. Every publication raises the version
and keeps a snapshot of item ids, kinds and positions (never personal values), so "changed
since publication" is a comparison with the last snapshot. Each case-working user of the
member agencies is e-mailed once per version (the outbox's dedupe key), with the panel, the
date and a link: no case details, so ordinary e-mail may carry it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from casework.accounts.models import User, UserRole
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.dates import date_at, long_date
from casework.db import utcnow
from casework.errors import Invalid
from casework.mail.outbox import queue
from casework.meetings import victims
from casework.meetings.agenda_view import items_of, local_start
from casework.meetings.models import AgendaVersion, Meeting
from casework.panels.models import Panel, PanelMember
from casework.roles import CASE_ROLES
from casework.services import Services


def snapshot(svc: Services, meeting: Meeting) -> list[dict[str, Any]]:
    """What a version records: positions, kinds and record ids, never personal values. A
    referral joining a case is a change members are told of, so joined ids are recorded."""
    joined = victims.joined_rows(svc, meeting.id)
    out = []
    for i in items_of(svc, meeting):
        entry: dict[str, Any] = {
            "item_id": str(i.id),
            "position": i.position,
            "kind": i.kind,
            "referral_id": str(i.referral_id) if i.referral_id else None,
            "action_id": str(i.action_id) if i.action_id else None,
            "nominal_id": str(i.nominal_id) if i.nominal_id else None,
        }
        if i.case_id is not None:  # only then, so versions published before 0017 compare equal
            entry["case_type"], entry["case_id"] = i.case_type, str(i.case_id)
        if i.id in joined:  # only then, so versions published before joining compare equal
            entry["joined"] = [str(r.referral_id) for r in joined[i.id]]
        out.append(entry)
    return out


def last_version(svc: Services, meeting: Meeting) -> AgendaVersion | None:
    stmt = (
        select(AgendaVersion)
        .where(AgendaVersion.meeting_id == meeting.id)
        .order_by(AgendaVersion.version.desc())
        .limit(1)
    )
    return svc.session.scalar(stmt)


def changed_since_publication(svc: Services, meeting: Meeting) -> bool:
    if meeting.agenda_status != "published":
        return False
    last = last_version(svc, meeting)
    return last is None or last.items != snapshot(svc, meeting)


def _recipients(svc: Services, meeting: Meeting) -> list[User]:
    stmt = (
        select(User)
        .join(Agency, Agency.id == User.agency_id)
        .join(PanelMember, PanelMember.agency_id == User.agency_id)
        .where(
            PanelMember.panel_id == meeting.panel_id,
            User.active.is_(True),
            Agency.active.is_(True),
            exists().where(UserRole.user_id == User.id, UserRole.role.in_(CASE_ROLES)),
        )
        .order_by(User.email)
    )
    return list(svc.session.scalars(stmt).unique())


def _notify(svc: Services, meeting: Meeting, panel: Panel) -> int:
    """One message per user per version. It says an agenda awaits and links to it: no case
    details, so it may travel over ordinary e-mail."""
    start = local_start(meeting)
    when = date_at(start)
    base = str(svc.settings.get("SERVICE_URL") or "").rstrip("/")
    link = f"{base}/meetings/{meeting.id}/agenda"
    first = meeting.agenda_version == 1
    subject = (
        f"Agenda published: {panel.name}, {long_date(start.date())}"
        if first
        else f"Agenda updated (version {meeting.agenda_version}): {panel.name}, "
        f"{long_date(start.date())}"
    )
    body = (
        f"The agenda for the {panel.name} meeting on {when} has been "
        + ("published." if first else f"changed (version {meeting.agenda_version}).")
        + f"\n\nSign in to see the cases your agency is asked to research:\n{link}\n\n"
        "This message contains no case information."
    )
    sent = 0
    for user in _recipients(svc, meeting):
        key = f"agenda:{meeting.id}:v{meeting.agenda_version}:{user.id}"
        if queue(svc.session, user.email, subject, body, dedupe_key=key) is not None:
            sent += 1
    return sent


def publish(svc: Services, actor: Actor, meeting: Meeting) -> AgendaVersion:
    """Publish ``meeting``'s agenda for a caller already allowed to (``publish_agenda``).
    Publishing an unchanged agenda again is refused, so nobody is re-notified for nothing."""
    if meeting.agenda_status == "none":
        raise Invalid(
            {"_schema": ["Build the draft agenda before publishing it"]},
            message="Build the draft agenda before publishing it.",
            code="no_agenda",
        )
    items = snapshot(svc, meeting)
    if meeting.agenda_status == "published" and not changed_since_publication(svc, meeting):
        raise Invalid(
            {"_schema": ["Nothing has changed since the agenda was published"]},
            message=f"Nothing has changed since version {meeting.agenda_version} was "
            "published, so nobody has been notified again.",
            code="agenda_unchanged",
        )
    meeting.agenda_version += 1
    meeting.agenda_status = "published"
    if meeting.circulated_at is None:
        meeting.circulated_at = utcnow()
    version = AgendaVersion(
        meeting_id=meeting.id,
        version=meeting.agenda_version,
        items=items,
        published_by_id=actor.user_id,
    )
    svc.session.add(version)
    svc.session.flush()
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None  # a foreign key
    _notify(svc, meeting, panel)
    audit.record(
        svc.session,
        actor,
        "update",
        "meeting",
        meeting.id,
        ["agenda_status", "agenda_version", "circulated_at"],
    )
    return version
