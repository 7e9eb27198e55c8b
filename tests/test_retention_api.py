"""The DPO's retention API mirrors the page: the review list, holds placed and lifted, a
batch erased only when confirmed; every other role is answered 404."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from casework.referrals.models import Referral
from tests.conftest import Factory, bearer
from tests.retention_world import World, build_world
from tests.test_retention import _run_job

pytestmark = pytest.mark.dates


@pytest.fixture()
def world(factory: Factory) -> World:
    w = build_world(factory)
    _run_job(w)
    return w


def _due(client: FlaskClient, token: str) -> dict:
    answer = client.get("/api/v1/retention/due", headers=bearer(token))
    assert answer.status_code == 200
    return answer.get_json()


def test_the_dpo_holds_lifts_and_erases_through_the_api(
    world: World, factory: Factory, client: FlaskClient
) -> None:
    w = world
    token = factory.token(w.p.users["dpo"])
    erased_id = w.erased.id
    listed = _due(client, token)
    assert "Quillfeather" not in str(listed)
    row = next(i for i in listed["due"] if i["record_id"] == str(w.erased.id))
    assert row["reference"] == w.erased.reference and row["record_type"] == "marac_referral"
    assert listed["periods"]["nominal"] == "6 years"

    refused = client.post("/api/v1/retention/holds", json={}, headers=bearer(token))
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"reference", "reason"}
    held = client.post(
        "/api/v1/retention/holds",
        json={"reference": w.erased.reference.lower(), "reason": "Claim"},
        headers=bearer(token),
    )
    assert held.status_code == 201 and held.get_json()["reference"] == w.erased.reference
    hold_id = held.get_json()["id"]
    assert held.headers["Location"].endswith(f"/api/v1/retention/holds/{hold_id}")
    now = _due(client, token)
    assert str(w.erased.id) not in {i["record_id"] for i in now["due"]}
    assert [h["id"] for h in now["holds"]] == [hold_id]
    lifted = client.delete(f"/api/v1/retention/holds/{hold_id}", headers=bearer(token))
    assert lifted.status_code == 204
    assert (
        client.delete(f"/api/v1/retention/holds/{hold_id}", headers=bearer(token)).status_code
        == 404
    )

    body = {"records": [row["id"]], "reason": "Period ended"}
    unconfirmed = client.post("/api/v1/retention/erasures", json=body, headers=bearer(token))
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.get_json()["error"]["fields"]
    w.p.svc.session.expire_all()
    assert not w.p.svc.session.get(Referral, erased_id).erased
    done = client.post(
        "/api/v1/retention/erasures", json={**body, "confirm": True}, headers=bearer(token)
    )
    assert done.status_code == 200
    [erased] = done.get_json()["erased"]
    assert erased["record_id"] == str(w.erased.id) and erased["counts"]["minutes emptied"] == 1
    w.p.svc.session.expire_all()
    assert w.p.svc.session.get(Referral, w.erased.id).erased


@pytest.mark.parametrize("role_user", ["coordinator", "analyst", "referrer"])
def test_every_retention_endpoint_is_404_to_other_roles(
    world: World, factory: Factory, client: FlaskClient, role_user: str
) -> None:
    w = world
    token = factory.token(w.p.users[role_user])
    erased_id = w.erased.id
    hold = {"reference": w.held.reference, "reason": "Claim"}
    erase = {"records": [str(erased_id)], "reason": "x", "confirm": True}
    for method, url, body in (
        ("get", "/api/v1/retention/due", None),
        ("post", "/api/v1/retention/holds", hold),
        ("delete", f"/api/v1/retention/holds/{erased_id}", None),
        ("post", "/api/v1/retention/erasures", erase),
    ):
        answer = getattr(client, method)(url, json=body, headers=bearer(token))
        assert answer.status_code == 404, url
    w.p.svc.session.expire_all()
    assert not w.p.svc.session.get(Referral, erased_id).erased
