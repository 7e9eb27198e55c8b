"""A MARAC partnership with a circulated agenda, for the research, meeting and action tests.

Referrals go through the same actions users call; the meeting and its agenda are made
directly with the models (building agendas is the agenda tests' business), with the agenda
circulated an hour ago and the meeting ten days ahead, so the tests do not age.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit.models import AuditEntry
from casework.clock import UK
from casework.meetings.models import AgendaItem, Attendance, Attendee, CaseAction, Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory

TODAY = clock.today()
MEMBERS = ("POL", "CSP", "IDVA", "HSG", "HLT")


def uk(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UK).astimezone(UTC)


@dataclass
class Partnership:
    factory: Factory
    svc: Services
    panel: Panel
    other_panel: Panel
    users: dict[str, User]
    counter: int = 0
    referrals: list[Referral] = field(default_factory=list)

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name], via="test")

    def agency(self, code: str) -> Agency:
        found = self.svc.session.scalar(select(Agency).where(Agency.code == code))
        assert found is not None
        return found

    def refer(self, **changes: Any) -> Referral:
        """An accepted referral of the panel with a victim of its own."""
        self.counter += 1
        changes.setdefault("victim__last_name", f"Doe{self.counter:03d}")
        referral = self.factory.referral(self.users["referrer"], self.panel, **changes)
        lifecycle.accept_referral(self.svc, self.actor("coordinator"), referral.id)
        self.svc.session.commit()
        self.referrals.append(referral)
        return referral

    def meeting(
        self,
        cases: int = 2,
        circulated: bool = True,
        day: date | None = None,
        panel: Panel | None = None,
        referrals: list[Referral] | None = None,
    ) -> Meeting:
        """A meeting with ``cases`` new referrals listed on its agenda, in order."""
        meeting = Meeting(
            panel_id=(panel or self.panel).id,
            starts_at=uk(day or TODAY + timedelta(days=10)),
            agenda_status="published" if circulated else "draft",
            agenda_version=1 if circulated else 0,
            circulated_at=clock.now() - timedelta(hours=1) if circulated else None,
        )
        self.svc.session.add(meeting)
        chosen = referrals if referrals is not None else [self.refer() for _ in range(cases)]
        for position, referral in enumerate(chosen, start=1):
            meeting.items.append(
                AgendaItem(meeting_id=meeting.id, position=position, referral_id=referral.id)
            )
            lifecycle.mark_listed(self.svc, Actor.system("test"), referral)
        self.svc.session.commit()
        return meeting

    def review(self, meeting: Meeting, act: CaseAction) -> AgendaItem:
        """Bring an earlier action back to ``meeting`` as a review item."""
        item = AgendaItem(
            meeting_id=meeting.id, position=len(meeting.items) + 1, kind="review", action_id=act.id
        )
        meeting.items.append(item)
        self.svc.session.commit()
        return item

    def attend(
        self, meeting: Meeting, present: tuple[str, ...], apologies: tuple[str, ...] = ()
    ) -> None:
        """Attendance recorded, one acknowledged attendee per agency present (ready to minute)."""
        for code in present:
            agency = self.agency(code)
            self.svc.session.add(Attendance(meeting_id=meeting.id, agency_id=agency.id))
            person = Attendee(
                meeting_id=meeting.id,
                agency_id=agency.id,
                name=f"{code} officer",
                acknowledged_at=clock.now(),
            )
            self.svc.session.add(person)
        for code in apologies:
            self.svc.session.add(
                Attendance(
                    meeting_id=meeting.id, agency_id=self.agency(code).id, status="apologies"
                )
            )
        self.svc.session.commit()

    def action(
        self, meeting: Meeting, referral: Referral, owner: str = "HSG", due: date | None = None
    ) -> CaseAction:
        act = CaseAction(
            meeting_id=meeting.id,
            referral_id=referral.id,
            owner_agency_id=self.agency(owner).id,
            due_on=due or TODAY + timedelta(days=14),
        )
        act.description = "Arrange a safe move"
        self.svc.session.add(act)
        self.svc.session.commit()
        return act

    def audits(
        self, record_type: str, action: str | None = None, record_id: Any = None
    ) -> list[AuditEntry]:
        self.svc.session.commit()  # as a request ends: the transaction writes its audit entries
        stmt = select(AuditEntry).where(AuditEntry.record_type == record_type)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        if record_id is not None:
            stmt = stmt.where(AuditEntry.record_id == str(record_id))
        return list(self.svc.session.scalars(stmt.order_by(AuditEntry.at)))


def partnership(factory: Factory) -> Partnership:
    for code, sector in [
        ("POL", "police"),
        ("CSP", "local_authority"),
        ("IDVA", "idva"),
        ("HSG", "housing"),
        ("HLT", "health"),
        ("OUT", "housing"),
    ]:
        factory.agency(code, sector, name=f"{code} services")
    panel = factory.panel(MEMBERS, name="Northshire MARAC")
    other = factory.panel(("OUT",), name="Southshire MARAC")
    svc = factory.svc
    # Meetings the scheduler may make for new panels are not these tests' business.
    svc.session.execute(delete(Meeting).where(Meeting.panel_id.in_([panel.id, other.id])))
    svc.session.commit()
    users = {
        "referrer": factory.user("ref@pol.example", "POL", ("referrer",)),
        "coordinator": factory.user("coord@csp.example", "CSP", ("coordinator",)),
        "chair": factory.user("chair@pol.example", "POL", ("chair",)),
        "housing": factory.user("rep@hsg.example", "HSG", ("agency_rep",)),
        "housing2": factory.user("officer@hsg.example", "HSG", ("referrer",)),
        "health": factory.user("rep@hlt.example", "HLT", ("agency_rep",)),
        "idva": factory.user("jo@idva.example", "IDVA", ("idva",)),
        "analyst": factory.user("analyst@csp.example", "CSP", ("analyst",)),
        "outsider": factory.user("rep@out.example", "OUT", ("agency_rep", "coordinator", "chair")),
    }
    return Partnership(factory, svc, panel, other, users)


def racing_lookup(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, misses: int = 1
) -> list[tuple[Any, ...]]:
    """Make ``module.name`` (a "find the existing row" lookup) find nothing ``misses`` times.

    That is what a request sees when another saves the same row between its lookup and its
    insert: the race of two first saves, made deterministic. Returns the calls made.
    """
    real: Callable[..., Any] = getattr(module, name)
    calls: list[tuple[Any, ...]] = []

    def lookup(*args: Any) -> Any:
        calls.append(args)
        return None if len(calls) <= misses else real(*args)

    monkeypatch.setattr(module, name, lookup)
    return calls
