"""An ended (withdrawn or closed) referral's IDVA can still be taken off it, and then stops
seeing the case; a new IDVA can never be given an ended case."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.errors import Forbidden, Invalid, NotVisible
from casework.referrals import lifecycle
from casework.referrals.actions import get_referral
from tests.conftest import Factory, bearer, post_form, sign_in
from tests.referrals.coordination_setup import Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _ended_with_idva(p: Partnership, status: str):
    referral = p.refer()
    far = p.users["far_idva"]
    lifecycle.assign_idva(p.svc, p.actor("coordinator"), referral.id, {"user_id": str(far.id)})
    p.svc.session.commit()
    p.set_status(referral, status)
    return referral


@pytest.mark.parametrize("status", ["withdrawn", "closed"])
def test_an_ended_referrals_idva_is_taken_off_and_stops_seeing_it(
    p: Partnership, status: str
) -> None:
    referral = _ended_with_idva(p, status)
    assert get_referral(p.svc, p.actor("far_idva"), referral.id)["status"] == status
    answer = lifecycle.unassign_idva(p.svc, p.actor("chair"), referral.id)
    p.svc.session.commit()
    assert answer["assigned_idva"] is None and answer["status"] == status
    with pytest.raises(NotVisible):
        get_referral(p.svc, p.actor("far_idva"), referral.id)
    [*_, entry] = p.audits("referral", referral.id)
    assert entry.fields == ["assigned_idva"]
    with pytest.raises(Invalid) as again:  # nobody left to take it from
        lifecycle.unassign_idva(p.svc, p.actor("chair"), referral.id)
    assert again.value.code == "invalid_transition"
    with pytest.raises(Forbidden):
        lifecycle.unassign_idva(p.svc, p.actor("referrer"), referral.id)


@pytest.mark.parametrize("status", ["withdrawn", "closed"])
def test_no_new_idva_for_an_ended_referral(p: Partnership, status: str) -> None:
    referral = _ended_with_idva(p, status)
    lifecycle.unassign_idva(p.svc, p.actor("coordinator"), referral.id)
    p.svc.session.commit()
    with pytest.raises(Invalid) as refused:
        lifecycle.assign_idva(
            p.svc, p.actor("coordinator"), referral.id, {"user_id": str(p.users["idva"].id)}
        )
    assert refused.value.code == "invalid_transition"
    assert refused.value.fields == {
        "user_id": [f"The referral is {status}: its IDVA can no longer change"]
    }


def test_the_api_takes_the_idva_off_a_closed_referral(
    p: Partnership, client, factory: Factory
) -> None:
    referral = _ended_with_idva(p, "closed")
    headers = bearer(factory.token(p.users["coordinator"]))
    url = f"/api/v1/referrals/{referral.id}"
    idva = bearer(factory.token(p.users["far_idva"]))
    assert client.get(url, headers=idva).status_code == 200
    done = client.post(f"{url}/unassign-idva", headers=headers)
    assert done.status_code == 200 and done.json["assigned_idva"] is None
    assert client.get(url, headers=idva).status_code == 404
    again = client.post(
        f"{url}/assign-idva", json={"user_id": str(p.users["idva"].id)}, headers=headers
    )
    assert again.status_code == 422 and "user_id" in again.json["error"]["fields"]


def test_the_manage_page_offers_only_removal_once_ended(app: Flask, p: Partnership) -> None:
    referral = _ended_with_idva(p, "withdrawn")
    client = app.test_client()
    sign_in(client, p.users["coordinator"].email)
    url = f"/referrals/{referral.id}/manage"
    page = client.get(url).text
    assert "Remove the IDVA" in page and "Assign IDVA" not in page
    assert "A new IDVA cannot be assigned" in page
    removed = post_form(client, f"{url}/unassign-idva", {}, page=url)
    assert removed.status_code == 302
    page = client.get(url).text
    assert "no longer has an IDVA" in page and "Remove the IDVA" not in page
