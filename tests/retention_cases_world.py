"""Offender panel nominals and ASB cases past their retention period, for the retention tests.

Nominals: one who left the PPO cohort more than six years ago (to erase), one still in it
(never due) and one who left last year (not due), all entered on the same old day so the
cohort figures count them together. ASB cases: one closed long ago (to erase), one as old but
open (never due), one closed long ago with an incident last year (not due). Each case to
erase has records of every kind (and a subject access copy), holding canary words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from casework import clock
from casework.accounts.auth import actor_for
from casework.asb.models import (
    AsbBreach,
    AsbCase,
    AsbIncident,
    AsbIntervention,
    CommunityTrigger,
)
from casework.meetings.models import AgendaItem, CaseAction, Meeting, Minute
from casework.offenders.models import (
    Classification,
    CohortMembership,
    CustodyPeriod,
    Intervention,
    Nominal,
    OffenderEvent,
    PathwayNeed,
)
from casework.services import Services
from casework.subject_access.models import SubjectAccessItem, SubjectAccessRequest
from tests.asb.enforcement_world import World as AsbWorld
from tests.conftest import Factory
from tests.meetings.conduct_setup import uk
from tests.offenders.conftest import World as OffenderWorld

TODAY = clock.today()
OLD = TODAY - timedelta(days=9 * 366)  # entered or referred
LEFT = OLD + timedelta(days=2 * 366)  # left the cohort, closed: more than six years ago
NOMINAL = {
    "first_name": "Ozymandias",
    "last_name": "Brackenridge",
    "pnc_id": "77/999111Q",
    "address": "9 Pelican Crescent",
}
NOMINAL_TEXTS = ("Kestrel-themed tattoo noted", "Pineapple hostel placement", "Zanzibar course")
ASB_VICTIM = {"victim_last_name": "Thistlewaite", "victim_address": "12 Juniper Mews"}
ASB_TEXTS = ("Gramophone blaring at 3am", "Trampoline dispute letter", "Sassafras notice")


@dataclass
class NominalWorld:
    w: OffenderWorld
    erased: Nominal
    in_cohort: Nominal
    recent: Nominal
    disclosure: SubjectAccessItem


@dataclass
class AsbCases:
    w: AsbWorld
    erased: AsbCase
    open_case: AsbCase
    late_incident: AsbCase
    disclosure: SubjectAccessItem


def _dpo(svc: Services, factory: Factory, agency: str) -> Any:
    return actor_for(factory.user("dpo@csp.example", agency, ("dpo",)), via="test")


def _disclosure(svc: Services, source_key: str, text: str) -> SubjectAccessItem:
    request = SubjectAccessRequest(requester_type="other", received_on=TODAY, due_on=TODAY)
    request.reference = "SAR 1"
    item = SubjectAccessItem(
        request_id=request.id,
        position=1,
        source_key=source_key,
        source_type=source_key.split(":")[0],
        category="own_details",
        default_decision="release",
        decision="release",
    )
    item.title, item.content = "Record", [["Detail", text]]
    svc.session.add_all([request, item])
    return item


def _spell(svc: Services, nominal: Nominal, left: date | None) -> None:
    spell = svc.session.query(CohortMembership).filter_by(nominal_id=nominal.id).one()
    spell.entry_date, spell.exit_date = OLD, left
    spell.exit_reason = "deselected" if left else None


def build_nominals(svc: Services, factory: Factory) -> NominalWorld:
    w = OffenderWorld(svc, factory)
    w.dpo = _dpo(svc, factory, "POL")  # type: ignore[attr-defined]
    erased = w.nominal(**NOMINAL, date_of_birth="1985-03-04")
    in_cohort = w.nominal(first_name="Al", last_name="Stays", pnc_id="01/1X")
    recent = w.nominal(first_name="Bo", last_name="Lately", pnc_id="02/2X")
    for nominal, left in ((erased, LEFT), (in_cohort, None), (recent, TODAY - timedelta(366))):
        _spell(svc, nominal, left)
        for days in (-100, -40, 90):
            svc.session.add(
                OffenderEvent(
                    nominal_id=nominal.id,
                    event_date=OLD + timedelta(days=days),
                    category="burglary",
                    outcome="charge",
                )
            )
    ppo = w.panels["ppo"].id
    reason = Classification(nominal_id=erased.id, panel_id=ppo, classification="cc", decided_on=OLD)
    reason.reason = NOMINAL_TEXTS[0]
    need = PathwayNeed(nominal_id=erased.id, pathway="accommodation", achieved=True)
    need.notes = NOMINAL_TEXTS[1]
    course = Intervention(nominal_id=erased.id, kind="mentoring", start_date=OLD)
    course.outcome = NOMINAL_TEXTS[2]
    custody = CustodyPeriod(nominal_id=erased.id, start_date=OLD + timedelta(days=10))
    custody.end_date = OLD + timedelta(days=20)
    meeting = Meeting(panel_id=ppo, starts_at=uk(OLD + timedelta(days=7)), status="closed")
    svc.session.add_all([reason, need, course, custody, meeting])
    svc.session.flush()
    svc.session.add(
        AgendaItem(meeting_id=meeting.id, position=1, kind="review", nominal_id=erased.id)
    )
    act = CaseAction(
        meeting_id=meeting.id,
        nominal_id=erased.id,
        owner_agency_id=w.users["police"].agency_id,
        due_on=OLD + timedelta(days=30),
    )
    act.description = NOMINAL_TEXTS[0] + " (action)"
    svc.session.add(act)
    item = _disclosure(svc, f"nominal:{erased.id}", NOMINAL["last_name"])
    svc.session.commit()
    return NominalWorld(w, erased, in_cohort, recent, item)


def build_asb(svc: Services, factory: Factory) -> AsbCases:
    w = AsbWorld(svc, factory)
    w.dpo = _dpo(svc, factory, "ASBT")  # type: ignore[attr-defined]
    made = w.case(incidents=(OLD + timedelta(days=3),), perpetrators=2, referral_date=OLD)
    open_made = w.case(incidents=(OLD,), referral_date=OLD)
    late_made = w.case(incidents=(OLD, TODAY - timedelta(days=366)), referral_date=OLD)
    session = svc.session
    erased, open_case, late = (session.get(AsbCase, m.id) for m in (made, open_made, late_made))
    for case in (erased, late):
        case.status, case.closed_on, case.outcome = "closed", LEFT, "resolved"
    erased.victim_last_name = ASB_VICTIM["victim_last_name"]
    erased.victim_address = ASB_VICTIM["victim_address"]
    erased.summary = ASB_TEXTS[0]
    housing = w.agency("HOU").id
    session.query(AsbIncident).filter_by(case_id=erased.id).one().reference = "INC-CANARY-77"
    trigger = CommunityTrigger(
        case_id=erased.id,
        received_on=OLD + timedelta(days=5),
        decision_due_on=OLD + timedelta(days=30),
        status="decided",
        threshold_met=True,
        decision="recommendations_made",
        decided_on=OLD + timedelta(days=20),
    )
    trigger.recommendations = ASB_TEXTS[1]
    letter = AsbIntervention(
        perpetrator_id=made.perpetrators[0],
        case_id=erased.id,
        kind="warning_letter",
        agency_id=housing,
        issued_on=OLD + timedelta(days=6),
        outcome="breached",
    )
    letter.notes = ASB_TEXTS[2]
    breach = AsbBreach(intervention_id=letter.id, occurred_on=OLD + timedelta(days=9))
    breach.action_taken = ASB_TEXTS[2] + " breached"
    session.add_all([trigger, letter])
    session.flush()
    session.add(breach)
    meeting = Meeting(panel_id=w.panel.id, starts_at=uk(OLD + timedelta(days=14)), status="closed")
    session.add(meeting)
    session.flush()
    about = {"case_type": "asb_case", "case_id": erased.id}
    session.add(AgendaItem(meeting_id=meeting.id, position=1, kind="asb_case", **about))
    minute = Minute(meeting_id=meeting.id, **about)
    minute.text = ASB_TEXTS[0] + " (minuted)"
    act = CaseAction(meeting_id=meeting.id, owner_agency_id=housing, due_on=OLD, **about)
    act.description = ASB_TEXTS[1] + " (action)"
    session.add_all([minute, act])
    item = _disclosure(svc, f"asb_case:{erased.id}:victim", ASB_VICTIM["victim_last_name"])
    session.commit()
    return AsbCases(w, erased, open_case, late, item)
