"""The DPO finds a case's audit entries by the reference people use, and the panel's
coordinator sees who has viewed the case, itself an audited reading."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEntry
from tests.conftest import sign_in


def _world(factory):
    factory.agency("POL", "police")
    factory.agency("IDV", "idva")
    factory.agency("CSP", "other")
    factory.agency("NOP", "police")  # on no panel of the case
    panel = factory.panel(("POL", "IDV", "CSP"))
    referrer = factory.user("ref@pol.example", "POL", ("referrer",))
    factory.user("co@csp.example", "CSP", ("coordinator",))
    factory.user("chair@csp.example", "CSP", ("chair",))
    factory.user("idva@idv.example", "IDV", ("idva",))
    factory.user("co@nop.example", "NOP", ("coordinator",))
    factory.user("dpo@csp.example", "CSP", ("dpo",))
    return factory.referral(referrer, panel), factory.referral(referrer, panel)


def _client(app, email):
    client = app.test_client()
    sign_in(client, email)
    return client


def test_the_dpo_finds_a_case_by_its_reference(app, factory, svc):
    case, other = _world(factory)
    _client(app, "idva@idv.example").get(f"/referrals/{case.id}")
    _client(app, "idva@idv.example").get(f"/referrals/{other.id}")
    dpo = _client(app, "dpo@csp.example")
    for typed in (case.reference, case.reference.lower(), f"  {case.reference} ", str(case.id)):
        page = dpo.get("/audit", query_string={"record": typed})
        assert page.status_code == 200
        assert str(case.id) in page.text and str(other.id) not in page.text, typed
    assert "Record ID or reference" in page.text
    nothing = dpo.get("/audit", query_string={"record": "M99-NOSUCH"})
    assert str(case.id) not in nothing.text


def test_the_coordinator_sees_who_has_viewed_the_case(app, factory, svc):
    case, _ = _world(factory)
    url = f"/referrals/{case.id}/viewers"
    _client(app, "idva@idv.example").get(f"/referrals/{case.id}")
    coordinator = _client(app, "co@csp.example")
    detail = coordinator.get(f"/referrals/{case.id}").text
    assert url in detail and "Who has viewed this case" in detail
    page = coordinator.get(url)
    assert page.status_code == 200
    assert "Idva" in page.text and "idva@idv.example" in page.text and "IDV agency" in page.text
    assert "Viewed the case" in page.text
    for email, status in (
        ("idva@idv.example", 403),  # sees the case, is not its coordinator
        ("chair@csp.example", 403),
        ("ref@pol.example", 403),
        ("co@nop.example", 404),  # not their panel: as if it did not exist
    ):
        assert _client(app, email).get(url).status_code == status, email
    assert url not in _client(app, "idva@idv.example").get(f"/referrals/{case.id}").text
    assert _client(app, "dpo@csp.example").get(url).status_code == 200

    svc.session.expire_all()
    looks = svc.session.scalars(
        select(AuditEntry).where(
            AuditEntry.record_type == "audit_log", AuditEntry.record_id == str(case.id)
        )
    ).all()
    assert sorted(e.actor_email for e in looks) == ["co@csp.example", "dpo@csp.example"]
    # the DPO's search by the case's reference finds those looks too
    dpo = _client(app, "dpo@csp.example")
    found = dpo.get("/audit", query_string={"record": case.reference}).text
    assert "co@csp.example" in found
