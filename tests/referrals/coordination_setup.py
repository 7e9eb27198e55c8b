"""A MARAC partnership for the referral-management tests: who manages, who may not, who
cannot even see. Built through the same actions users call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.audit.models import AuditEntry
from casework.panels.models import Panel
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory


@dataclass
class Partnership:
    factory: Factory
    svc: Services
    panel: Panel
    users: dict[str, User]

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name], via="test")

    def refer(self, day: str = "2026-11-02", **changes: Any) -> Referral:
        return self.factory.referral(
            self.users["referrer"], self.panel, referral_date=day, **changes
        )

    def set_status(self, referral: Referral, status: str) -> None:
        """Put a referral straight into a status, to test what may follow from it."""
        self.svc.session.execute(
            Referral.__table__.update().where(Referral.id == referral.id).values(status=status)
        )
        self.svc.session.commit()
        self.svc.session.refresh(referral)

    def audits(self, record_type: str, record_id: Any, action: str = "update") -> list[AuditEntry]:
        self.svc.session.commit()  # as a request ends: the transaction writes its audit entries
        stmt = (
            select(AuditEntry)
            .where(
                AuditEntry.record_type == record_type,
                AuditEntry.record_id == str(record_id),
                AuditEntry.action == action,
            )
            .order_by(AuditEntry.at)
        )
        return list(self.svc.session.scalars(stmt))


def partnership(factory: Factory) -> Partnership:
    for code, sector in [("POL", "police"), ("CSP", "local_authority"), ("IDVA", "idva")]:
        factory.agency(code, sector)
    factory.agency("HSG", "housing")  # not a member of the panel
    panel = factory.panel(("POL", "CSP", "IDVA"))
    factory.panel(("HSG",), name="Southshire MARAC")
    users = {
        "referrer": factory.user("ref@pol.example", "POL", ("referrer",)),
        "coordinator": factory.user("coord@csp.example", "CSP", ("coordinator",)),
        "chair": factory.user("chair@pol.example", "POL", ("chair",)),
        "idva": factory.user("jo@idva.example", "IDVA", ("idva",)),
        "rep": factory.user("rep@idva.example", "IDVA", ("agency_rep",)),
        # coordinates the Southshire panel: cannot see Northshire's referrals at all
        "outsider": factory.user("coord@hsg.example", "HSG", ("coordinator", "chair")),
        # an IDVA whose agency is on no panel: may still be assigned a case
        "far_idva": factory.user("ali@hsg.example", "HSG", ("idva",)),
    }
    return Partnership(factory, factory.svc, panel, users)
