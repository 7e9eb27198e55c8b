"""Who is told, and what the e-mails say. Messages carry no personal data: they name the
panel and the date, say what awaits, and link to the service."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from casework.accounts.models import User, UserRole
from casework.agencies.models import Agency
from casework.dates import long_day
from casework.mail.outbox import queue
from casework.meetings.calendar import local_date
from casework.meetings.models import Meeting
from casework.panels.models import Panel, PanelMember
from casework.roles import MANAGERS
from casework.services import Services

FOOTER = (
    "\n\nThis message holds no case details: sign in to the service to see them. "
    "It was sent automatically; replies are not read."
)


def link(svc: Services, path: str) -> str:
    return str(svc.settings.get("SERVICE_URL") or "").rstrip("/") + path


def panel_staff(svc: Services, panel_id: uuid.UUID, *roles: str) -> list[User]:
    """Active users with any of ``roles`` in the panel's active member agencies."""
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Agency, Agency.id == User.agency_id)
        .join(PanelMember, PanelMember.agency_id == User.agency_id)
        .where(
            PanelMember.panel_id == panel_id,
            UserRole.role.in_(roles),
            User.active.is_(True),
            Agency.active.is_(True),
        )
        .order_by(User.email)
        .distinct()
    )
    return list(svc.session.scalars(stmt))


def agency_staff(svc: Services, agency_id: uuid.UUID, role: str) -> list[User]:
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Agency, Agency.id == User.agency_id)
        .where(
            User.agency_id == agency_id,
            UserRole.role == role,
            User.active.is_(True),
            Agency.active.is_(True),
        )
        .order_by(User.email)
    )
    return list(svc.session.scalars(stmt))


def _tell(svc: Services, users: list[User], subject: str, body: str, key: str) -> int:
    queued = 0
    for user in users:
        if queue(svc.session, user.email, subject, body + FOOTER, f"{key}:{user.id}"):
            queued += 1
    return queued


def draft_agenda_ready(svc: Services, panel: Panel, meeting: Meeting) -> int:
    day = long_day(local_date(meeting.starts_at))
    body = (
        f"The draft agenda for {panel.name} on {day} is ready. Check it, reorder or defer "
        f"items if needed, and publish it to member agencies.\n\n"
        f"{link(svc, f'/panels/{panel.id}')}"
    )
    users = panel_staff(svc, panel.id, "coordinator")
    key = f"draft:{meeting.id}:{meeting.cutoff_on:%Y%m%d}"
    return _tell(svc, users, f"Draft agenda ready: {panel.name}, {day}", body, key)


def publish_reminder(svc: Services, panel: Panel, meeting: Meeting) -> int:
    day = long_day(local_date(meeting.starts_at))
    body = (
        f"The agenda for {panel.name} on {day} is due to be circulated today and has not "
        f"been published yet. Member agencies need it to research the cases.\n\n"
        f"{link(svc, f'/panels/{panel.id}')}"
    )
    users = panel_staff(svc, panel.id, "coordinator")
    key = f"publish:{meeting.id}:{meeting.circulate_on:%Y%m%d}"
    return _tell(svc, users, f"Agenda not yet published: {panel.name}, {day}", body, key)


def minutes_due(svc: Services, panel: Panel, meeting: Meeting) -> int:
    day = long_day(local_date(meeting.starts_at))
    body = (
        f"The minutes of {panel.name} on {day} are due to be circulated to member agencies "
        f"today.\n\n{link(svc, f'/panels/{panel.id}')}"
    )
    users = panel_staff(svc, panel.id, *MANAGERS)
    key = f"minutes:{meeting.id}"
    return _tell(svc, users, f"Minutes due: {panel.name}, {day}", body, key)


def overdue_actions(svc: Services, agency_id: uuid.UUID, count: int, on: date) -> int:
    what = "1 action" if count == 1 else f"{count} actions"
    body = (
        f"Your agency has {what} from panel meetings past its due date. Record what was done, "
        f"or why it was not, so the next meeting can review it.\n\n{link(svc, '/')}"
    )
    users = agency_staff(svc, agency_id, "agency_rep")
    key = f"overdue:{agency_id}:{on:%Y%m%d}"
    return _tell(svc, users, f"Overdue actions: {what}", body, key)
