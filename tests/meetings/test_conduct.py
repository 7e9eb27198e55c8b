"""Running the meeting: attendance, attendees and the confidentiality statement, minutes
restricted to attending agencies, and closing (which marks the cases heard)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.audit.models import AuditEntry
from casework.errors import Conflict, Forbidden, Invalid, NotVisible
from casework.meetings import conduct, minutes
from casework.meetings.models import Attendance, Attendee, Minute
from tests.meetings.conduct_setup import MEMBERS, Partnership, partnership, racing_lookup

MINUTES = "Police to attend the address; housing to fit target hardening"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _attendance(**answers: str) -> dict[str, str]:
    body = {f"attendance-{code}": "absent" for code in MEMBERS}
    body.update({f"attendance-{code}": answer for code, answer in answers.items()})
    return body


def _ready(p: Partnership, meeting, present=("POL", "CSP", "HSG"), apologies=("HLT",)):
    """Attendance taken through the action, one acknowledged attendee per agency present."""
    answers = {c: "present" for c in present} | {c: "apologies" for c in apologies}
    conduct.record_attendance(p.svc, p.actor("chair"), meeting.id, _attendance(**answers))
    for code in present:
        conduct.add_attendee(
            p.svc, p.actor("chair"), meeting.id, {"name": f"{code} lead", "agency": code}
        )
    people = conduct.attendees(p.svc, meeting)
    conduct.acknowledge(
        p.svc, p.actor("chair"), meeting.id, {"acknowledged": [str(x.id) for x in people]}
    )
    p.svc.session.commit()


def _minute(p: Partnership, meeting, referral, text: str = MINUTES, who: str = "chair"):
    minute = minutes.save_minute(p.svc, p.actor(who), meeting.id, referral.id, {"text": text})
    p.svc.session.commit()
    return minute


def test_attendance_is_recorded_for_every_member_agency(p):
    meeting = p.meeting(cases=1)
    conduct.record_attendance(
        p.svc, p.actor("chair"), meeting.id, _attendance(POL="present", HLT="apologies")
    )
    p.svc.session.commit()
    codes = {a.id: a.code for a in conduct.panel_agencies(p.svc, meeting)}
    assert {codes[k]: v for k, v in conduct.attendance(p.svc, meeting).items()} == {
        "POL": "present",
        "HLT": "apologies",
    }
    # changed later: an agency marked absent loses its row
    conduct.record_attendance(p.svc, p.actor("coordinator"), meeting.id, _attendance(CSP="present"))
    p.svc.session.commit()
    assert list(conduct.attendance(p.svc, meeting).values()) == ["present"]
    entries = p.audits("meeting", "update", meeting.id)
    assert [e.fields for e in entries] == [["attendance"], ["attendance"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {k: v for k, v in _attendance(POL="present").items() if k != "attendance-HLT"},
            "attendance-HLT",
        ),
        (_attendance(POL="late"), "attendance-POL"),
        (_attendance(), "attendance-CSP"),  # nobody present: CSP sorts first by name
        ({**_attendance(POL="present"), "attendance-OUT": "present"}, "attendance-OUT"),
    ],
)
def test_attendance_needs_an_answer_per_member_and_someone_present(p, body, field):
    meeting = p.meeting(cases=0)
    with pytest.raises(Invalid) as err:
        conduct.record_attendance(p.svc, p.actor("chair"), meeting.id, body)
    assert field in err.value.fields
    assert p.svc.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_only_the_panels_chair_or_coordinator_runs_the_meeting(p):
    meeting = p.meeting(cases=1)
    with pytest.raises(Forbidden):
        conduct.conduct_view(p.svc, p.actor("housing"), meeting.id)
    with pytest.raises(NotVisible):  # coordinator and chair of another panel
        conduct.conduct_view(p.svc, p.actor("outsider"), meeting.id)
    with pytest.raises(NotVisible):
        conduct.record_attendance(p.svc, p.actor("outsider"), meeting.id, _attendance())
    view = conduct.conduct_view(p.svc, p.actor("coordinator"), meeting.id)
    assert [c["referral_id"] for c in view["cases"]] == [p.referrals[0].id]
    assert view["problems"] == ["Record which agencies are present before recording minutes"]
    assert "perpetrator must never be told" in " ".join(view["statement"])


def test_attendees_belong_to_an_agency_recorded_present(p):
    meeting = p.meeting(cases=0)
    conduct.record_attendance(
        p.svc, p.actor("chair"), meeting.id, _attendance(POL="present", HLT="apologies")
    )
    for agency, message in [("HLT", "Record HLT as present"), ("OUT", "Select an agency")]:
        with pytest.raises(Invalid) as err:
            conduct.add_attendee(
                p.svc, p.actor("chair"), meeting.id, {"name": "Sam Lee", "agency": agency}
            )
        assert err.value.fields["agency"][0].startswith(message)
    with pytest.raises(Invalid) as err:
        conduct.add_attendee(p.svc, p.actor("chair"), meeting.id, {"name": " ", "agency": "POL"})
    assert "name" in err.value.fields
    person = conduct.add_attendee(
        p.svc, p.actor("chair"), meeting.id, {"name": "DS Sam Lee", "agency": "POL"}
    )
    p.svc.session.commit()
    assert person.acknowledged_at is None
    [entry] = p.audits("attendee", "create", person.id)
    assert entry.fields == ["agency", "name"] and "Sam Lee" not in repr(entry.__dict__)
    conduct.remove_attendee(p.svc, p.actor("chair"), meeting.id, person.id)
    p.svc.session.commit()
    assert p.svc.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_each_attendee_acknowledges_the_statement_and_can_withdraw_it(p):
    meeting = p.meeting(cases=0)
    conduct.record_attendance(p.svc, p.actor("chair"), meeting.id, _attendance(POL="present"))
    a = conduct.add_attendee(p.svc, p.actor("chair"), meeting.id, {"name": "A", "agency": "POL"})
    b = conduct.add_attendee(p.svc, p.actor("chair"), meeting.id, {"name": "B", "agency": "POL"})
    waiting = conduct.acknowledge(
        p.svc, p.actor("chair"), meeting.id, {"acknowledged": [str(a.id)]}
    )
    assert waiting == 1 and a.acknowledged_at is not None and b.acknowledged_at is None
    conduct.acknowledge(p.svc, p.actor("chair"), meeting.id, {"acknowledged": [str(b.id)]})
    assert a.acknowledged_at is None and b.acknowledged_at is not None
    with pytest.raises(Invalid) as err:
        conduct.acknowledge(p.svc, p.actor("chair"), meeting.id, {"acknowledged": ["someone"]})
    assert "acknowledged" in err.value.fields


def test_minutes_wait_for_attendance_and_every_acknowledgement(p):
    meeting = p.meeting(cases=1)
    referral = p.referrals[0]

    def refused() -> list[str]:
        with pytest.raises(Invalid) as err:
            _minute(p, meeting, referral)
        assert err.value.code == "not_ready"
        return err.value.fields["_schema"]

    assert refused() == ["Record which agencies are present before recording minutes"]
    conduct.record_attendance(
        p.svc, p.actor("chair"), meeting.id, _attendance(POL="present", HSG="present")
    )
    assert refused() == ["Add who attended for HSG, POL"]
    person = conduct.add_attendee(
        p.svc, p.actor("chair"), meeting.id, {"name": "DI Kim", "agency": "POL"}
    )
    conduct.add_attendee(p.svc, p.actor("chair"), meeting.id, {"name": "Alex", "agency": "HSG"})
    assert refused() == ["Every attendee must acknowledge the confidentiality statement"]
    everyone = [str(x.id) for x in conduct.attendees(p.svc, meeting)]
    conduct.acknowledge(p.svc, p.actor("chair"), meeting.id, {"acknowledged": everyone})
    # the coordinator's own agency (CSP) is not recorded present: it could not read its minutes
    with pytest.raises(Invalid) as err:
        _minute(p, meeting, referral, who="coordinator")
    assert err.value.fields["_schema"] == ["Record your own agency as present to record minutes"]
    assert _minute(p, meeting, referral).text == MINUTES
    assert person.acknowledged_at is not None


def test_one_minute_per_case_saved_again_replaces_it_and_is_audited_by_field(p):
    meeting = p.meeting(cases=1)
    _ready(p, meeting)
    first = _minute(p, meeting, p.referrals[0])
    second = _minute(p, meeting, p.referrals[0], text="Revised minutes")
    assert first.id == second.id and second.text == "Revised minutes"
    assert p.svc.session.scalar(select(func.count()).select_from(Minute)) == 1
    assert [e.fields for e in p.audits("minute", "create", first.id)] == [["text"]]
    assert [e.fields for e in p.audits("minute", "update", first.id)] == [["text"]]
    for entry in p.svc.session.scalars(select(AuditEntry)):
        assert MINUTES not in repr(entry.__dict__)
    with pytest.raises(Invalid) as err:
        _minute(p, meeting, p.referrals[0], text="")
    assert "text" in err.value.fields


def test_minutes_go_only_to_agencies_that_attended(p):
    meeting = p.meeting(cases=1)
    _ready(p, meeting, present=("POL", "HSG"), apologies=("HLT",))
    minute = _minute(p, meeting, p.referrals[0])
    housing = minutes.minutes_view(p.svc, p.actor("housing"), meeting.id)
    assert [row["text"] for row in housing["rows"]] == [MINUTES]
    assert housing["rows"][0]["case"]["victim"]["last_name"] == "Doe001"
    # apologies, absent, or the coordinator of an agency not present: nothing
    for reader in ("health", "idva", "coordinator"):
        assert minutes.minutes_view(p.svc, p.actor(reader), meeting.id)["rows"] == []
        with pytest.raises(NotVisible):
            p.svc.sharing.get(p.svc.session, p.actor(reader), Minute, minute.id)
    with pytest.raises(NotVisible):
        minutes.minutes_view(p.svc, p.actor("outsider"), meeting.id)
    [read] = [e for e in p.audits("minute", "view", minute.id) if e.agency_code == "HSG"]
    assert read.fields == ["text"]


def test_review_items_follow_the_new_cases_in_agenda_order(p):
    earlier = p.meeting(cases=1)
    act = p.action(earlier, p.referrals[0])
    meeting = p.meeting(cases=1)
    p.review(meeting, act)
    view = conduct.conduct_view(p.svc, p.actor("chair"), meeting.id)
    assert [(c["position"], c["kind"]) for c in view["cases"]] == [(1, "referral"), (2, "review")]
    assert view["cases"][1]["referral_id"] == p.referrals[0].id
    _ready(p, meeting)
    case = minutes.case_view(p.svc, p.actor("chair"), meeting.id, p.referrals[0].id)
    assert [r["description"] for r in case["reviews"]] == ["Arrange a safe move"]
    _minute(p, meeting, p.referrals[0], text="Move arranged; review closed")


def test_closing_marks_listed_cases_heard_and_fixes_the_record(p):
    earlier = p.meeting(cases=1)
    old = p.referrals[0]
    act = p.action(earlier, old)
    meeting = p.meeting(cases=2)
    p.review(meeting, act)
    old.status = "heard"
    p.svc.session.commit()
    with pytest.raises(Conflict) as early:  # not before the meeting's start time
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
    assert early.value.code == "meeting_not_started" and early.value.status == 409
    with clock.travel(meeting.starts_at + timedelta(minutes=5)):
        with pytest.raises(Invalid) as err:
            conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        assert err.value.code == "not_ready"
        _ready(p, meeting)
        _minute(p, meeting, p.referrals[1])
        heard = conduct.close_meeting(p.svc, p.actor("coordinator"), meeting.id)
        p.svc.session.commit()
    assert heard == [p.referrals[1].reference, p.referrals[2].reference]
    assert [r.status for r in p.referrals] == ["heard", "heard", "heard"]
    assert meeting.status == "closed" and meeting.closed_at is not None
    assert act.status == "open"  # actions stay open until their agency records an outcome
    assert [e.fields for e in p.audits("meeting", "update", meeting.id)][-1] == [
        "closed_at",
        "status",
    ]
    heard_audits = p.audits("referral", "update", p.referrals[1].id)
    assert heard_audits[-1].fields == ["status"]
    for change in (
        lambda: _minute(p, meeting, p.referrals[1], text="Afterthought"),
        lambda: conduct.record_attendance(
            p.svc, p.actor("chair"), meeting.id, _attendance(POL="present")
        ),
        lambda: conduct.add_attendee(
            p.svc, p.actor("chair"), meeting.id, {"name": "Late", "agency": "POL"}
        ),
        lambda: conduct.close_meeting(p.svc, p.actor("chair"), meeting.id),
    ):
        with pytest.raises(Invalid) as err:
            change()
        assert err.value.code == "meeting_closed"
    # the minutes are still read, unchanged, by those who attended
    rows = minutes.minutes_view(p.svc, p.actor("housing"), meeting.id)["rows"]
    assert [r["text"] for r in rows] == [MINUTES]


def test_two_first_minutes_at_once_both_succeed_and_the_second_replaces_the_first(p, monkeypatch):
    """Chair and coordinator save a case's first minutes at the same moment: the later save
    finds none, meets the earlier row at insert (unique constraint) and replaces it, audited
    as an update, never a 500."""
    meeting = p.meeting(cases=1)
    _ready(p, meeting)
    first = _minute(p, meeting, p.referrals[0])
    p.svc.session.expunge(first)  # the other request's row: known only to the database
    calls = racing_lookup(monkeypatch, minutes, "_find_minute")
    second = _minute(p, meeting, p.referrals[0], text="Revised minutes", who="coordinator")
    assert len(calls) == 2  # missed it, then loaded it after the insert failed
    assert second.id == first.id
    p.svc.session.expire_all()
    rows = list(p.svc.session.scalars(select(Minute)))
    assert [(m.id, m.text) for m in rows] == [(first.id, "Revised minutes")]
    assert rows[0].author_id == p.users["coordinator"].id
    created = p.audits("minute", "create")
    updated = p.audits("minute", "update")
    assert [(e.actor_email, e.record_id) for e in created] == [("chair@pol.example", str(first.id))]
    assert [(e.actor_email, e.record_id, e.fields) for e in updated] == [
        ("coord@csp.example", str(first.id), ["text"])
    ]
