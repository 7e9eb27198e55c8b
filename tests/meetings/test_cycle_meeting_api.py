"""The meeting cycle through the API, part two: attendance, research and minutes, each through
the action the meeting's pages call (same rules, same sharing, same audit)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.meetings import conduct
from casework.meetings.models import Attendance, Attendee, Meeting, Minute, ResearchNote
from tests.conftest import Factory, bearer
from tests.meetings.conduct_setup import Partnership, partnership

SECRET = "Tenancy flagged: perpetrator seen at the property on 3 November"
NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


@pytest.fixture()
def h(p: Partnership) -> dict[str, dict[str, str]]:
    """Every user's headers, made before any request (a request ends its session)."""
    return {who: bearer(p.factory.token(user)) for who, user in p.users.items()}


def _fields(response: Any) -> set[str]:
    return set(response.json["error"].get("fields", {}))


def _world(p: Partnership, cases: int = 2, **kw: Any) -> tuple[str, list[str]]:
    meeting = p.meeting(cases=cases, **kw)
    return str(meeting.id), [str(r.id) for r in p.referrals[-cases:]]


# --- attendance -----------------------------------------------------------------------------


def _attendance(p: Partnership, meeting: str) -> dict[str, Any]:
    p.svc.session.expire_all()
    meeting_id = uuid.UUID(meeting)
    rows = p.svc.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))
    codes = {p.agency(c).id: c for c in ("POL", "CSP", "IDVA", "HSG", "HLT")}
    people = p.svc.session.scalars(select(Attendee).where(Attendee.meeting_id == meeting_id))
    return {
        "status": {codes[r.agency_id]: r.status for r in rows},
        "people": sorted((codes[a.agency_id], a.name) for a in people),
    }


def test_recording_attendance_and_who_came(client: FlaskClient, p: Partnership, h) -> None:
    meeting, _ = _world(p)
    body = [
        {"agency": "POL", "status": "present", "names": ["PC Amy Jones", "DS Raj Patel"]},
        {"agency": "CSP", "status": "present", "names": ["Sam Coordinator"]},
        {"agency": "HSG", "status": "apologies"},
    ]
    answer = client.put(f"/api/v1/meetings/{meeting}/attendance", json=body, headers=h["chair"])
    assert answer.status_code == 200, answer.json
    rows = {r["agency"]: r for r in answer.json["attendance"]}
    assert rows["POL"]["names"] == ["DS Raj Patel", "PC Amy Jones"]
    assert rows["HSG"]["status"] == "apologies" and rows["IDVA"]["status"] == "absent"
    assert (
        "Every attendee must acknowledge the confidentiality statement" in (answer.json["problems"])
    )
    saved = _attendance(p, meeting)
    assert saved["status"] == {"POL": "present", "CSP": "present", "HSG": "apologies"}
    assert saved["people"] == [
        ("CSP", "Sam Coordinator"),
        ("POL", "DS Raj Patel"),
        ("POL", "PC Amy Jones"),
    ]
    assert p.audits("meeting", "update", meeting) and p.audits("attendee", "create")


def test_put_replaces_the_names_and_keeps_acknowledgements(
    client: FlaskClient, p: Partnership, h
) -> None:
    meeting, _ = _world(p)
    url = f"/api/v1/meetings/{meeting}/attendance"
    first = [{"agency": "POL", "status": "present", "names": ["Amy", "Raj"]}]
    client.put(url, json=first, headers=h["chair"])
    amy = next(a for a in p.svc.session.scalars(select(Attendee)) if a.name == "Amy")
    chair = p.actor("chair")
    conduct.acknowledge(p.svc, chair, meeting, {"acknowledged": [str(amy.id)]})
    p.svc.session.commit()
    again = [
        {"agency": "POL", "status": "present", "names": ["Amy"]},
        {"agency": "HSG", "status": "present", "names": ["Kim"]},
    ]
    answer = client.put(url, json=again, headers=h["coordinator"])
    assert answer.status_code == 200, answer.json
    rows = {r["agency"]: r for r in answer.json["attendance"]}
    assert rows["POL"]["attendees"] == [{"id": str(amy.id), "name": "Amy", "acknowledged": True}]
    assert rows["HSG"]["names"] == ["Kim"]
    # an agency left out is absent, and nobody attends for it
    answer = client.put(url, json=[again[1]], headers=h["chair"])
    assert {r["agency"]: r["status"] for r in answer.json["attendance"]}["POL"] == "absent"
    assert _attendance(p, meeting)["people"] == [("HSG", "Kim")]


def test_put_records_who_accepted_the_confidentiality_statement(
    client: FlaskClient, p: Partnership, h
) -> None:
    meeting, _ = _world(p)
    url = f"/api/v1/meetings/{meeting}/attendance"
    names = ["Amy", "Raj"]
    body = [{"agency": "POL", "status": "present", "names": names, "acknowledged": ["Amy"]}]
    answer = client.put(url, json=body, headers=h["chair"])
    assert answer.status_code == 200, answer.json
    pol = next(r for r in answer.json["attendance"] if r["agency"] == "POL")
    assert {a["name"]: a["acknowledged"] for a in pol["attendees"]} == {"Amy": True, "Raj": False}
    body[0]["acknowledged"] = ["Amy", "Raj"]
    answer = client.put(url, json=body, headers=h["chair"])
    assert answer.json["problems"] == []  # everyone named has accepted: minutes may begin
    body[0]["acknowledged"] = ["Kim"]  # not among the names
    wrong = client.put(url, json=body, headers=h["chair"])
    assert wrong.status_code == 422 and _fields(wrong) == {"0.acknowledged"}


def test_attendance_names_every_bad_field(client: FlaskClient, p: Partnership, h) -> None:
    meeting, _ = _world(p)
    url = f"/api/v1/meetings/{meeting}/attendance"
    body = [
        {"agency": "OUT", "status": "present"},
        {"agency": "POL", "status": "maybe"},
        {"agency": "HSG", "status": "apologies", "names": ["Kim"]},
        {"agency": "CSP", "status": "present", "names": [""], "extra": 1},
    ]
    answer = client.put(url, json=body, headers=h["chair"])
    assert answer.status_code == 422
    assert _fields(answer) == {"0.agency", "1.status", "2.names", "3.names.0", "3.extra"}
    nobody = client.put(url, json=[{"agency": "POL", "status": "apologies"}], headers=h["chair"])
    assert nobody.status_code == 422 and _fields(nobody) == {"_schema"}
    twice = [{"agency": "POL", "status": "present"}, {"agency": "POL", "status": "absent"}]
    assert _fields(client.put(url, json=twice, headers=h["chair"])) == {"1.agency"}
    not_a_list = client.put(url, json={"agency": "POL"}, headers=h["chair"])
    assert not_a_list.status_code == 422 and _fields(not_a_list) == {"_schema"}
    assert _attendance(p, meeting) == {"status": {}, "people": []}


def test_attendance_is_for_the_chair_and_coordinator_of_the_panel(
    client: FlaskClient, p: Partnership, h
) -> None:
    meeting, _ = _world(p)
    body = [{"agency": "POL", "status": "present"}]
    for who in ("housing", "referrer", "idva", "analyst"):
        answer = client.put(f"/api/v1/meetings/{meeting}/attendance", json=body, headers=h[who])
        assert answer.status_code == 403, who
    outsider = client.put(
        f"/api/v1/meetings/{meeting}/attendance", json=body, headers=h["outsider"]
    )
    assert outsider.status_code == 404
    unknown = client.put(f"/api/v1/meetings/{NIL}/attendance", json=body, headers=h["chair"])
    assert unknown.status_code == 404


# --- research -------------------------------------------------------------------------------


def test_an_agency_records_its_research(client: FlaskClient, p: Partnership, h) -> None:
    meeting, (case, _) = _world(p)
    url = f"/api/v1/meetings/{meeting}/research/{case}"
    body = {"has_information": True, "text": SECRET, "shared_before_meeting": False}
    answer = client.put(url, json=body, headers=h["housing"])
    assert answer.status_code == 200, answer.json
    assert answer.json["agency"] == "HSG" and answer.json["has_information"] is True
    assert answer.json["text"] == SECRET and answer.json["referral_id"] == case
    replaced = client.put(url, json={"has_information": False}, headers=h["housing"])
    assert replaced.status_code == 200 and replaced.json["id"] == answer.json["id"]
    assert replaced.json["has_information"] is False
    p.svc.session.expire_all()
    notes = list(p.svc.session.scalars(select(ResearchNote)))
    assert len(notes) == 1 and notes[0].has_information is False
    entries = p.audits("research_note")
    assert [e.action for e in entries] == ["create", "update"]
    assert all(SECRET not in str(e.__dict__) for e in entries)


def test_research_names_every_bad_field(client: FlaskClient, p: Partnership, h) -> None:
    meeting, (case, _) = _world(p)
    url = f"/api/v1/meetings/{meeting}/research/{case}"
    bad = {"has_information": "yes", "text": "x" * 5001, "shared_before_meeting": 1, "y": 2}
    answer = client.put(url, json=bad, headers=h["housing"])
    assert answer.status_code == 422
    assert _fields(answer) == {"has_information", "text", "shared_before_meeting", "y"}
    no_text = client.put(url, json={"has_information": True}, headers=h["housing"])
    assert no_text.status_code == 422 and _fields(no_text) == {"text"}
    assert p.svc.session.scalar(select(ResearchNote.id)) is None


def test_research_is_the_callers_own_on_a_listed_case(
    client: FlaskClient, p: Partnership, h
) -> None:
    meeting, (case, _) = _world(p)
    unlisted = str(p.refer().id)
    draft, (drafted, _) = _world(p, circulated=False)
    body = {"has_information": False}
    own = f"/api/v1/meetings/{meeting}/research/{case}"
    assert client.put(own, json=body, headers=h["analyst"]).status_code == 403
    for who, url in (
        ("outsider", f"/api/v1/meetings/{meeting}/research/{case}"),
        ("housing", f"/api/v1/meetings/{meeting}/research/{unlisted}"),
        ("housing", f"/api/v1/meetings/{draft}/research/{drafted}"),
        ("housing", f"/api/v1/meetings/{NIL}/research/{case}"),
    ):
        assert client.put(url, json=body, headers=h[who]).status_code == 404, (who, url)


# --- minutes --------------------------------------------------------------------------------


def test_the_chair_minutes_a_case(client: FlaskClient, p: Partnership, h) -> None:
    meeting, (case, _) = _world(p)
    p.attend(p.svc.session.get(Meeting, uuid.UUID(meeting)), ("POL", "CSP", "HSG"))
    url = f"/api/v1/meetings/{meeting}/minutes/{case}"
    answer = client.put(url, json={"text": "Agreed: safe move."}, headers=h["chair"])
    assert answer.status_code == 200, answer.json
    assert answer.json["text"] == "Agreed: safe move." and answer.json["referral_id"] == case
    again = client.put(url, json={"text": "Agreed: refuge."}, headers=h["coordinator"])
    assert again.status_code == 200 and again.json["id"] == answer.json["id"]
    p.svc.session.expire_all()
    assert [m.text for m in p.svc.session.scalars(select(Minute))] == ["Agreed: refuge."]
    assert [e.action for e in p.audits("minute")] == ["create", "update"]
    for bad in ({"text": "   "}, {"text": "x" * 20001}, {}, {"text": "ok", "more": 1}):
        refused = client.put(url, json=bad, headers=h["chair"])
        assert refused.status_code == 422, bad
    assert _fields(client.put(url, json={"text": "ok", "more": 1}, headers=h["chair"])) == {"more"}


def test_minutes_wait_for_attendance_and_refuse_others(
    client: FlaskClient, p: Partnership, h
) -> None:
    meeting, (case, _) = _world(p)
    url = f"/api/v1/meetings/{meeting}/minutes/{case}"
    body = {"text": "Agreed: safe move."}
    not_ready = client.put(url, json=body, headers=h["chair"])
    assert not_ready.status_code == 422 and not_ready.json["error"]["code"] == "not_ready"
    for who in ("housing", "idva", "referrer", "analyst"):
        assert client.put(url, json=body, headers=h[who]).status_code == 403, who
    assert client.put(url, json=body, headers=h["outsider"]).status_code == 404
    unknown = f"/api/v1/meetings/{meeting}/minutes/{NIL}"
    assert client.put(unknown, json=body, headers=h["chair"]).status_code == 404
    assert p.svc.session.scalar(select(Minute.id)) is None
