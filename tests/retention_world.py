"""A MARAC partnership with cases past their retention period, for the retention tests: one
referral heard at a meeting with minutes, research and an action (the one to erase), one as
old (to hold) and one recent (not due). Dates are counted back from the service's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from casework import clock
from casework.meetings.models import (
    AgendaItem,
    Attendance,
    CaseAction,
    Meeting,
    Minute,
    ResearchNote,
)
from casework.referrals.models import Referral
from tests.conftest import Factory
from tests.meetings.conduct_setup import Partnership, partnership, uk

TODAY = clock.today()
OLD = TODAY - timedelta(days=7 * 366)  # past the six years, whatever the day
CANARIES = {
    "victim__first_name": "Zephyrine",
    "victim__last_name": "Quillfeather",
    "victim__address": "77 Canary Wharf Lane",
    "summary": "Xylophonic threats recorded",
}
PERPETRATOR = {
    "first_name": "Bartholomew",
    "last_name": "Grimsditch",
    "date_of_birth": "1980-02-02",
    "relationship_to_victim": "ex-partner",
}
MINUTE_TEXT = "Marmalade-coloured van seen"
ACTION_TEXT = "Fit Wolverhampton-grade locks"


@dataclass
class World:
    p: Partnership
    erased: Referral
    recent: Referral
    held: Referral
    meeting: Meeting


def _old_referral(p: Partnership, **changes: object) -> Referral:
    return p.refer(referral_date=OLD.isoformat(), **changes)


def build_world(factory: Factory) -> World:
    p = partnership(factory)
    p.users["dpo"] = factory.user("dpo@csp.example", "CSP", ("dpo",))
    erased = _old_referral(p, perpetrators=[PERPETRATOR], **CANARIES)
    held = _old_referral(p)
    recent = p.refer()
    meeting = Meeting(panel_id=p.panel.id, starts_at=uk(OLD + timedelta(days=14)), status="closed")
    p.svc.session.add(meeting)
    for position, referral in enumerate((erased, held), start=1):
        p.svc.session.add(
            AgendaItem(meeting_id=meeting.id, position=position, referral_id=referral.id)
        )
    p.svc.session.add(Attendance(meeting_id=meeting.id, agency_id=p.agency("HSG").id))
    minute = Minute(meeting_id=meeting.id, referral_id=erased.id)
    minute.text = MINUTE_TEXT
    note = ResearchNote(meeting_id=meeting.id, referral_id=erased.id, agency_id=p.agency("HSG").id)
    note.text = MINUTE_TEXT + " (research)"
    act = CaseAction(
        meeting_id=meeting.id,
        referral_id=erased.id,
        owner_agency_id=p.agency("HSG").id,
        due_on=OLD + timedelta(days=30),
    )
    act.description = ACTION_TEXT
    p.svc.session.add_all([minute, note, act])
    p.svc.session.commit()
    return World(p, erased, recent, held, meeting)
