"""Minutes that are signed off, through the API: the chair approves them (version 1), a
change after approval opens version 2 with what changed, each agency recorded present
downloads its copy as a PDF through the sharing filter (audited as a disclosure to it), an
agency that sent apologies gets 404, circulation is a link without personal data, and the
coordinator's reminder stops once the minutes are approved."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.mail.models import OutboxMessage
from casework.meetings.minutes_models import MinutesVersion
from casework.meetings.models import Meeting
from casework.scheduler import jobs
from tests.conftest import bearer, need
from tests.meetings.conduct_setup import TODAY, Partnership, partnership

DUE = (TODAY + timedelta(days=14)).isoformat()
VENUE = {"venue": "Committee room 2, Town Hall", "observers": ["Sam Student"]}


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


@pytest.fixture()
def api(client, factory, p):
    tokens = {name: bearer(factory.token(user)) for name, user in p.users.items()}

    def call(who: str, method: str, url: str, **kw):
        return client.open(f"/api/v1{url}", method=method, headers=tokens[who], **kw)

    return call


@pytest.fixture()
def minuted(p, api):
    """A meeting with POL, HSG and CSP present and HLT sending apologies; one case minuted
    with information shared and risks identified, and an action for housing."""
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG", "CSP"), apologies=("HLT",))
    rid, mid = str(p.referrals[0].id), str(meeting.id)
    answer = api(
        "chair",
        "PUT",
        f"/meetings/{mid}/minutes/{rid}",
        json={"text": "Police shared two call-outs.", "risks": "Escalating threats"},
    )
    assert answer.status_code == 200, answer.json
    answer = api(
        "chair",
        "POST",
        f"/meetings/{mid}/actions",
        json={
            "referral_id": rid,
            "owner_agency": "HSG",
            "description": "Fit target hardening",
            "due_on": DUE,
        },
    )
    assert answer.status_code == 201, answer.json
    return mid, rid


def _pdf_text(content: bytes) -> str:
    need(__import__("importlib").util.find_spec("pypdf") is not None, "pypdf is not installed")
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_approval_makes_version_1_and_circulates_a_link_to_agencies_present(p, api, minuted):
    mid, _ = minuted
    assert api("chair", "PUT", f"/meetings/{mid}/minutes", json=VENUE).status_code == 200
    answer = api("chair", "POST", f"/meetings/{mid}/minutes/approve")
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "approved" and answer.json["version"] == 1
    assert answer.json["circulated_to"] == ["CSP", "HSG", "POL"]  # not HLT: apologies
    assert answer.json["chair"] == "Chair"  # the approving chair, when none was named
    versions = api("coordinator", "GET", f"/meetings/{mid}/minutes/versions").json["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "approved")]

    mail = p.svc.session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    approved = [m for m in mail if m.subject.startswith("Minutes approved")]
    assert "rep@hlt.example" not in {m.to_address for m in approved}
    assert {"rep@hsg.example", "chair@pol.example", "coord@csp.example"} <= {
        m.to_address for m in approved
    }
    for message in approved:
        assert f"/meetings/{mid}/minutes/approved" in message.body
        for secret in ("Doe001", "call-outs", "Escalating", "officer", "Sam Student"):
            assert secret not in message.body and secret not in message.subject


def test_a_change_after_approval_makes_version_2_with_what_changed(p, api, minuted):
    mid, rid = minuted
    api("chair", "PUT", f"/meetings/{mid}/minutes", json=VENUE)
    api("chair", "POST", f"/meetings/{mid}/minutes/approve")
    edit = {"text": "Police shared three call-outs.", "risks": "Escalating threats"}
    assert api("chair", "PUT", f"/meetings/{mid}/minutes/{rid}", json=edit).status_code == 200

    header = api("chair", "GET", f"/meetings/{mid}/minutes").json
    assert (header["status"], header["version"], header["approved_version"]) == ("draft", 2, 1)
    versions = api("chair", "GET", f"/meetings/{mid}/minutes/versions").json["versions"]
    assert versions[1] == {**versions[1], "version": 2, "status": "draft"}
    assert versions[1]["fields"] == [f"cases.{rid}.information_shared"]

    again = api("chair", "POST", f"/meetings/{mid}/minutes/approve")
    assert again.status_code == 200 and again.json["version"] == 2
    versions = api("chair", "GET", f"/meetings/{mid}/minutes/versions").json["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "approved"), (2, "approved")]
    assert versions[1]["fields"] == [f"cases.{rid}.information_shared"]
    p.svc.session.expire_all()
    second = p.svc.session.scalar(select(MinutesVersion).where(MinutesVersion.version == 2))
    key = f"cases.{rid}.information_shared"
    assert second.before == {key: "Police shared two call-outs."}  # sealed, kept
    assert second.after == {key: "Police shared three call-outs."}
    assert second.before_ct and b"call-outs" not in second.before_ct


def test_present_agency_downloads_its_copy_and_apologies_get_404(p, api, minuted):
    mid, _ = minuted
    url = f"/meetings/{mid}/minutes?format=pdf"
    assert api("housing", "GET", url).status_code == 404  # nothing approved yet
    api("chair", "PUT", f"/meetings/{mid}/minutes", json=VENUE)
    api("chair", "POST", f"/meetings/{mid}/minutes/approve")

    answer = api("housing", "GET", url)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "Doe" not in answer.headers["Content-Disposition"]
    text = _pdf_text(answer.data)
    for heading in (
        "Date",
        "Venue",
        "Chair",
        "Attendees by agency",
        "Apologies",
        "Observers",
        "Confidentiality agreement",
        "Information shared",
        "Risks identified",
        "Actions",
    ):
        assert heading in text
    assert "Committee room 2" in text and "Escalating threats" in text
    assert "Fit target hardening" in text and "OFFICIAL-SENSITIVE" in text

    assert api("health", "GET", url).status_code == 404  # sent apologies
    assert api("outsider", "GET", url).status_code == 404  # not on the panel

    entries = p.svc.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "disclose", AuditEntry.record_id == mid)
    ).all()
    assert [(e.record_type, e.agency_code, e.recipient_agency) for e in entries] == [
        ("minutes", "HSG", "HSG")
    ]
    assert {"text", "risks", "description"} <= set(entries[0].fields)


def test_header_and_approval_refuse_bad_input_naming_every_field(p, api, minuted):
    mid, _ = minuted
    bad = api(
        "chair",
        "PUT",
        f"/meetings/{mid}/minutes",
        json={"observers": ["ok", ""], "chair": 7, "extra": 1},
    )
    assert bad.status_code == 422
    assert {"venue", "chair", "extra"} <= set(bad.json["error"]["fields"])
    assert any(k.startswith("observers") for k in bad.json["error"]["fields"])
    assert p.svc.session.get(Meeting, uuid.UUID(mid)).venue is None

    no_venue = api("chair", "POST", f"/meetings/{mid}/minutes/approve")
    assert no_venue.status_code == 422 and "venue" in no_venue.json["error"]["fields"]
    api("chair", "PUT", f"/meetings/{mid}/minutes", json=VENUE)
    assert api("coordinator", "POST", f"/meetings/{mid}/minutes/approve").status_code == 403
    assert api("chair", "POST", f"/meetings/{mid}/minutes/approve").status_code == 200
    twice = api("chair", "POST", f"/meetings/{mid}/minutes/approve")
    assert twice.status_code == 409 and twice.json["error"]["code"] == "already_approved"
    assert api("housing", "GET", f"/meetings/{mid}/minutes").status_code == 403


def test_the_minutes_due_reminder_goes_once_and_not_when_approved(p, api, minuted):
    mid, _ = minuted

    def reminders() -> list[OutboxMessage]:
        p.svc.session.expire_all()
        found = p.svc.session.scalars(select(OutboxMessage)).all()
        return [m for m in found if m.subject.startswith("Minutes due")]

    meeting = p.svc.session.get(Meeting, uuid.UUID(mid))
    now = meeting.starts_at + timedelta(days=3)
    jobs.remind_minutes(p.svc, meeting, now, now)
    jobs.remind_minutes(p.svc, meeting, now, now)  # the same day again: nothing more
    p.svc.session.commit()
    assert sorted(m.to_address for m in reminders()) == ["chair@pol.example", "coord@csp.example"]
    assert all("Doe" not in m.body for m in reminders())

    api("chair", "PUT", f"/meetings/{mid}/minutes", json=VENUE)
    api("chair", "POST", f"/meetings/{mid}/minutes/approve")
    p.svc.session.execute(OutboxMessage.__table__.delete())
    p.svc.session.commit()
    meeting = p.svc.session.get(Meeting, meeting.id)
    assert jobs.remind_minutes(p.svc, meeting, now, now) == "skipped: minutes approved"
    assert reminders() == []


def test_correcting_an_action_or_attendance_after_approval_opens_the_next_version(p, api, minuted):
    mid, rid = minuted
    api("chair", "PUT", f"/meetings/{mid}/minutes", json=VENUE)
    assert api("chair", "POST", f"/meetings/{mid}/minutes/approve").status_code == 200
    action_id = api("chair", "GET", f"/actions?meeting_id={mid}").json[0]["id"]
    fixed = api("chair", "PATCH", f"/actions/{action_id}", json={"description": "Fit new locks"})
    assert fixed.status_code == 200, fixed.json
    versions = api("chair", "GET", f"/meetings/{mid}/minutes/versions").json["versions"]
    assert (versions[-1]["version"], versions[-1]["status"]) == (2, "draft")
    assert versions[-1]["fields"] == [f"cases.{rid}.actions"]

    assert api("chair", "POST", f"/meetings/{mid}/minutes/approve").json["version"] == 2
    people = [
        {"agency": "POL", "status": "present", "names": ["PC Amy Jones"], "acknowledged": []},
        {"agency": "HSG", "status": "present", "names": ["Sam Officer"]},
        {"agency": "CSP", "status": "present", "names": ["Jo Coordinator"]},
        {"agency": "HLT", "status": "present", "names": ["Dr Lee"]},  # came after all
    ]
    changed = api("chair", "PUT", f"/meetings/{mid}/attendance", json=people)
    assert changed.status_code == 200, changed.json
    versions = api("chair", "GET", f"/meetings/{mid}/minutes/versions").json["versions"]
    assert (versions[-1]["version"], versions[-1]["status"]) == (3, "draft")
    assert {"attendees", "apologies"} & set(versions[-1]["fields"])
