"""The actions API: agreeing, correcting, deleting and completing actions and listing them,
with the same rules, sharing filter and audit as the pages (403, 404 and 422 included)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete

from casework import clock
from casework.audit.models import AuditEntry
from casework.meetings.models import AgendaItem, Attendance, Attendee, CaseAction, Meeting
from casework.offenders.actions import create_nominal
from tests.conftest import bearer
from tests.meetings.conduct_setup import TODAY, Partnership, partnership

DUE = (TODAY + timedelta(days=14)).isoformat()


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


@pytest.fixture()
def api(client, factory, p):
    # made first: each request ends the test's session, detaching the users
    tokens = {name: bearer(factory.token(user)) for name, user in p.users.items()}

    def call(who: str, method: str, url: str, **kw):
        return client.open(f"/api/v1{url}", method=method, headers=tokens[who], **kw)

    return call


def _ready(p: Partnership):
    """A meeting ready to minute; its id (requests end the test's session) and its case's
    id are kept as ids, which outlive the session."""
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG", "CSP"))
    p.referrals = [r.id for r in p.referrals]
    return meeting.id


def _agree(api, p, meeting, who="chair", **body):
    return api(
        who,
        "POST",
        f"/meetings/{meeting}/actions",
        json={
            "referral_id": str(p.referrals[0]),
            "owner_agency": "HSG",
            "description": "Arrange a safe move",
            "due_on": DUE,
            **body,
        },
    )


def test_an_action_is_agreed_and_read_back_where_location_says(p, api):
    meeting = _ready(p)
    made = _agree(api, p, meeting)
    assert made.status_code == 201
    body = made.json
    assert body["status"] == "open" and body["owner_agency"] == "HSG"
    assert body["due_date"] == DUE and body["history"] == []
    assert made.headers["Location"] == f"/api/v1/actions/{body['id']}"
    again = api("housing", "GET", f"/actions/{body['id']}")
    assert again.status_code == 200 and again.json["description"] == "Arrange a safe move"
    assert api("outsider", "GET", f"/actions/{body['id']}").status_code == 404


def test_agreeing_refuses_bad_bodies_naming_every_field(p, api):
    meeting = _ready(p)
    bad = _agree(
        api, p, meeting, description="", owner_agency="OUT", due_on="2020-01-01", colour="red"
    )
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"description", "owner_agency", "due_on", "colour"}
    neither = _agree(api, p, meeting, referral_id=None)
    assert neither.status_code == 422 and "referral_id" in neither.json["error"]["fields"]
    assert _agree(api, p, meeting, referral_id=str(uuid.uuid4())).status_code == 404
    assert _agree(api, p, meeting, who="housing").status_code == 403
    assert _agree(api, p, meeting, who="outsider").status_code == 404
    assert api("chair", "POST", "/meetings/nope/actions", json={}).status_code == 404
    assert p.svc.session.query(CaseAction).count() == 0


def test_correcting_and_deleting_through_the_api(p, api):
    meeting = _ready(p)
    aid = _agree(api, p, meeting).json["id"]
    url = f"/actions/{aid}"
    assert api("housing", "PATCH", url, json={"description": "x"}).status_code == 403
    assert api("outsider", "PATCH", url, json={"description": "x"}).status_code == 404
    bad = api("chair", "PATCH", url, json={"due_on": "31/12/2030", "owner": "HSG"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"due_on", "owner"}
    same = api("chair", "PATCH", url, json={"owner_agency": "HSG"})
    assert same.status_code == 422 and same.json["error"]["code"] == "no_change"
    moved = api("coordinator", "PATCH", url, json={"owner_agency": "HLT"})
    assert moved.status_code == 200 and moved.json["owner_agency"] == "HLT"
    [change] = moved.json["history"]
    assert change["changes"] == [{"field": "owner_agency", "from": "HSG", "to": "HLT"}]
    assert change["by_agency"] == "CSP" and change["kind"] == "corrected"
    seen = api("housing", "GET", url)  # the agency it was moved from still sees why
    assert seen.status_code == 200 and seen.json["history"] == moved.json["history"]
    no_reason = api("chair", "DELETE", url, json={})
    assert no_reason.status_code == 422 and list(no_reason.json["error"]["fields"]) == ["reason"]
    gone = api("chair", "DELETE", url, json={"reason": "Agreed twice"})
    assert gone.status_code == 200
    assert gone.json["status"] == "deleted" and gone.json["deleted_reason"] == "Agreed twice"
    owner = api("health", "GET", url)
    assert owner.json["status"] == "deleted" and owner.json["deleted_reason"] == "Agreed twice"
    stale = api("chair", "PATCH", url, json={"description": "x"})
    assert stale.status_code == 422 and stale.json["error"]["code"] == "already_updated"


def test_the_owner_records_done_or_not_done(p, api):
    meeting = _ready(p)
    first = _agree(api, p, meeting).json["id"]
    second = _agree(api, p, meeting, description="Refer to the sanctuary scheme").json["id"]
    for who, status in (("chair", 403), ("outsider", 404)):
        answer = api(who, "POST", f"/actions/{first}/complete", json={"outcome": "x"})
        assert answer.status_code == status, who
    empty = api("housing", "POST", f"/actions/{first}/complete", json={})
    assert empty.status_code == 422 and list(empty.json["error"]["fields"]) == ["outcome"]
    done = api("housing", "POST", f"/actions/{first}/complete", json={"outcome": "Moved"})
    assert done.status_code == 200 and done.json["status"] == "done"
    assert done.json["outcome"] == "Moved"
    bad = api(
        "housing", "POST", f"/actions/{second}/not-done", json={"reason": "forgot", "extra": 1}
    )
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"reason", "explanation", "extra"}
    nd = api(
        "housing",
        "POST",
        f"/actions/{second}/not-done",
        json={"reason": "circumstances_changed", "explanation": "The victim moved away"},
    )
    assert nd.status_code == 200
    assert (nd.json["status"], nd.json["not_done_reason"]) == ("not_done", "circumstances_changed")
    again = api("housing", "POST", f"/actions/{second}/complete", json={"outcome": "x"})
    assert again.status_code == 422 and again.json["error"]["code"] == "already_updated"
    assert p.audits("action", "update")  # written with the change, field names only


def test_listing_filters_and_scopes_through_the_sharing_engine(p, api):
    old = p.meeting(cases=1, day=TODAY - timedelta(days=30))
    late = p.action(old, p.referrals[0], owner="HSG", due=TODAY - timedelta(days=2))
    meeting = p.meeting(cases=1)
    soon = p.action(meeting, p.referrals[1], owner="HSG")
    police = p.action(meeting, p.referrals[1], owner="POL")
    ids = lambda answer: [a["id"] for a in answer.json]  # noqa: E731
    mine = api("housing", "GET", "/actions")
    assert mine.status_code == 200 and ids(mine) == [str(late.id), str(soon.id)]
    assert mine.json[0]["overdue"] is True and mine.json[0]["case_reference"]
    assert ids(api("housing", "GET", "/actions?overdue=true")) == [str(late.id)]
    assert ids(api("housing", "GET", "/actions?overdue=false")) == [str(soon.id)]
    assert ids(api("housing", "GET", f"/actions?meeting_id={meeting.id}")) == [str(soon.id)]
    assert ids(api("housing", "GET", "/actions?status=done")) == []
    panel = ids(api("coordinator", "GET", "/actions?status=open"))
    assert set(panel) == {str(late.id), str(soon.id), str(police.id)}
    assert ids(api("outsider", "GET", "/actions")) == []  # another panel's chair
    bad = api("housing", "GET", "/actions?status=late&overdue=yes&meeting_id=x&sort=due")
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"status", "overdue", "meeting_id", "sort"}
    assert api("analyst", "GET", "/actions").status_code == 403
    listed = p.svc.session.query(AuditEntry).filter_by(action="list", record_type="action")
    assert listed.count() >= 2


def test_an_offender_panels_action_names_a_nominal_on_the_agenda(p, api, factory):
    factory.agency("YOT", "youth_offending")
    ppo = factory.panel(("POL", "CSP", "HSG"), "ppo", name="Northshire PPO")
    p.svc.session.execute(delete(Meeting).where(Meeting.panel_id == ppo.id))
    person = create_nominal(
        p.svc,
        p.actor("coordinator"),
        {
            "panel_id": str(ppo.id),
            "first_name": "Dean",
            "last_name": "Price",
            "date_of_birth": "1990-05-17",
            "entry_date": (TODAY - timedelta(days=100)).isoformat(),
            "cohort": None,
        },
    )
    meeting = Meeting(panel_id=ppo.id, starts_at=datetime.combine(TODAY, time(9), tzinfo=UTC))
    p.svc.session.add(meeting)
    p.svc.session.flush()
    p.svc.session.add(
        AgendaItem(meeting_id=meeting.id, position=1, kind="review", nominal_id=person.id)
    )
    for code in ("POL", "CSP"):
        agency = p.agency(code)
        p.svc.session.add(Attendance(meeting_id=meeting.id, agency_id=agency.id))
        p.svc.session.add(
            Attendee(
                meeting_id=meeting.id,
                agency_id=agency.id,
                name=f"{code} officer",
                acknowledged_at=clock.now(),
            )
        )
    p.svc.session.commit()
    meeting_id, person_id = meeting.id, person.id
    body = {"nominal_id": str(person_id), "owner_agency": "HSG", "description": "Find a tenancy"}
    url = f"/meetings/{meeting_id}/actions"
    made = api("coordinator", "POST", url, json={**body, "due_on": DUE})
    assert made.status_code == 201 and made.json["nominal_id"] == str(person_id)
    both = {**body, "due_on": DUE, "referral_id": str(person_id)}
    assert api("coordinator", "POST", url, json=both).status_code == 422
    unknown = {**body, "due_on": DUE, "nominal_id": str(uuid.uuid4())}
    assert api("coordinator", "POST", url, json=unknown).status_code == 404
    assert api("housing", "POST", url, json={**body, "due_on": DUE}).status_code == 403
    mine = api("housing", "GET", "/actions")
    assert [a["id"] for a in mine.json] == [made.json["id"]]
