"""The ASB panel of ``tests.asb.asb_world`` for the Community Trigger and interventions tests,
whose cases are made with the models (a case in any state, without the referral's checks) and
listed on agendas directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from casework import clock
from casework.agencies.models import Agency
from casework.asb.models import AsbCase, AsbIncident, AsbPerpetrator
from casework.meetings.models import AgendaItem, Meeting
from casework.panels.models import Panel
from casework.services import Services
from tests.asb.asb_world import USERS
from tests.asb.asb_world import World as AsbWorld
from tests.conftest import Factory

__all__ = ["USERS", "Made", "World"]


@dataclass(frozen=True)
class Made:
    """A case's ids, usable after the request that follows has closed the session."""

    id: uuid.UUID
    perpetrators: tuple[uuid.UUID, ...]


class World(AsbWorld):
    """The ASB case tests' panel and people, with cases and agenda items made directly."""

    def __init__(self, svc: Services, factory: Factory) -> None:
        super().__init__(svc, factory)
        self._count = 0

    def agency(self, code: str) -> Agency:
        return self.svc.session.query(Agency).filter_by(code=code).one()

    def case(self, incidents: tuple[date, ...] = (), perpetrators: int = 1, **kw: Any) -> Made:
        """A case referred by housing with incidents on these days and unnamed perpetrators."""
        self._count += 1
        case = AsbCase(
            panel_id=kw.get("panel_id", self.panel.id),
            reference=f"ASB-T{self._count:04d}",
            referral_date=kw.get("referral_date", clock.today() - timedelta(days=30)),
            referring_agency_id=self.agency("HOU").id,
            victim_first_name="Vera",
            victim_last_name="Victim",
            incidents=[AsbIncident(occurred_on=d, kind="noise") for d in incidents],
            perpetrators=[
                AsbPerpetrator(first_name="Perry", last_name=f"Person{n}")
                for n in range(perpetrators)
            ],
        )
        self.svc.session.add(case)
        self.svc.session.commit()
        return Made(case.id, tuple(p.id for p in case.perpetrators))

    def meetings(self, panel: Panel | None = None) -> list[Meeting]:
        panel_id = (panel or self.panel).id
        return list(
            self.svc.session.query(Meeting).filter_by(panel_id=panel_id).order_by(Meeting.starts_at)
        )

    def list_case(self, meeting: Meeting, case: Made) -> None:
        self.svc.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=len(meeting.items) + 1,
                kind="asb_case",
                case_type="asb_case",
                case_id=case.id,
            )
        )
        self.svc.session.commit()
