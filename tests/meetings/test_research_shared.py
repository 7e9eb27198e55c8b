"""Research as SafeLives frames it (issue 14, part 2): fact apart from opinion, information
held but not shared and why, and the author agency's choice to share its note with the
chair and coordinator before the meeting, who then see every agency's research collated.

Who reads shared research is the MARAC protocol's ``shared_research`` rule: the panel's chair
and coordinator, from circulation until 28 days after the meeting. These tests go through
the actions and the engine; the API and pages are in test_research_shared_api.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings import research, research_collated
from casework.meetings.models import Meeting, ResearchNote
from tests.meetings.conduct_setup import Partnership, partnership

FACTS = "Tenancy in joint names; police attended the property on 3 November"
OPINION = "Risk is escalating since the separation"
HELD = "A safeguarding referral about a neighbour's child"
WHY = "About a third party, not part of this case"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _save(p: Partnership, who: str, meeting: Meeting, shared: bool, **data) -> ResearchNote:
    body = {
        "has_information": "yes",
        "facts": FACTS,
        "opinion": OPINION,
        "held_not_shared": HELD,
        "not_shared_reason": WHY,
        "shared_before_meeting": "yes" if shared else "no",
        **data,
    }
    note = research.save_note(p.svc, p.actor(who), meeting.id, p.referrals[0].id, body)
    p.svc.session.commit()
    return note


def _statuses(p: Partnership, who: str, meeting: Meeting) -> dict[str, str]:
    view = research_collated.collated(p.svc, p.actor(who), meeting.id, p.referrals[0].id)
    return {row["agency"]: row["status"] for row in view["agencies"]}


def _row(p: Partnership, who: str, meeting: Meeting, code: str) -> dict:
    view = research_collated.collated(p.svc, p.actor(who), meeting.id, p.referrals[0].id)
    return next(row for row in view["agencies"] if row["agency"] == code)


def test_the_new_parts_are_stored_sealed_and_read_back_by_their_agency(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=True)
    p.svc.session.expire_all()
    stored = p.svc.session.get(ResearchNote, note.id)
    assert (stored.facts, stored.opinion) == (FACTS, OPINION)
    assert (stored.held_not_shared, stored.not_shared_reason) == (HELD, WHY)
    assert stored.shared_before_meeting is True
    raw = p.svc.session.execute(
        select(ResearchNote.facts_ct, ResearchNote.held_not_shared_ct).where(
            ResearchNote.id == note.id
        )
    ).one()
    assert FACTS.encode() not in bytes(raw[0]) and HELD.encode() not in bytes(raw[1])
    own = research.research_view(p.svc, p.actor("housing"), meeting.id)["cases"][0]["note"]
    assert own["facts"] == FACTS and own["not_shared_reason"] == WHY


@pytest.mark.parametrize("reader", ["chair", "coordinator"])
def test_shared_research_reaches_the_chair_and_coordinator_collated(p, reader):
    meeting = p.meeting(cases=1)
    _save(p, "housing", meeting, shared=True)
    _save(p, "health", meeting, shared=True, has_information="no", facts="", opinion="")
    assert _statuses(p, reader, meeting) == {
        "CSP": "not_researched",
        "HLT": "no_information",
        "HSG": "shared",
        "IDVA": "not_researched",
        "POL": "not_researched",
    }
    note = _row(p, reader, meeting, "HSG")["note"]
    assert (note["facts"], note["opinion"], note["has_information"]) == (FACTS, OPINION, True)
    # what the agency holds but does not share never leaves it, whatever it chose
    assert "held_not_shared" not in note and "not_shared_reason" not in note


def test_an_unshared_note_stays_with_its_agency(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=False)
    assert _statuses(p, "chair", meeting)["HSG"] == "not_researched"
    assert _row(p, "chair", meeting, "HSG")["note"] is None
    with pytest.raises(NotVisible):
        p.svc.sharing.get(p.svc.session, p.actor("coordinator"), ResearchNote, note.id)
    # its own agency is told it is not shared, without the collated page showing it
    assert _row(p, "housing", meeting, "HSG") == {
        "agency": "HSG",
        "agency_name": "HSG services",
        "status": "not_shared",
        "note": None,
    }


@pytest.mark.parametrize("reader", ["health", "idva", "referrer"])
def test_other_agencies_do_not_read_shared_research(p, reader):
    """The protocol shares it with the chair and coordinator, not with every member."""
    meeting = p.meeting(cases=1)
    _save(p, "health", meeting, shared=True)
    note = _save(p, "housing", meeting, shared=True)
    with pytest.raises(NotVisible):
        p.svc.sharing.get(p.svc.session, p.actor(reader), ResearchNote, note.id)
    assert _statuses(p, reader, meeting)["HSG"] == "not_researched"


def test_the_chair_reads_shared_research_only_within_the_window(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=True)
    with clock.travel(meeting.starts_at + timedelta(days=27)):
        assert p.svc.sharing.may(p.svc.session, p.actor("chair"), "view", note)
    with clock.travel(meeting.starts_at + timedelta(days=29)):
        assert not p.svc.sharing.may(p.svc.session, p.actor("chair"), "view", note)
        statuses = _statuses(p, "chair", meeting)
        assert set(statuses.values()) == {"not_researched"}
    # nor before circulation, nor for a cancelled meeting
    meeting.circulated_at = None
    p.svc.session.commit()
    assert not p.svc.sharing.may(p.svc.session, p.actor("chair"), "view", note)
    meeting.circulated_at, meeting.status = clock.now() - timedelta(hours=1), "cancelled"
    p.svc.session.commit()
    assert not p.svc.sharing.may(p.svc.session, p.actor("chair"), "view", note)


def test_a_chair_of_another_panel_sees_nothing(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=True)
    outsider = p.actor("outsider")  # chair and coordinator, but not of this panel
    assert not p.svc.sharing.may(p.svc.session, outsider, "view", note)
    with pytest.raises(NotVisible):
        research_collated.collated(p.svc, outsider, meeting.id, p.referrals[0].id)
    with pytest.raises(Forbidden):
        research_collated.collated(p.svc, p.actor("analyst"), meeting.id, p.referrals[0].id)
    elsewhere = p.refer()
    with pytest.raises(NotVisible):  # not on this agenda
        research_collated.collated(p.svc, p.actor("chair"), meeting.id, elsewhere.id)


def test_the_chair_reading_shared_research_is_audited_without_its_text(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=True, text="")
    research_collated.collated(p.svc, p.actor("chair"), meeting.id, p.referrals[0].id)
    viewed = [e for e in p.audits("research_note", "view", note.id) if e.agency_code == "POL"]
    assert [e.fields for e in viewed] == [["facts", "has_information", "opinion"]]
    for entry in p.svc.session.scalars(select(AuditEntry)):
        assert FACTS not in repr(entry.__dict__) and HELD not in repr(entry.__dict__)


def test_sharing_and_unsharing_are_audited_by_name(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=False)
    _save(p, "housing", meeting, shared=True)
    created = p.audits("research_note", "create", note.id)
    updated = p.audits("research_note", "update", note.id)
    assert created[0].fields == [
        "facts",
        "has_information",
        "held_not_shared",
        "not_shared_reason",
        "opinion",
    ]
    assert "shared_before_meeting" in updated[0].fields


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"held_not_shared": HELD, "not_shared_reason": ""}, "not_shared_reason"),
        ({"facts": "x" * 5001}, "facts"),
        ({"opinion": "x" * 5001}, "opinion"),
        ({"facts": "", "opinion": "", "text": ""}, "text"),
        ({"shared_before_meeting": "maybe"}, "shared_before_meeting"),
        ({"facts": "bad \x07 bell"}, "facts"),
    ],
)
def test_bad_research_is_refused_naming_the_field(p, data, field):
    meeting = p.meeting(cases=1)
    with pytest.raises(Invalid) as err:
        _save(p, "housing", meeting, shared=True, **data)
    assert field in err.value.fields
    p.svc.session.rollback()
    assert p.svc.session.scalar(select(ResearchNote.id)) is None


def test_facts_or_opinion_alone_are_enough_to_say_yes(p):
    meeting = p.meeting(cases=1)
    note = _save(p, "housing", meeting, shared=True, facts="", held_not_shared="", text="")
    assert note.opinion == OPINION and note.facts is None and note.not_shared_reason == WHY
