"""A form shown again with errors still disclosed what it shows: that read stays audited,
while everything the rejected request wrote is undone."""

from __future__ import annotations

from casework.audit.models import AuditEntry
from casework.meetings.models import ResearchNote
from tests.conftest import sign_in
from tests.meetings.conduct_setup import partnership
from tests.meetings.page_form import submit


def test_a_422_page_keeps_its_read_audit_and_writes_nothing(factory, client, svc) -> None:
    p = partnership(factory)
    meeting = p.meeting(cases=1)
    referral_id = str(p.referrals[0].id)
    sign_in(client, "rep@hsg.example")
    url = f"/meetings/{meeting.id}/research"
    client.get(url)
    svc.session.expire_all()
    before = svc.session.query(AuditEntry).filter_by(record_id=referral_id).count()
    typed = {f"has_information-{referral_id}": "yes", f"text-{referral_id}": ""}
    bad = submit(client, url, "research-form", ("save", referral_id), typed)
    assert bad.status_code == 422 and "Doe001" in bad.text
    svc.session.expire_all()
    after = (
        svc.session.query(AuditEntry)
        .filter_by(record_id=referral_id)
        .order_by(AuditEntry.seq)
        .all()
    )
    # the GET for the page's token and the 422 answer each showed the case once more
    assert len(after) >= before + 2
    assert {e.actor_email for e in after[before:]} == {"rep@hsg.example"}
    assert all(e.action in {"view", "list"} for e in after[before:])
    assert svc.session.query(ResearchNote).count() == 0
