"""A case's safety plan: kept by its IDVA service and the panel's coordinator, sealed at rest,
audited, reminded when its review is due, and shown nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from casework import clock
from casework.audit.models import AuditEntry
from casework.mail.models import OutboxMessage
from casework.referrals.models import Referral
from casework.safety_plans.models import SafetyPlan
from casework.safety_plans.reminders import remind_plan_reviews
from tests.conftest import bearer, post_form, sign_in

pytestmark = pytest.mark.dates

PLAN = {
    "risks": ["Perpetrator released from custody on 3 March", "Knife kept in the kitchen drawer"],
    "measures": [
        {"what": "Marker on the address for urgent response", "who": "POL", "status": "in_place"},
        {"what": "Sanctuary scheme referral", "status": "planned"},
    ],
}


@pytest.fixture()
def world(factory, svc):
    for code, sector in (("POL", "police"), ("IDV", "idva"), ("HSG", "housing")):
        factory.agency(code, sector)
    factory.agency("FAR", "idva")  # an IDVA service on no panel of the case
    panel = factory.panel(("POL", "IDV", "HSG"))
    referrer = factory.user("ref@pol.example", "POL", ("referrer",))
    users = {
        "idva": factory.user("idva@idv.example", "IDV", ("idva",)),
        "coordinator": factory.user("co@pol.example", "POL", ("coordinator",)),
        "chair": factory.user("chair@pol.example", "POL", ("chair",)),
        "police_idva": factory.user("pidva@pol.example", "POL", ("idva",)),
        "housing_idva": factory.user("hidva@hsg.example", "HSG", ("idva",)),
        "far_idva": factory.user("idva@far.example", "FAR", ("idva",)),
    }
    referral = factory.referral(referrer, panel)
    tokens = {name: bearer(factory.token(user)) for name, user in users.items()}
    return {"referral": referral, "users": users, "tokens": tokens}


def _url(world) -> str:
    return f"/api/v1/referrals/{world['referral'].id}/safety-plan"


def test_the_idva_service_keeps_the_plan_sealed_and_audited(client, svc, world):
    url, tokens = _url(world), world["tokens"]
    empty = client.get(url, headers=tokens["idva"])
    assert empty.status_code == 200
    assert empty.json["risks"] == [] and empty.json["may_edit"] is True
    assert empty.json["updated_at"] is None

    saved = client.put(url, json={**PLAN, "review_date": "2027-01-15"}, headers=tokens["idva"])
    assert saved.status_code == 200, saved.json
    assert saved.json["risks"] == PLAN["risks"]
    assert saved.json["measures"][1] == {
        "what": "Sanctuary scheme referral",
        "who": None,
        "status": "planned",
    }
    assert saved.json["updated_by"] == "Idva" and saved.json["review_date"] == "2027-01-15"

    seen = client.get(url, headers=tokens["coordinator"])
    assert seen.status_code == 200 and seen.json["risks"] == PLAN["risks"]

    svc.session.expire_all()
    raw = svc.session.execute(text("SELECT risks, measures FROM safety_plans")).one()
    assert b"Knife" not in bytes(raw[0]) and b"Sanctuary" not in bytes(raw[1])
    plan_id = saved.json["id"]
    entries = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.record_id == plan_id).order_by(AuditEntry.seq)
    ).all()
    assert [(e.action, e.actor_email) for e in entries] == [
        ("create", "idva@idv.example"),
        ("view", "co@pol.example"),
    ]
    assert sorted(entries[0].fields) == ["measures", "review_date", "risks"]


def test_only_the_idva_service_the_assigned_idva_and_the_coordinator_see_it(client, svc, world):
    url, tokens = _url(world), world["tokens"]
    first = client.put(url, json={**PLAN, "review_date": None}, headers=tokens["idva"])
    assert first.status_code == 200
    # roles that never keep a plan: refused whatever the case
    assert client.get(url, headers=tokens["chair"]).status_code == 403
    # sees the referral (police see the whole referral) but not the plan
    assert client.get(url, headers=tokens["police_idva"]).status_code == 404
    assert client.put(url, json=PLAN, headers=tokens["police_idva"]).status_code == 404
    # another agency's IDVA sees nothing until the case is assigned to them
    assert client.get(url, headers=tokens["housing_idva"]).status_code == 404
    assert client.get(url, headers=tokens["far_idva"]).status_code == 404
    svc.session.execute(
        Referral.__table__.update().values(assigned_idva_id=world["users"]["far_idva"].id)
    )
    svc.session.commit()
    assigned = client.get(url, headers=tokens["far_idva"])
    assert assigned.status_code == 200 and assigned.json["risks"] == PLAN["risks"]
    changed = client.put(url, json={**PLAN, "risks": ["New risk"]}, headers=tokens["far_idva"])
    assert changed.status_code == 200 and changed.json["updated_by"] == "Idva"


def test_a_bad_plan_names_every_bad_field_and_writes_nothing(client, svc, world):
    body = {
        "risks": ["", "x" * 501],
        "measures": [{"what": "Ok"}, {"what": "", "status": "someday"}],
        "review_date": "2101-01-01",
        "extra": 1,
    }
    bad = client.put(_url(world), json=body, headers=world["tokens"]["idva"])
    assert bad.status_code == 422
    fields = set(bad.json["error"]["fields"])
    assert {"risks.0", "risks.1", "measures.1.what", "measures.1.status"} <= fields
    assert {"review_date", "extra"} <= fields
    assert svc.session.scalar(select(SafetyPlan.id)) is None


def test_the_review_reminder_tells_the_idva_once_without_personal_data(svc, world):
    referral = world["referral"]
    idva = world["users"]["idva"]
    svc.session.execute(Referral.__table__.update().values(assigned_idva_id=idva.id))
    today = clock.today()
    plan = SafetyPlan(referral_id=referral.id)
    plan.risks, plan.measures, plan.review_date = PLAN["risks"], [], today
    svc.session.add(plan)
    svc.session.commit()
    due_at = now = clock.parse_moment(f"{today.isoformat()}T12:00")  # midday, UK time
    assert remind_plan_reviews(svc, due_at, now) == "1 plans due, 1 e-mails"
    assert remind_plan_reviews(svc, due_at, now) == "1 plans due, 0 e-mails"  # once per date
    message = svc.session.scalars(select(OutboxMessage)).one()
    assert message.to_address == "idva@idv.example"
    assert referral.reference in message.subject
    victim = svc.session.get(Referral, referral.id)
    for secret in (victim.victim_first_name, victim.victim_last_name, "Knife"):
        assert secret not in message.body and secret not in message.subject
    # a new review date is reminded afresh; a plan not yet due is not
    plan.review_date = today + timedelta(days=1)
    svc.session.commit()
    assert remind_plan_reviews(svc, due_at, now) == "0 plans due, 0 e-mails"


def test_the_page_saves_a_plan_keeping_what_was_typed_on_error(client, svc, world):
    referral = world["referral"]
    sign_in(client, "idva@idv.example")
    page_url = f"/referrals/{referral.id}/safety-plan"
    assert "No safety plan has been saved" in client.get(page_url).text
    typed = {
        "rows": "2",
        "risks": "Stalking at work\nThreats by text",
        "measures-0-what": "",
        "measures-0-who": "",
        "measures-0-status": "planned",
        "measures-1-what": "Panic alarm fitted",
        "measures-1-who": "POL",
        "measures-1-status": "sometime",
        "review_date-day": "31",
        "review_date-month": "2",
        "review_date-year": "2027",
    }
    refused = post_form(client, page_url, typed)
    assert refused.status_code == 422
    assert 'href="#measures-1-status"' in refused.text  # the row typed, not the 1st sent
    assert 'href="#review_date-day"' in refused.text
    assert "Threats by text" in refused.text and "Panic alarm fitted" in refused.text
    more = post_form(client, page_url, {**typed, "add_measure": "1"})
    assert 'id="measures-2-what"' in more.text and "Panic alarm fitted" in more.text
    fixed = {**typed, "measures-1-status": "in_place", "review_date-day": "28"}
    saved = post_form(client, page_url, fixed)
    assert saved.status_code == 302
    shown = client.get(page_url).text
    assert "Safety plan saved" in shown and "Last changed by Idva" in shown
    assert "Threats by text" in shown and 'value="28"' in shown
    plan = svc.session.scalars(select(SafetyPlan)).one()
    assert plan.measures == [{"what": "Panic alarm fitted", "who": "POL", "status": "in_place"}]


def test_the_idva_home_page_lists_plans_due_for_review(app, client, svc, world):
    referral, idva = world["referral"], world["users"]["idva"]
    svc.session.execute(Referral.__table__.update().values(assigned_idva_id=idva.id))
    plan = SafetyPlan(referral_id=referral.id)
    plan.risks, plan.measures = [], []
    plan.review_date = clock.today() - timedelta(days=2)
    svc.session.add(plan)
    svc.session.commit()
    sign_in(client, "idva@idv.example")
    home = client.get("/").text
    assert "Safety plan review due" in home and referral.reference in home
    coordinator = app.test_client()
    sign_in(coordinator, "co@pol.example")
    assert "Safety plan review due" not in coordinator.get("/").text
