"""A MARAC partnership with meetings for the agenda tests, built through the same actions users
call. Meetings are made directly (their scheduling is tested elsewhere) at times relative to
today, so the tests do not age: the meeting is always ahead, its cut-off just behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.audit.models import AuditEntry
from casework.clock import UK
from casework.meetings.models import CaseAction, Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory

TODAY = clock.today()
CUTOFF = TODAY - timedelta(days=1)


def uk(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UK).astimezone(UTC)


@dataclass
class Partnership:
    factory: Factory
    svc: Services
    panel: Panel
    other_panel: Panel
    users: dict[str, User]
    meetings: list[Meeting] = field(default_factory=list)
    counter: int = 0

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name], via="test")

    def meeting(
        self,
        day: date | None = None,
        hour: int = 10,
        cutoff: date | None = CUTOFF,
        length: int = 180,
        per_case: int = 15,
        panel: Panel | None = None,
    ) -> Meeting:
        m = Meeting(
            panel_id=(panel or self.panel).id,
            starts_at=uk(day or TODAY + timedelta(days=10), hour),
            cutoff_on=cutoff,
            length_minutes=length,
            minutes_per_case=per_case,
        )
        self.svc.session.add(m)
        self.svc.session.commit()
        self.meetings.append(m)
        return m

    def refer(
        self,
        accept: bool = True,
        created: datetime | None = None,
        by: str = "referrer",
        **changes: Any,
    ) -> Referral:
        """An accepted referral of the panel, submitted before the cut-off unless told."""
        self.counter += 1
        changes.setdefault("victim__last_name", f"Doe{self.counter:03d}")
        changes.setdefault("victim__first_name", "Jane")
        referral = self.factory.referral(self.users[by], self.panel, **changes)
        # in the order referred, so drafts list them in that order
        stamp = created or uk(CUTOFF, 9) + timedelta(minutes=self.counter)
        self.svc.session.execute(
            Referral.__table__.update().where(Referral.id == referral.id).values(created_at=stamp)
        )
        self.svc.session.commit()
        if accept:
            lifecycle.accept_referral(self.svc, self.actor("coordinator"), referral.id)
            self.svc.session.commit()
        self.svc.session.refresh(referral)
        return referral

    def open_action(self, meeting: Meeting, referral: Referral, owner: str = "HSG") -> CaseAction:
        from casework.agencies.models import Agency

        agency = self.svc.session.scalar(select(Agency).where(Agency.code == owner))
        act = CaseAction(
            meeting_id=meeting.id,
            referral_id=referral.id,
            owner_agency_id=agency.id,
            due_on=TODAY + timedelta(days=3),
        )
        act.description = "Arrange a safe move"
        self.svc.session.add(act)
        self.svc.session.commit()
        return act

    def audits(self, action: str, record_type: str | None = None) -> list[AuditEntry]:
        self.svc.session.commit()  # as a request ends: the transaction writes its audit entries
        stmt = select(AuditEntry).where(AuditEntry.action == action)
        if record_type:
            stmt = stmt.where(AuditEntry.record_type == record_type)
        return list(self.svc.session.scalars(stmt.order_by(AuditEntry.at)))


def partnership(factory: Factory) -> Partnership:
    for code, sector in [
        ("POL", "police"),
        ("CSP", "local_authority"),
        ("IDVA", "idva"),
        ("HSG", "housing"),
        ("OUT", "housing"),
    ]:
        factory.agency(code, sector, name=f"{code} & partners")
    panel = factory.panel(("POL", "CSP", "IDVA", "HSG"), name="Northshire MARAC")
    other = factory.panel(("OUT",), name="Southshire MARAC")
    svc = factory.svc
    # Meetings the scheduler may have made for new panels are not these tests' business.
    svc.session.execute(delete(Meeting).where(Meeting.panel_id.in_([panel.id, other.id])))
    svc.session.commit()
    users = {
        "referrer": factory.user("ref@pol.example", "POL", ("referrer",)),
        "coordinator": factory.user("coord@csp.example", "CSP", ("coordinator",)),
        "chair": factory.user("chair@pol.example", "POL", ("chair",)),
        "housing": factory.user("rep@hsg.example", "HSG", ("agency_rep",)),
        "idva": factory.user("jo@idva.example", "IDVA", ("idva",)),
        "analyst": factory.user("analyst@csp.example", "CSP", ("analyst",)),
        "outsider": factory.user("rep@out.example", "OUT", ("agency_rep", "coordinator")),
    }
    return Partnership(factory, svc, panel, other, users)
