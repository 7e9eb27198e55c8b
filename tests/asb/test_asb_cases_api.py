"""ASB cases through the API: a housing officer refers a victim, the server scores the risk
assessment and flags a repeat victim at the configured threshold, every read and change is
audited, an agency outside the panel gets 404 and empty lists, and bad input is a 422 naming
every bad field with nothing written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework import clock
from casework.asb.models import AsbCase
from casework.audit.models import AuditEntry
from casework.services import Services
from tests.asb.asb_world import HIGH, MEDIUM, NOTHING, World, incident, referral
from tests.conftest import Factory, bearer


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


def _post(client: FlaskClient, world: World, who: str, url: str, body: Any) -> Any:
    return client.post(url, json=body, headers=bearer(world.token(who)))


def _get(client: FlaskClient, world: World, who: str, url: str) -> Any:
    return client.get(url, headers=bearer(world.token(who)))


def _audit(svc: Services, action: str, record_id: str) -> list[AuditEntry]:
    svc.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.record_id == record_id)
    return list(svc.session.scalars(stmt))


def test_a_housing_officer_refers_a_victim_and_the_server_scores_it(
    client: FlaskClient, world: World, svc: Services
) -> None:
    body = referral(world.panel.id, risk_answers={**NOTHING, **HIGH})
    created = _post(client, world, "housing", "/api/v1/asb/cases", body)
    assert created.status_code == 201, created.json
    answer = created.json
    assert re.fullmatch(rf"ASB-{clock.today().year}-0001", answer["reference"])
    assert answer["risk"] == {"score": 22, "band": "high"}
    assert answer["repeat_victim"] is False
    assert created.headers["Location"].endswith(f"/asb/cases/{answer['id']}")
    assert [e.fields for e in _audit(svc, "create", answer["id"])][0]

    second = _post(
        client,
        world,
        "housing",
        "/api/v1/asb/cases",
        referral(world.panel.id, risk_answers={**NOTHING, **MEDIUM}),
    )
    assert second.json["reference"].endswith("-0002")
    assert second.json["risk"] == {"score": 11, "band": "medium"}

    case = _get(client, world, "housing", f"/api/v1/asb/cases/{answer['id']}").json
    assert case["victim"]["last_name"] == "Stone"
    assert case["risk"]["answers"]["frequency"] == "daily"
    assert case["incidents"][0]["reference"] == "INC-7"
    assert case["incidents"][0]["agency"] == "POL"
    names = {p.get("group_name") or p.get("last_name") for p in case["perpetrators"]}
    assert names == {"Marsh", "Elm Court youths"}
    assert "incidents" in case["may_edit"]  # the referring agency adds incidents
    assert _audit(svc, "view", answer["id"])

    listed = _get(client, world, "police", "/api/v1/asb/cases?band=high").json
    assert [c["id"] for c in listed] == [answer["id"]]
    assert _audit(svc, "list", answer["id"])


def test_the_repeat_victim_flag_fires_at_the_threshold_and_not_below(
    client: FlaskClient, world: World
) -> None:
    """Three incidents of the same victim within 183 days (default), across their cases."""
    below = world.refer(incidents=[incident(10), incident(40), incident(200)])
    assert below["repeat_victim"] is False  # 200 days ago is outside the window
    again = world.refer(
        incidents=[incident(2)],
        victim={"first_name": "VERA", "last_name": "stone", "date_of_birth": "1961-04-02"},
    )
    assert again["repeat_victim"] is True  # 10, 40 and 2 days ago

    other = world.refer(
        incidents=[incident(5), incident(6)],
        victim={"first_name": "Ann", "last_name": "Other", "date_of_birth": "1970-01-01"},
    )
    assert other["repeat_victim"] is False
    added = _post(
        client,
        world,
        "housing",
        f"/api/v1/asb/cases/{other['id']}/incidents",
        {"incidents": [incident(1, type="criminal_damage")]},
    )
    assert added.status_code == 201, added.json
    assert added.json["repeat_victim"] is True


def test_an_agency_outside_the_panel_sees_nothing(client: FlaskClient, world: World) -> None:
    made = world.refer()
    url = f"/api/v1/asb/cases/{made['id']}"
    for who in ("outsider", "health", "analyst"):  # health: a member, but not on an agenda yet
        assert _get(client, world, who, url).status_code == 404, who
        assert _get(client, world, who, "/api/v1/asb/cases").json == [], who
        refused = _post(client, world, who, f"{url}/incidents", {"incidents": [incident(1)]})
        assert refused.status_code == 404, who
    assert _get(client, world, "police", url).status_code == 200


def test_bad_referrals_name_every_field_and_write_nothing(
    client: FlaskClient, world: World, svc: Services
) -> None:
    answers = {**NOTHING, "bogus": "yes"}
    del answers["frequency"]
    answers["escalating"] = "perhaps"
    body = referral(
        world.other_panel.id,
        colour="blue",
        risk_answers=answers,
        victim={"first_name": "Vera", "date_of_birth": "1961-04-02"},
        incidents=[incident(3, type="loud"), incident(-5, agency="NOPE")],
        perpetrators=[{"description": "no name"}],
    )
    refused = _post(client, world, "housing", "/api/v1/asb/cases", body)
    assert refused.status_code == 422
    fields = refused.json["error"]["fields"]
    assert set(fields) >= {
        "colour",
        "panel_id",
        "victim.last_name",
        "risk_answers.frequency",
        "risk_answers.escalating",
        "risk_answers.bogus",
        "incidents.0.type",
        "incidents.1.date",
        "incidents.1.agency",
        "perpetrators.0.group_name",
    }, fields
    svc.session.expire_all()
    assert svc.session.scalar(select(func.count(AsbCase.id))) == 0


def test_closing_is_the_panels_and_needs_a_known_outcome(
    client: FlaskClient, world: World, svc: Services
) -> None:
    made = world.refer()
    url = f"/api/v1/asb/cases/{made['id']}/close"
    today = clock.today().isoformat()
    assert (
        _post(
            client, world, "housing", url, {"outcome": "resolved", "closed_on": today}
        ).status_code
        == 403
    )
    bad = _post(client, world, "coordinator", url, {"outcome": "sorted", "closed_on": "2100-13-01"})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"outcome", "closed_on"}
    done = _post(client, world, "coordinator", url, {"outcome": "resolved", "closed_on": today})
    assert done.status_code == 200, done.json
    case = _get(client, world, "coordinator", f"/api/v1/asb/cases/{made['id']}").json
    assert case["status"] == "closed"
    assert case["outcome"] == {"outcome": "resolved", "closed_on": today}
    assert _get(client, world, "coordinator", "/api/v1/asb/cases?status=open").json == []
    again = _post(client, world, "coordinator", url, {"outcome": "resolved", "closed_on": today})
    assert again.status_code == 422 and again.json["error"]["code"] == "case_closed"
    assert _audit(svc, "update", made["id"])
