"""Every model, imported in one place so Alembic and the app see the same metadata."""

from casework.accounts.models import ApiToken, LoginFailure, User, UserRole, UserSession
from casework.agencies.models import Agency
from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import Base
from casework.meetings.models import AgendaItem, Attendance, Meeting
from casework.panels.models import Panel, PanelMember
from casework.referrals.models import Child, Perpetrator, PossibleMatch, Referral

__all__ = [
    "AgendaItem",
    "Attendance",
    "Child",
    "Meeting",
    "Perpetrator",
    "PossibleMatch",
    "Referral",
    "Agency",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "Base",
    "LoginFailure",
    "Panel",
    "PanelMember",
    "User",
    "UserRole",
    "UserSession",
]
