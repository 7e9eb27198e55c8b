"""One agenda item per victim: referrals of the same person waiting for one meeting are heard
together as one case, led by the latest, and the figures count one case heard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.audit.models import AuditEntry
from casework.errors import Invalid
from casework.meetings import agenda, conduct, research
from casework.meetings.agenda_view import agenda_for
from casework.meetings.models import AgendaItem, Meeting, ResearchNote
from casework.referrals import lifecycle
from casework.referrals.models import PossibleMatch, Referral
from casework.stats.actions import marac_stats
from tests.conftest import Factory
from tests.meetings.agenda_setup import TODAY, Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _hart(p: Partnership, day: int, by: str = "referrer", **changes) -> Referral:
    """A referral of one victim, Amelia Hart, referred ``day`` days ago."""
    return p.refer(
        by=by,
        victim__first_name="Amelia",
        victim__last_name="Hart",
        referral_date=(TODAY - timedelta(days=day)).isoformat(),
        **changes,
    )


def _items(p: Partnership, meeting: Meeting) -> list[AgendaItem]:
    p.svc.session.expire_all()
    stmt = select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    return list(p.svc.session.scalars(stmt.order_by(AgendaItem.position)))


def test_two_referrals_of_one_victim_from_two_agencies_are_one_item_led_by_the_latest(
    p: Partnership,
) -> None:
    p.users["idva_ref"] = p.factory.user("ref@idva.example", "IDVA", ("referrer",))
    meeting = p.meeting()
    older = _hart(p, 40)
    newer = _hart(p, 5, by="idva_ref")
    other = p.refer()
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()

    rows = _items(p, meeting)
    cases = [r for r in rows if r.kind == "referral"]
    assert {c.referral_id for c in cases} == {newer.id, other.id}
    joined = [r for r in rows if r.kind == "joined"]
    lead = next(c for c in cases if c.referral_id == newer.id)
    assert [(j.referral_id, j.lead_id) for j in joined] == [(older.id, lead.id)]
    assert {p.svc.session.get(Referral, r.id).status for r in (older, newer)} == {"listed"}

    shown = agenda_for(p.svc, p.actor("coordinator"), meeting.id)
    hart = next(i for i in shown["items"] if i["referral_id"] == str(newer.id))
    assert hart["referral_ids"] == [str(newer.id), str(older.id)]
    assert [i["position"] for i in shown["items"]] == [1, 2]  # two slots, not three


def test_a_referral_accepted_later_joins_the_item_and_research_follows_the_new_lead(
    p: Partnership,
) -> None:
    meeting = p.meeting()
    first = _hart(p, 30)
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    meeting.circulated_at = clock.now() - timedelta(hours=1)
    p.svc.session.commit()
    research.save_note(
        p.svc, p.actor("housing"), meeting.id, first.id, {"has_information": "yes", "text": "x"}
    )
    p.svc.session.commit()

    later = _hart(p, 2, accept=False)
    lifecycle.accept_referral(p.svc, p.actor("coordinator"), later.id)
    item = agenda.add_item(p.svc, p.actor("coordinator"), meeting.id, {"referral_id": later.id})
    p.svc.session.commit()

    assert item.referral_id == later.id  # the latest leads
    rows = _items(p, meeting)
    assert [(r.kind, r.referral_id) for r in rows if r.kind == "joined"] == [("joined", first.id)]
    assert len([r for r in rows if r.kind == "referral"]) == 1
    note = p.svc.session.scalar(select(ResearchNote).where(ResearchNote.meeting_id == meeting.id))
    assert note.referral_id == later.id  # what housing found stays with the case


def test_different_people_are_not_joined_and_a_confirmed_match_is(p: Partnership) -> None:
    meeting = p.meeting()
    a = _hart(p, 20)
    namesake = _hart(p, 10, victim__date_of_birth="1991-04-01")  # another Amelia Hart
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    assert len([r for r in _items(p, meeting) if r.kind == "referral"]) == 2

    other_meeting = p.meeting(day=TODAY + timedelta(days=40))
    b = p.refer(victim__first_name="Amy", victim__last_name="Hart", accept=False)
    c = p.refer(victim__first_name="Amelia", victim__last_name="Hart-Jones", accept=False)
    p.svc.session.add(
        PossibleMatch(referral_id=c.id, other_referral_id=b.id, reason="name", status="confirmed")
    )
    p.svc.session.commit()
    coordinator = p.actor("coordinator")
    for referral in (b, c):
        lifecycle.accept_referral(p.svc, coordinator, referral.id)
        agenda.add_item(p.svc, coordinator, other_meeting.id, {"referral_id": referral.id})
    p.svc.session.commit()
    rows = _items(p, other_meeting)
    assert len([r for r in rows if r.kind == "referral"]) == 1
    assert {r.referral_id for r in rows} == {b.id, c.id}
    assert a.id != namesake.id


def test_the_chair_splits_a_wrong_join_and_it_is_audited(p: Partnership) -> None:
    meeting = p.meeting()
    _hart(p, 30)
    _hart(p, 3)
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    joined = next(r for r in _items(p, meeting) if r.kind == "joined")

    with pytest.raises(Invalid):
        agenda.split_item(p.svc, p.actor("chair"), meeting.id, meeting.id)  # not a joined row
    p.svc.session.rollback()
    item = agenda.split_item(p.svc, p.actor("chair"), meeting.id, joined.id)
    p.svc.session.commit()
    assert (item.kind, item.lead_id, item.position) == ("referral", None, 2)
    entries = p.svc.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "referral"))
    assert any(e.record_id == str(joined.referral_id) for e in entries)


def test_removing_the_item_returns_every_referral_of_it_to_accepted(p: Partnership) -> None:
    meeting = p.meeting()
    refs = [_hart(p, 30), _hart(p, 3)]
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    lead = next(r for r in _items(p, meeting) if r.kind == "referral")
    agenda.remove_item(p.svc, p.actor("coordinator"), meeting.id, lead.id)
    p.svc.session.commit()
    assert _items(p, meeting) == []
    assert {p.svc.session.get(Referral, r.id).status for r in refs} == {"accepted"}


def test_deferring_moves_the_joined_referrals_with_their_case(p: Partnership) -> None:
    meeting = p.meeting()
    later = p.meeting(day=TODAY + timedelta(days=40))
    refs = [_hart(p, 30), _hart(p, 3)]
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    lead = next(r for r in _items(p, meeting) if r.kind == "referral")
    agenda.defer_items(p.svc, p.actor("coordinator"), meeting.id, {"items": [str(lead.id)]})
    p.svc.session.commit()
    assert _items(p, meeting) == []
    assert {r.referral_id for r in _items(p, later)} == {r.id for r in refs}


def _close(p: Partnership, meeting: Meeting) -> None:
    codes = ["POL", "CSP", "IDVA", "HSG"]
    answers = {f"attendance-{c}": "present" if c == "POL" else "apologies" for c in codes}
    conduct.record_attendance(p.svc, p.actor("chair"), meeting.id, answers)
    with clock.travel(meeting.starts_at + timedelta(hours=2)):
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
    p.svc.session.commit()


def test_closing_marks_all_heard_and_the_figures_count_one_case_and_its_lead_s_repeat(
    p: Partnership,
) -> None:
    meeting = p.meeting()
    older = _hart(p, 40)
    newer = _hart(p, 5)  # the same victim and perpetrator within 12 months: a repeat
    assert newer.crit_repeat and not older.crit_repeat
    agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    _close(p, meeting)

    assert {p.svc.session.get(Referral, r.id).status for r in (older, newer)} == {"heard"}
    day = meeting.starts_at.date()
    _, figures = marac_stats(p.svc, p.actor("analyst"), {"from": str(day), "to": str(day)})
    heard = {k: figures["heard"][k] for k in ("meetings", "cases", "repeat", "repeat_rate")}
    assert heard == {"meetings": 1, "cases": 1, "repeat": 1, "repeat_rate": 1.0}
    start = min(older.referral_date, newer.referral_date)
    _, referred = marac_stats(p.svc, p.actor("analyst"), {"from": str(start), "to": str(TODAY)})
    assert referred["referrals"]["total"] == 2  # every referral still counts as referred
