"""A referral's status and IDVA: who may change them, which changes are allowed, the audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from casework.accounts.actions import update_user
from casework.actors import Actor
from casework.agencies.actions import update_agency
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.referrals import lifecycle
from casework.referrals.actions import get_referral
from casework.referrals.models import Referral
from tests.conftest import Factory, bearer
from tests.referrals.coordination_setup import Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _accept(p: Partnership, actor: Actor, r: Referral) -> Any:
    return lifecycle.accept_referral(p.svc, actor, r.id)


def _close(p: Partnership, actor: Actor, r: Referral) -> Any:
    return lifecycle.close_referral(p.svc, actor, r.id)


def _withdraw(p: Partnership, actor: Actor, r: Referral) -> Any:
    return lifecycle.withdraw_referral(p.svc, actor, r.id, {"reason": "Wrong panel"})


def _listed(p: Partnership, actor: Actor, r: Referral) -> Any:
    return lifecycle.mark_listed(p.svc, actor, r)


def _unlisted(p: Partnership, actor: Actor, r: Referral) -> Any:
    return lifecycle.mark_unlisted(p.svc, actor, r)


def _heard(p: Partnership, actor: Actor, r: Referral) -> Any:
    return lifecycle.mark_heard(p.svc, actor, r)


MOVES: dict[str, tuple[Callable[..., Any], str]] = {
    "accept": (_accept, "accepted"),
    "list": (_listed, "listed"),
    "unlist": (_unlisted, "accepted"),
    "hear": (_heard, "heard"),
    "close": (_close, "closed"),
    "withdraw": (_withdraw, "withdrawn"),
}
ALLOWED = {
    ("submitted", "accept"),
    ("accepted", "list"),
    ("listed", "hear"),
    ("listed", "unlist"),
    ("heard", "close"),
    *((s, "withdraw") for s in ("submitted", "accepted", "listed", "heard")),
}
STATUSES = ("submitted", "accepted", "listed", "heard", "closed", "withdrawn")


def test_a_referral_goes_from_submitted_to_closed(p: Partnership) -> None:
    referral = p.refer()
    coordinator = p.actor("coordinator")
    answer = lifecycle.accept_referral(p.svc, coordinator, referral.id)
    assert answer["status"] == "accepted" and answer["reference"] == referral.reference
    lifecycle.mark_listed(p.svc, coordinator, referral)
    lifecycle.mark_unlisted(p.svc, coordinator, referral)  # taken off the agenda
    lifecycle.mark_listed(p.svc, coordinator, referral)
    lifecycle.mark_heard(p.svc, coordinator, referral)
    assert lifecycle.close_referral(p.svc, p.actor("chair"), referral.id)["status"] == "closed"
    p.svc.session.commit()
    assert p.svc.session.get(Referral, referral.id).status == "closed"
    entries = p.audits("referral", referral.id)
    assert len(entries) == 6 and all(e.fields == ["status"] for e in entries)
    assert entries[-1].actor_email == "chair@pol.example"


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("move", sorted(MOVES))
def test_only_the_allowed_transitions_happen(p: Partnership, start: str, move: str) -> None:
    referral = p.refer()
    p.set_status(referral, start)
    run, target = MOVES[move]
    if (start, move) in ALLOWED:
        run(p, p.actor("coordinator"), referral)
        p.svc.session.commit()
        assert p.svc.session.get(Referral, referral.id).status == target
        return
    with pytest.raises(Invalid) as refused:
        run(p, p.actor("coordinator"), referral)
    p.svc.session.rollback()
    assert refused.value.code == "invalid_transition"
    assert start in refused.value.message
    assert p.svc.session.get(Referral, referral.id).status == start
    assert p.audits("referral", referral.id) == []


def test_withdrawing_needs_a_reason_which_is_stored_encrypted(p: Partnership) -> None:
    referral = p.refer()
    coordinator = p.actor("coordinator")
    for body in ({}, {"reason": "   "}, {"reason": None}):
        with pytest.raises(Invalid) as refused:
            lifecycle.withdraw_referral(p.svc, coordinator, referral.id, body)
        assert refused.value.fields == {"reason": ["Enter the reason for withdrawing the referral"]}
    p.svc.session.rollback()
    reason = "Victim moved out of area: referred to Westshire MARAC"
    answer = lifecycle.withdraw_referral(p.svc, coordinator, referral.id, {"reason": reason})
    p.svc.session.commit()
    assert answer["status"] == "withdrawn"
    raw = p.svc.session.execute(
        select(Referral.__table__.c.withdrawn_reason).where(Referral.id == referral.id)
    ).scalar_one()
    assert reason.encode() not in raw
    p.svc.session.expire_all()
    assert p.svc.session.get(Referral, referral.id).withdrawn_reason == reason
    (entry,) = p.audits("referral", referral.id)
    assert entry.fields == ["status", "withdrawn_reason"]
    every = p.svc.session.scalars(select(AuditEntry)).all()
    assert not any("Westshire" in str(e.fields) + str(e.purpose) for e in every)


@pytest.mark.parametrize("name", ["referrer", "idva", "rep"])
def test_other_roles_on_the_panel_are_refused_403(p: Partnership, name: str) -> None:
    referral = p.refer()
    p.set_status(referral, "heard")
    if name == "idva":  # even the IDVA assigned to the case, who may edit it
        lifecycle.assign_idva(
            p.svc, p.actor("coordinator"), referral.id, {"user_id": str(p.users["idva"].id)}
        )
        p.svc.session.commit()
    for move in ("accept", "close", "withdraw"):
        with pytest.raises(Forbidden):
            MOVES[move][0](p, p.actor(name), referral)
    with pytest.raises(Forbidden):
        lifecycle.assign_idva(p.svc, p.actor(name), referral.id, {"user_id": str(referral.id)})


def test_a_coordinator_outside_the_panel_gets_404(p: Partnership) -> None:
    referral = p.refer()
    for move in ("accept", "withdraw"):
        with pytest.raises(NotVisible):
            MOVES[move][0](p, p.actor("outsider"), referral)
    with pytest.raises(NotVisible):
        lifecycle.accept_referral(p.svc, p.actor("coordinator"), "not-an-id")


def test_assigning_an_idva_from_any_agency_lets_them_see_the_case(p: Partnership) -> None:
    referral = p.refer()
    far = p.users["far_idva"]
    with pytest.raises(NotVisible):
        get_referral(p.svc, p.actor("far_idva"), referral.id)
    answer = lifecycle.assign_idva(
        p.svc, p.actor("coordinator"), referral.id, {"user_id": str(far.id)}
    )
    p.svc.session.commit()
    assert answer["assigned_idva"] == str(far.id)
    seen = get_referral(p.svc, p.actor("far_idva"), referral.id)
    assert seen["victim"]["first_name"] == "Jane"
    (entry,) = p.audits("referral", referral.id)
    assert entry.fields == ["assigned_idva"]


def test_taking_the_case_from_its_idva_hides_it_from_them_at_once(p: Partnership) -> None:
    referral = p.refer()
    far = p.users["far_idva"]
    coordinator = p.actor("coordinator")
    lifecycle.assign_idva(p.svc, coordinator, referral.id, {"user_id": str(far.id)})
    p.svc.session.commit()
    answer = lifecycle.unassign_idva(p.svc, coordinator, referral.id)
    p.svc.session.commit()
    assert answer["assigned_idva"] is None
    with pytest.raises(NotVisible):
        get_referral(p.svc, p.actor("far_idva"), referral.id)
    assert [e.fields for e in p.audits("referral", referral.id)] == [["assigned_idva"]] * 2
    with pytest.raises(Invalid) as again:  # nobody left to take it from
        lifecycle.unassign_idva(p.svc, coordinator, referral.id)
    assert again.value.code == "invalid_transition"
    with pytest.raises(Forbidden):
        lifecycle.unassign_idva(p.svc, p.actor("referrer"), referral.id)


def test_only_an_active_idva_can_be_assigned(p: Partnership, factory: Factory) -> None:
    referral = p.refer()
    coordinator = p.actor("coordinator")
    idva = p.users["idva"]

    def refused(user_id: Any) -> list[str]:
        with pytest.raises(Invalid) as exc:
            lifecycle.assign_idva(p.svc, coordinator, referral.id, {"user_id": user_id})
        p.svc.session.rollback()
        return exc.value.fields["user_id"]

    assert refused(str(p.users["referrer"].id)) == ["Choose an active IDVA"]
    assert refused("nobody") == ["Choose an IDVA"]
    update_user(p.svc, factory.system, idva.id, {"active": False})
    p.svc.session.commit()
    assert refused(str(idva.id)) == ["Choose an active IDVA"]
    update_user(p.svc, factory.system, idva.id, {"active": True})
    update_agency(p.svc, factory.system, "IDVA", {"active": False})
    p.svc.session.commit()
    assert refused(str(idva.id)) == ["Choose an active IDVA"]
    assert p.audits("referral", referral.id) == []


def test_no_idva_is_assigned_to_a_closed_referral(p: Partnership) -> None:
    referral = p.refer()
    p.set_status(referral, "closed")
    with pytest.raises(Invalid) as refused:
        lifecycle.assign_idva(
            p.svc, p.actor("coordinator"), referral.id, {"user_id": str(p.users["idva"].id)}
        )
    assert refused.value.code == "invalid_transition"


def test_withdrawal_does_not_rewrite_later_repeat_flags(p: Partnership) -> None:
    first = p.refer("2026-03-01")
    second = p.refer("2026-11-02")
    assert second.crit_repeat
    lifecycle.withdraw_referral(p.svc, p.actor("coordinator"), first.id, {"reason": "Duplicate"})
    p.svc.session.commit()
    p.svc.session.expire_all()
    assert p.svc.session.get(Referral, second.id).crit_repeat  # history stands
    third = p.refer("2026-11-10", victim__first_name="Jane", summary="Another incident")
    assert third.previous_referral_id == second.id  # the withdrawn one no longer counts


def test_api_moves_a_referral_and_answers_its_new_state(
    p: Partnership, client, factory: Factory
) -> None:
    referral = p.refer()
    headers = bearer(factory.token(p.users["coordinator"]))
    url = f"/api/v1/referrals/{referral.id}"
    answer = client.post(f"{url}/accept", headers=headers)
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "accepted" and answer.json["id"] == str(referral.id)
    assert answer.json["repeat"] == {"is_repeat": False, "previous_referral_date": None}
    idva = str(p.users["idva"].id)
    answer = client.post(f"{url}/assign-idva", headers=headers, json={"user_id": idva})
    assert answer.status_code == 200 and answer.json["assigned_idva"] == idva
    refused = client.post(f"{url}/close", headers=headers)
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "invalid_transition"
    missing = client.post(f"{url}/withdraw", headers=headers, json={})
    assert missing.status_code == 422 and list(missing.json["error"]["fields"]) == ["reason"]
    extra = client.post(f"{url}/withdraw", headers=headers, json={"reason": "x", "why": "y"})
    assert extra.status_code == 422 and "why" in extra.json["error"]["fields"]
    not_json = client.post(
        f"{url}/withdraw", headers=headers, data="nope", content_type="application/json"
    )
    assert not_json.status_code == 400
    done = client.post(f"{url}/withdraw", headers=headers, json={"reason": "Wrong panel"})
    assert done.status_code == 200 and done.json["status"] == "withdrawn"


def test_api_answers_403_for_a_referrer_and_404_outside_the_panel(
    p: Partnership, client, factory: Factory
) -> None:
    referral_id = p.refer().id
    url = f"/api/v1/referrals/{referral_id}/accept"
    referrer, outsider = [bearer(factory.token(p.users[n])) for n in ("referrer", "outsider")]
    assert client.post(url, headers=referrer).status_code == 403
    outsider = client.post(url, headers=outsider)
    assert outsider.status_code == 404
    assert outsider.json == {"error": {"code": "not_found", "message": "Not found"}}
    assert p.svc.session.get(Referral, referral_id).status == "submitted"


def test_the_api_document_describes_the_new_endpoints(client) -> None:
    paths = client.get("/openapi.json").json["paths"]
    for path in ("accept", "withdraw", "close", "assign-idva"):
        assert "post" in paths[f"/api/v1/referrals/{{referral_id}}/{path}"]
    assert "get" in paths["/api/v1/referral-matches"]
    assert "post" in paths["/api/v1/referral-matches/{match_id}/confirm"]
    body = paths["/api/v1/referrals/{referral_id}/withdraw"]["post"]["requestBody"]
    assert body["required"] is True
