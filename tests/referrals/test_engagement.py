"""IDVA engagement: recorded by the assigned IDVA or the panel's managers, counted in SQL."""

from __future__ import annotations

from casework.accounts.auth import actor_for
from casework.audit.models import AuditEntry
from casework.referrals.models import Referral
from casework.stats.actions import marac_stats
from tests.conftest import bearer


def test_engagement_is_recorded_audited_and_counted(client, factory, svc) -> None:
    factory.agency("POL", "police")
    factory.agency("IDV", "idva")
    factory.agency("HSG", "housing")
    panel = factory.panel(("POL", "IDV"))
    referrer = factory.user("ref@pol.example", "POL", ("referrer",))
    idva = factory.user("idva@idv.example", "IDV", ("idva",))
    stranger = factory.user("idva@hsg.example", "HSG", ("idva",))
    first = factory.referral(referrer, panel, referral_date="2026-10-01")
    factory.referral(referrer, panel, referral_date="2026-10-02", victim__first_name="Ann")
    analyst = factory.user("an@pol.example", "POL", ("analyst",))
    url, first_id = f"/api/v1/referrals/{first.id}/idva-engagement", first.id
    stranger_headers, idva_headers = bearer(factory.token(stranger)), bearer(factory.token(idva))
    analyst_actor, idva_id = actor_for(analyst), idva.id

    unassigned = client.post(url, json={"offered": True, "engaged": False}, headers=idva_headers)
    assert unassigned.status_code == 403  # sees the case as a member, but it is not theirs
    svc.session.query(Referral).filter(Referral.id == first_id).update(
        {"assigned_idva_id": idva_id}
    )
    svc.session.commit()
    refused = client.post(url, json={"offered": True, "engaged": True}, headers=stranger_headers)
    assert refused.status_code == 404  # not their case, not their panel
    bad = client.post(url, json={"offered": False, "engaged": True}, headers=idva_headers)
    assert bad.status_code == 422 and "engaged" in bad.json["error"]["fields"]
    ok = client.post(url, json={"offered": True, "engaged": True}, headers=idva_headers)
    assert ok.status_code == 200
    assert ok.json["idva"] == {"offered": True, "engaged": True}
    svc.session.expire_all()
    entry = svc.session.query(AuditEntry).filter_by(action="update", record_type="referral").one()
    assert sorted(entry.fields) == ["idva_engaged", "idva_offered"]
    svc.session.query(Referral).filter(Referral.id != first_id).update({"idva_offered": True})
    svc.session.commit()

    _, figures = marac_stats(svc, analyst_actor, {"from": "2026-10-01", "to": "2026-10-31"})
    assert figures["referrals"]["idva"] == {"offered": 2, "engaged": 1, "engagement_rate": 0.5}
