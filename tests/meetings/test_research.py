"""Research notes: each member agency's notes on listed cases, visible to that agency alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings import research
from casework.meetings.models import ResearchNote
from tests.meetings.conduct_setup import Partnership, partnership, racing_lookup

SECRET = "Tenancy flagged: perpetrator seen at the property on 3 November"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _note(p: Partnership, who: str, meeting, referral, **data) -> ResearchNote:
    body = {"has_information": "yes", "text": SECRET, **data}
    note = research.save_note(p.svc, p.actor(who), meeting.id, referral.id, body)
    p.svc.session.commit()
    return note


def test_a_member_agency_sees_its_listed_cases_with_only_what_the_protocol_grants(p):
    meeting = p.meeting(cases=2)
    view = research.research_view(p.svc, p.actor("housing"), meeting.id)
    assert [row["case"]["id"] for row in view["cases"]] == [str(r.id) for r in p.referrals]
    case = view["cases"][0]["case"]
    assert case["victim"]["last_name"] == "Doe001"
    assert case["risk"]["band"] == "high"
    # identity and risk summary, never the victim's address or the referral's narrative
    assert "address" not in case["victim"] and "phone" not in case["victim"]
    assert "summary" not in case and "dash" not in case["risk"]
    assert all(row["note"] is None for row in view["cases"])
    assert view["editable"] is True


def test_a_note_is_saved_once_per_agency_and_case_and_edited_in_place(p):
    meeting = p.meeting(cases=1)
    referral = p.referrals[0]
    first = _note(p, "housing", meeting, referral)
    second = _note(p, "housing2", meeting, referral, has_information="no", text="")
    assert first.id == second.id
    count = p.svc.session.scalar(select(func.count()).select_from(ResearchNote))
    assert count == 1
    view = research.research_view(p.svc, p.actor("housing"), meeting.id)
    assert view["cases"][0]["note"]["has_information"] is False
    assert view["cases"][0]["note"]["text"] is None
    assert view["done"] == 1


@pytest.mark.parametrize("reader", ["health", "coordinator", "chair", "idva"])
def test_no_other_agency_reads_a_note_not_even_the_coordinator_or_the_police_chair(p, reader):
    meeting = p.meeting(cases=1)
    note = _note(p, "housing", meeting, p.referrals[0])
    with pytest.raises(NotVisible):
        p.svc.sharing.get(p.svc.session, p.actor(reader), ResearchNote, note.id)
    view = research.research_view(p.svc, p.actor(reader), meeting.id)
    assert view["cases"][0]["note"] is None  # they see the case, never housing's note
    listed = p.svc.session.scalars(
        select(ResearchNote).where(
            p.svc.sharing.visible_clause(p.actor(reader), "list", ResearchNote)
        )
    )
    assert list(listed) == []


def test_another_agency_writes_its_own_note_beside_it(p):
    meeting = p.meeting(cases=1)
    mine = _note(p, "housing", meeting, p.referrals[0])
    theirs = _note(p, "health", meeting, p.referrals[0], text="No record held")
    assert mine.id != theirs.id and mine.text == SECRET


def test_saving_is_audited_with_field_names_and_never_the_text(p):
    meeting = p.meeting(cases=1)
    note = _note(p, "housing", meeting, p.referrals[0])
    _note(p, "housing", meeting, p.referrals[0], text="Updated")
    research.research_view(p.svc, p.actor("housing"), meeting.id)
    p.svc.session.commit()
    created = p.audits("research_note", "create", note.id)
    updated = p.audits("research_note", "update", note.id)
    viewed = p.audits("research_note", "view", note.id)
    assert [e.fields for e in created] == [["has_information", "text"]]
    assert [e.fields for e in updated] == [["has_information", "text"]]
    assert viewed and viewed[0].fields == ["has_information", "text"]
    assert viewed[0].agency_code == "HSG"
    for entry in p.svc.session.scalars(select(AuditEntry)):
        assert SECRET not in repr(entry.__dict__)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "x"}, "has_information"),
        ({"has_information": "maybe"}, "has_information"),
        ({"has_information": "yes"}, "text"),
        ({"has_information": "yes", "text": "   "}, "text"),
        ({"has_information": "no", "text": "x" * 5001}, "text"),
        ({"has_information": "no", "agency_id": "POL"}, "agency_id"),
    ],
)
def test_bad_notes_are_refused_naming_the_field(p, data, field):
    meeting = p.meeting(cases=1)
    with pytest.raises(Invalid) as err:
        research.save_note(p.svc, p.actor("housing"), meeting.id, p.referrals[0].id, data)
    assert field in err.value.fields
    assert p.svc.session.scalar(select(func.count()).select_from(ResearchNote)) == 0


def test_a_no_with_no_notes_is_enough(p):
    meeting = p.meeting(cases=1)
    note = _note(p, "housing", meeting, p.referrals[0], has_information="no", text="")
    assert note.has_information is False and note.text is None


def test_research_opens_at_circulation_and_only_for_the_panel(p):
    draft = p.meeting(cases=1, circulated=False)
    with pytest.raises(NotVisible):
        research.research_view(p.svc, p.actor("housing"), draft.id)
    meeting = p.meeting(cases=1)
    with pytest.raises(NotVisible):  # an agency on another panel
        research.research_view(p.svc, p.actor("outsider"), meeting.id)
    with pytest.raises(NotVisible):
        research.save_note(
            p.svc, p.actor("outsider"), meeting.id, p.referrals[-1].id, {"has_information": "no"}
        )
    with pytest.raises(Forbidden):  # analysts never see case data
        research.research_view(p.svc, p.actor("analyst"), meeting.id)
    with pytest.raises(NotVisible):
        research.research_view(p.svc, p.actor("housing"), "not-a-meeting")


def test_a_case_not_on_this_agenda_cannot_be_researched_here(p):
    meeting = p.meeting(cases=1)
    elsewhere = p.refer()
    with pytest.raises(NotVisible):
        research.save_note(
            p.svc, p.actor("housing"), meeting.id, elsewhere.id, {"has_information": "no"}
        )


def test_notes_are_read_only_once_the_meeting_is_closed(p):
    meeting = p.meeting(cases=1)
    _note(p, "housing", meeting, p.referrals[0])
    meeting.status = "closed"
    p.svc.session.commit()
    with pytest.raises(Invalid) as err:
        _note(p, "housing", meeting, p.referrals[0], text="Too late")
    assert err.value.code == "meeting_closed"
    view = research.research_view(p.svc, p.actor("housing"), meeting.id)
    assert view["editable"] is False and view["cases"][0]["note"]["text"] == SECRET


def test_the_research_list_shows_circulated_meetings_of_my_panels(p):
    mine = p.meeting(cases=1)
    p.meeting(cases=0, circulated=False)
    theirs = p.meeting(cases=0, panel=p.other_panel)
    rows = research.research_meetings(p.svc, p.actor("housing"))
    assert [r["meeting"].id for r in rows] == [mine.id]
    assert rows[0]["panel"].name == "Northshire MARAC" and rows[0]["items"] == 1
    outside = research.research_meetings(p.svc, p.actor("outsider"))
    assert [r["meeting"].id for r in outside] == [theirs.id]


def test_two_first_saves_at_once_both_succeed_and_the_second_replaces_the_first(p, monkeypatch):
    """The later of two simultaneous first saves finds no note, then meets the earlier one's
    row at insert (unique constraint): it replaces it, audited as an update, never a 500."""
    meeting = p.meeting(cases=1)
    referral = p.referrals[0]
    first = _note(p, "housing", meeting, referral, text="Tenancy in joint names")
    p.svc.session.expunge(first)  # the other request's row: known only to the database
    calls = racing_lookup(monkeypatch, research, "_find_note")
    second = _note(p, "housing2", meeting, referral, text=SECRET)
    assert len(calls) == 2  # missed it, then loaded it after the insert failed
    assert second.id == first.id
    p.svc.session.expire_all()
    notes = list(p.svc.session.scalars(select(ResearchNote)))
    assert [(n.id, n.text, n.has_information) for n in notes] == [(first.id, SECRET, True)]
    assert notes[0].author_id == p.users["housing2"].id
    created = p.audits("research_note", "create")
    updated = p.audits("research_note", "update")
    assert [(e.actor_email, e.record_id) for e in created] == [("rep@hsg.example", str(first.id))]
    assert [(e.actor_email, e.record_id, e.fields) for e in updated] == [
        ("officer@hsg.example", str(first.id), ["has_information", "text"])
    ]


def test_a_save_that_cannot_find_the_row_it_collided_with_is_refused_whole(p, monkeypatch):
    """Should the row the insert collided with not be found again, the save answers 422
    (conflict) and the request's rollback leaves the first note exactly as it was."""
    meeting = p.meeting(cases=1)
    first = _note(p, "housing", meeting, p.referrals[0])
    racing_lookup(monkeypatch, research, "_find_note", misses=2)
    with pytest.raises(Invalid) as err:
        _note(p, "housing2", meeting, p.referrals[0], text="Lost")
    assert err.value.code == "conflict"
    p.svc.session.rollback()
    p.svc.session.expire_all()
    notes = list(p.svc.session.scalars(select(ResearchNote)))
    assert [(n.id, n.text) for n in notes] == [(first.id, SECRET)]
    assert p.audits("research_note", "update") == []
