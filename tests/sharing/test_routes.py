"""Every route names the sharing policy it reads through, and object routes answer 404 for
records that do not exist, are malformed, or belong to someone else."""

from __future__ import annotations

import re
import uuid

from flask import Flask

from casework.panels import kinds as panel_kinds
from casework.routes import access_of, policy_of
from casework.sharing.engine import KIND_CASE, _types
from tests.conftest import Factory, bearer


def test_every_signed_in_route_declares_a_policy(app: Flask) -> None:
    missing, unknown = [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or access_of(view) == "public":
            continue
        declared = policy_of(view)
        if declared is None:
            missing.append(rule.endpoint)
        else:
            # "case": the meeting's panel kind's own case record type (an ASB case), one of
            # those the kinds registered
            kind_cases = {KIND_CASE} if set(panel_kinds.case_records()) <= set(_types) else set()
            unknown += [p for p in declared if p not in _types and p not in kind_cases]
    assert missing == [], "routes that do not say which sharing policy they use"
    assert unknown == [], "policies that no record type registered"


def _object_routes(app: Flask) -> list[str]:
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and policy_of(app.view_functions[rule.endpoint])
        and re.search(r"<[^>]*_id>", rule.rule)
    ]


def test_object_routes_answer_404_for_unknown_malformed_and_foreign_ids(
    app: Flask, client, factory: Factory
) -> None:
    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    panel = factory.panel(("POL",))
    referrer = factory.user("ref@pol.example", "POL", ("referrer",))
    referral = factory.referral(referrer, panel)
    stranger = factory.user("rep@hsg.example", "HSG", ("agency_rep", "referrer", "coordinator"))
    headers = bearer(factory.token(stranger))
    routes = _object_routes(app)
    assert "/api/v1/referrals/<referral_id>" in routes
    foreign = str(referral.id)  # requests end the test's session: keep the id, not the object
    for route in routes:
        for value in (str(uuid.uuid4()), "not-an-id", foreign):
            url = re.sub(r"<[^>]*_id>", value, route)
            if url.startswith("/api/"):
                response = client.get(url, headers=headers)
                assert response.status_code == 404, url
                assert response.json == {"error": {"code": "not_found", "message": "Not found"}}


def test_refused_attempts_on_case_data_are_audited_as_denied(client, factory: Factory, svc) -> None:
    from casework.audit.models import AuditEntry

    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    panel = factory.panel(("POL",))
    referral = factory.referral(factory.user("ref@pol.example", "POL", ("referrer",)), panel)
    stranger = factory.user("rep@hsg.example", "HSG", ("agency_rep",))
    headers = bearer(factory.token(stranger))
    referral_id = str(referral.id)
    assert client.get(f"/api/v1/referrals/{referral_id}", headers=headers).status_code == 404
    assert client.post("/api/v1/referrals", json={}, headers=headers).status_code == 403
    svc.session.expire_all()
    denied = svc.session.query(AuditEntry).filter_by(action="denied").order_by(AuditEntry.at).all()
    assert [(d.record_type, d.record_id, d.actor_email) for d in denied] == [
        ("referral", referral_id, "rep@hsg.example"),
        ("referral", None, "rep@hsg.example"),
    ]
    assert all(d.seq is not None for d in denied)  # sealed into the chain like any entry


def test_web_object_pages_answer_404_for_unknown_malformed_and_foreign_ids(
    app: Flask, client, factory: Factory
) -> None:
    from tests.conftest import sign_in
    from tests.test_security import first_choices

    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    panel = factory.panel(("POL",))
    referral = factory.referral(factory.user("ref@pol.example", "POL", ("referrer",)), panel)
    factory.user("rep@hsg.example", "HSG", ("agency_rep", "referrer", "coordinator", "chair"))
    foreign = str(referral.id)
    sign_in(client, "rep@hsg.example")
    routes = [
        first_choices(r).replace("<fmt>", "csv")
        for r in _object_routes(app)
        if not r.startswith("/api/")
    ]
    assert "/referrals/<referral_id>" in routes
    wrong = []
    for route in routes:
        for value in (str(uuid.uuid4()), "not-an-id", foreign):
            url = re.sub(r"<[^>]*_id>", value, route)
            status = client.get(url).status_code
            if status != 404:
                wrong.append((url.replace(value, "<id>"), status))
    assert wrong == []
