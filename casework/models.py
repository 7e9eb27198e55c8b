"""Every model, imported in one place so Alembic and the app see the same metadata."""

from casework.accounts.models import ApiToken, LoginFailure, User, UserRole, UserSession
from casework.agencies.models import Agency
from casework.asb.models import (
    AsbBreach,
    AsbCase,
    AsbIncident,
    AsbIntervention,
    AsbPerpetrator,
    CommunityTrigger,
)
from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import Base
from casework.imports.models import ImportRow, ImportRun
from casework.mail.models import OutboxMessage
from casework.meetings.minutes_models import MinutesSignOff, MinutesVersion
from casework.meetings.models import (
    AgendaItem,
    AgendaVersion,
    Attendance,
    Attendee,
    CaseAction,
    Meeting,
    MeetingReopening,
    Minute,
    ResearchNote,
)
from casework.offenders.models import (
    Classification,
    CohortMembership,
    CustodyPeriod,
    Intervention,
    Nominal,
    OffenderEvent,
    PathwayNeed,
    TargetingDecision,
)
from casework.panels.models import Panel, PanelMember
from casework.referrals.models import (
    Child,
    Perpetrator,
    PossibleMatch,
    Referral,
    ReferralDraft,
)
from casework.referrals.version_models import ReferralVersion
from casework.retention.models import Erasure, LegalHold, RetentionDue
from casework.safety_plans.models import SafetyPlan
from casework.scheduler.models import ApschedulerJob, JobRun
from casework.search import maintain as _search_tokens  # noqa: F401  (token hooks)
from casework.search.models import SearchToken
from casework.subject_access.models import SubjectAccessItem, SubjectAccessRequest

__all__ = [
    "AsbBreach",
    "AsbCase",
    "AsbIncident",
    "AsbIntervention",
    "AsbPerpetrator",
    "CommunityTrigger",
    "ImportRow",
    "ImportRun",
    "Classification",
    "CohortMembership",
    "CustodyPeriod",
    "Intervention",
    "Nominal",
    "OffenderEvent",
    "PathwayNeed",
    "TargetingDecision",
    "AgendaVersion",
    "ApschedulerJob",
    "Attendee",
    "CaseAction",
    "JobRun",
    "Minute",
    "MinutesSignOff",
    "MinutesVersion",
    "OutboxMessage",
    "ResearchNote",
    "AgendaItem",
    "Attendance",
    "Child",
    "Meeting",
    "MeetingReopening",
    "Perpetrator",
    "PossibleMatch",
    "Referral",
    "ReferralDraft",
    "Erasure",
    "LegalHold",
    "RetentionDue",
    "SafetyPlan",
    "ReferralVersion",
    "SearchToken",
    "SubjectAccessItem",
    "SubjectAccessRequest",
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
