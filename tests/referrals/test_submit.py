"""Submitting referrals through the API: the contract's shape, the criteria, and refusals
that name every bad field and store nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect

from casework.accounts.auth import actor_for
from casework.audit.models import AuditEntry
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.referral_data import dash, referral_body


@pytest.fixture()
def setup(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    panel = factory.panel(("POL", "HLT"))
    user = factory.user("ref@hlt.example", "HLT", ("referrer",))
    return {"panel": panel, "headers": bearer(factory.token(user)), "user": user}


def post(client, setup: dict, **changes: Any):
    body = referral_body(setup["panel"].id, **changes)
    return client.post("/api/v1/referrals", json=body, headers=setup["headers"])


def test_accepted_referral_answers_as_the_contract_shows(client, setup: dict) -> None:
    response = post(client, setup, risk__police_incidents_12m=3)
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"id", "reference", "status", "risk", "repeat"}
    assert body["status"] == "submitted"
    assert body["risk"] == {
        "dash_score": 15,
        "band": "high",
        "criteria": ["visible_high_risk", "potential_escalation"],
    }
    assert body["repeat"] == {"is_repeat": False, "previous_referral_date": None}
    got = client.get(f"/api/v1/referrals/{body['id']}", headers=setup["headers"]).json
    assert got["victim"]["first_name"] == "Jane"
    assert got["referring_agency"] == "HLT"
    assert got["risk"]["dash"]["1"] == "yes"


@pytest.mark.parametrize(
    ("yes", "band"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high")],
)
def test_bands(client, setup: dict, yes: int, band: str) -> None:
    response = post(
        client,
        setup,
        risk__dash=dash(yes),
        risk__professional_judgement=True,
        risk__professional_judgement_reason="Threats to kill reported by a neighbour",
    )
    assert response.status_code == 201
    assert response.json["risk"]["band"] == band
    assert response.json["risk"]["dash_score"] == yes


def test_a_referral_meeting_no_criterion_is_refused_and_explained(
    client, setup: dict, svc: Services
) -> None:
    response = post(client, setup, risk__dash=dash(13), risk__police_incidents_12m=2)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "criteria_not_met"
    assert "14 or more" in error["message"] and "professional judgement" in error["message"]
    assert svc.session.query(Referral).count() == 0


def test_professional_judgement_needs_its_reason(client, setup: dict) -> None:
    response = post(client, setup, risk__dash=dash(5), risk__professional_judgement=True)
    assert response.status_code == 422
    assert "risk.professional_judgement_reason" in response.json["error"]["fields"]


def test_escalation_alone_is_enough(client, setup: dict) -> None:
    response = post(client, setup, risk__dash=dash(2), risk__police_incidents_12m=3)
    assert response.json["risk"]["criteria"] == ["potential_escalation"]


def test_a_victim_under_16_is_refused_with_a_pointer_to_safeguarding(
    client, setup: dict, svc: Services
) -> None:
    response = post(client, setup, victim__date_of_birth="2010-11-03")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "victim_under_16"
    assert "children's safeguarding" in response.json["error"]["message"]
    assert "victim.date_of_birth" in response.json["error"]["fields"]
    assert svc.session.query(Referral).count() == 0


def test_sixteen_on_the_referral_date_is_accepted(client, setup: dict) -> None:
    response = post(client, setup, victim__date_of_birth="2010-11-02")
    assert response.status_code == 201


def test_every_bad_field_is_named_and_nothing_is_stored(client, setup: dict, svc: Services) -> None:
    answers = dash(15)
    del answers["7"]
    answers["3"] = "maybe"
    answers["25"] = "yes"
    response = post(
        client,
        setup,
        referral_date="2999-01-01",
        victim__date_of_birth="1990-02-30",
        perpetrators=[{"first_name": "", "last_name": "Roe"}],
        risk__dash=answers,
        colour="blue",
    )
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    for name in (
        "referral_date",
        "victim.date_of_birth",
        "perpetrators.0.first_name",
        "risk.dash.7",
        "risk.dash.3",
        "risk.dash.25",
        "colour",
    ):
        assert name in fields, name
    assert svc.session.query(Referral).count() == 0
    assert (
        svc.session.query(AuditEntry).filter_by(action="create", record_type="referral").count()
        == 0
    )


def test_a_body_that_is_not_json_is_400(client, setup: dict) -> None:
    response = client.post(
        "/api/v1/referrals",
        data="{",
        headers={**setup["headers"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("roles", [("agency_rep",), ("analyst",), ("admin",), ("dpo",), ("chair",)])
def test_roles_that_may_not_refer_get_403(client, setup: dict, factory: Factory, roles) -> None:
    user = factory.user("other@hlt.example", "HLT", roles)
    body = referral_body(setup["panel"].id)
    response = client.post("/api/v1/referrals", json=body, headers=bearer(factory.token(user)))
    assert response.status_code == 403


def test_the_panel_must_be_a_marac(client, setup: dict, factory: Factory) -> None:
    ppo = factory.panel(("POL",), kind="ppo")
    body = referral_body(ppo.id)
    response = client.post("/api/v1/referrals", json=body, headers=setup["headers"])
    assert response.status_code == 422
    assert "panel_id" in response.json["error"]["fields"]


def test_list_filters(client, setup: dict) -> None:
    post(client, setup, referral_date="2026-10-01")
    post(client, setup, referral_date="2026-11-01", victim__first_name="Ann")
    url = "/api/v1/referrals?from=2026-10-15&to=2026-11-01"
    listed = client.get(url, headers=setup["headers"]).json
    assert [r["referral_date"] for r in listed] == ["2026-11-01"]
    bad = client.get("/api/v1/referrals?from=yesterday", headers=setup["headers"])
    assert bad.status_code == 422 and "from" in bad.json["error"]["fields"]


def test_the_submitted_referral_is_what_the_database_holds_with_nothing_left_to_load(
    svc: Services, setup: dict
) -> None:
    """The action inserts with Core and hands back objects built from the same values: they
    must match a fresh read column for column, and reading them must need no query."""
    actor = actor_for(setup["user"], via="test")
    referral = submit_referral(svc, actor, referral_body(setup["panel"].id))
    people = (*referral.perpetrators, *referral.children)
    assert all(not inspect(obj).unloaded for obj in (referral, *people))
    svc.session.commit()
    with svc.db.factory() as fresh:
        for obj in (referral, *people):
            stored = fresh.get(type(obj), obj.id)
            for attr in inspect(type(obj)).column_attrs:
                assert getattr(stored, attr.key) == getattr(obj, attr.key), attr.key
        assert fresh.get(Referral, referral.id).victim_last_name == referral.victim_last_name


def test_the_list_pages_with_limit_and_offset(client, setup: dict) -> None:
    for day in ("2026-10-01", "2026-10-02", "2026-10-03"):
        post(client, setup, referral_date=day)
    dates = [
        [r["referral_date"] for r in client.get(url, headers=setup["headers"]).json]
        for url in ("/api/v1/referrals?limit=2", "/api/v1/referrals?limit=2&offset=2")
    ]
    assert dates == [["2026-10-03", "2026-10-02"], ["2026-10-01"]]
    bad = client.get("/api/v1/referrals?offset=-1", headers=setup["headers"])
    assert bad.status_code == 422 and "offset" in bad.json["error"]["fields"]
