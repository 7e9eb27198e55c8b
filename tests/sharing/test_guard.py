"""The action guard knows which record types the sharing engine decided: an action that
declares it reads referrals but loads one itself (a role check, then ``session.get``) fails,
in tests and, as a 500 that is logged and audited, in production."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.audit.models import AuditEntry
from casework.authz import AccessNotChecked, action, require_role
from casework.db import as_uuid
from casework.referrals import actions as referral_actions
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, bearer


@action(reads=("referral",))
def peek(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """Reads a referral past the engine: the role check alone used to satisfy ``@action``."""
    require_role(actor, "agency_rep", "referrer")
    referral = svc.session.get(Referral, as_uuid(referral_id))
    return {"id": str(referral.id), "victim": {"last_name": referral.victim_last_name}}


@action(reads=("referral",))
def look(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """The same read through the engine."""
    referral, _ = svc.sharing.get(svc.session, actor, Referral, as_uuid(referral_id))
    return {"id": str(referral.id)}


@action(reads=("referral",))
def look_via_another(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """An action whose read happens in an action it calls: that check counts for it."""
    return referral_actions.get_referral(svc, actor, referral_id)


@pytest.fixture()
def world(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("EDU", "education")
    panel = factory.panel(("POL",))
    police = factory.user("pc@pol.example", "POL", ("agency_rep",))
    outsider = factory.user("rep@edu.example", "EDU", ("agency_rep", "referrer"))
    referral = factory.referral(factory.user("ref@pol.example", "POL", ("referrer",)), panel)
    return {"police": police, "outsider": outsider, "referral": referral}


def test_an_action_reading_a_declared_type_past_the_engine_fails(
    svc: Services, world: dict[str, Any]
) -> None:
    actor = actor_for(world["outsider"])  # not on the panel: the engine would say 404
    with pytest.raises(AccessNotChecked) as failed:
        peek(svc, actor, world["referral"].id)
    assert failed.value.unchecked == ("referral",)
    assert world["referral"].victim_last_name not in str(failed.value)


def test_the_same_read_through_the_engine_passes_or_404s(
    svc: Services, world: dict[str, Any]
) -> None:
    rid = world["referral"].id
    assert look(svc, actor_for(world["police"]), rid) == {"id": str(rid)}
    assert look_via_another(svc, actor_for(world["police"]), rid)["id"] == str(rid)


def test_an_unchecked_read_answers_500_logged_and_audited_without_personal_data(
    svc: Services,
    client: Any,
    factory: Factory,
    world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, rid = world["referral"].victim_last_name, world["referral"].id
    monkeypatch.setattr(referral_actions, "get_referral", peek)
    headers = bearer(factory.token(world["outsider"]))
    with caplog.at_level(logging.ERROR):
        answer = client.get(f"/api/v1/referrals/{rid}", headers=headers)
    assert answer.status_code == 500
    assert name not in answer.text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "AccessNotChecked" in logged and "did not check referral" in logged
    assert name not in logged
    svc.session.rollback()
    denied = svc.session.query(AuditEntry).filter_by(action="denied").one()
    assert (denied.record_type, denied.actor_email) == ("referral", "rep@edu.example")
    assert "access not checked" in (denied.purpose or "")
