"""A victim's history (GET /api/v1/referrals/{id}/history): every referral of the same victim
and what happened to each, oldest first, each event through the sharing engine; an event the
caller may not see is absent, not redacted."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, NotVisible
from casework.referrals import matches
from casework.referrals.history import victim_history
from casework.referrals.models import PossibleMatch
from tests.conftest import Factory, bearer
from tests.referrals.history_world import History, ago, build, known_to_ppo


def kinds(answer: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["kind"], e.get("reference")) for e in answer["events"]]


def ask(h: History, who: str, referral: Any = None) -> dict[str, Any]:
    return victim_history(h.svc, h.actor(who), (referral or h.second).id)


def test_the_coordinator_sees_both_referrals_and_what_happened_in_time_order(
    factory: Factory,
) -> None:
    h = build(factory)
    first, second = h.first.reference, h.second.reference
    answer = ask(h, "coordinator")
    assert kinds(answer) == [
        ("referral", first),
        ("listed", first),
        ("heard", None),
        ("minute", first),
        ("action", first),
        ("action_outcome", first),
        ("referral", second),
        ("idva_assignment", second),
    ]
    stamps = [e["at"] for e in answer["events"]]
    assert stamps == sorted(stamps)
    events = answer["events"]
    assert events[0]["is_repeat"] is False
    assert events[6]["is_repeat"] is True and "repeat" in events[6]["criteria"]
    assert events[2]["references"] == [first]
    assert events[3]["text"] == "Safety plan agreed; sanctuary scheme offered"
    assert events[5]["outcome"] == "Locks changed"
    assert events[7] | {"at": None} == {
        "at": None,
        "kind": "idva_assignment",
        "referral_id": str(h.second.id),
        "reference": second,
        "change": "assigned",
        "idva": "Jo",
    }


def test_asking_from_either_referral_gives_the_same_history(factory: Factory) -> None:
    h = build(factory)
    assert ask(h, "coordinator", h.first) == ask(h, "coordinator", h.second)


def test_minutes_of_a_meeting_the_callers_agency_did_not_attend_are_absent(
    factory: Factory,
) -> None:
    h = build(factory)  # the IDVA service sent apologies
    answer = ask(h, "idva")
    assert ("minute", h.first.reference) not in kinds(answer)
    assert ("heard", None) in kinds(answer)  # the meeting itself is part of the case
    assert "Safety plan" not in str(answer)


def test_minutes_are_there_once_the_callers_agency_attended(factory: Factory) -> None:
    h = build(factory, idva_present=True)
    assert ("minute", h.first.reference) in kinds(ask(h, "idva"))


def test_an_action_of_another_panel_is_absent(factory: Factory) -> None:
    h = build(factory)
    for who in ("coordinator", "idva", "chair"):
        ids = {e.get("action_id") for e in ask(h, who)["events"]}
        assert str(h.housing_action.id) in ids
        assert str(h.foreign_action.id) not in ids, who


def test_a_referral_of_the_same_victim_on_a_panel_the_caller_is_not_on_is_absent(
    factory: Factory,
) -> None:
    h = build(factory)
    for who in ("coordinator", "idva", "chair", "referrer"):
        answer = ask(h, who)
        assert h.elsewhere.reference not in str(answer), who
        assert str(h.elsewhere.id) not in str(answer), who


def test_a_different_first_name_joins_the_history_only_once_a_coordinator_confirms(
    factory: Factory,
) -> None:
    h = build(factory)
    sarah = h.p.refer(
        victim__first_name="Sarah", victim__last_name="Whitfield", referral_date=ago(10).isoformat()
    )
    # One possible match per earlier referral that is a near match: the coordinator decides
    # the one on their panel (the other panel's is not theirs to see; rows come in any order).
    mine = select(PossibleMatch).where(PossibleMatch.referral_id == sarah.id)
    found = h.svc.session.scalars(mine)
    match = next(m for m in found if m.other_referral_id != h.elsewhere.id)
    assert sarah.reference not in str(ask(h, "coordinator"))
    matches.confirm_match(h.svc, h.actor("coordinator"), match.id)
    h.svc.session.commit()
    assert ("referral", sarah.reference) in kinds(ask(h, "coordinator"))
    assert ("referral", h.first.reference) in kinds(ask(h, "coordinator", sarah))


def test_a_caller_who_may_see_nothing_of_the_referral_gets_404(factory: Factory) -> None:
    h = build(factory)
    for who in ("outsider", "housing"):
        with pytest.raises(NotVisible):
            ask(h, who)
    with pytest.raises(Forbidden):  # a role that never sees case data
        ask(h, "analyst")
    with pytest.raises(NotVisible):
        victim_history(h.svc, h.actor("coordinator"), uuid.uuid4())


def test_the_other_area_sees_only_its_own_referral(factory: Factory) -> None:
    h = build(factory)
    other = h.svc.session.scalar(select(User).where(User.email == "ref@out.example"))
    answer = victim_history(h.svc, actor_for(other, via="test"), h.elsewhere.id)
    assert kinds(answer) == [("referral", h.elsewhere.reference)]


def test_also_known_to_only_where_both_protocols_permit(factory: Factory) -> None:
    h = build(factory, nominal=True)
    assert h.nominal is not None
    # police chair: sees the referral (MARAC) and sits on the PPO panel (offender protocol)
    assert ask(h, "chair")["also_known_to"] == [
        {"type": "nominal", "id": str(h.nominal.id), "panels": ["Northshire PPO"]}
    ]
    # the coordinator's agency and the IDVA service are not on the PPO panel; the offender
    # protocol gives IDVAs nothing: the nominal's existence is not hinted at
    for who in ("coordinator", "idva"):
        answer = ask(h, who)
        assert answer["also_known_to"] == [], who
        assert str(h.nominal.id) not in str(answer)


def test_also_known_to_needs_the_same_surname_and_date_of_birth(factory: Factory) -> None:
    h = build(factory)
    known_to_ppo(factory, h.p, date_of_birth="1990-04-02")
    assert ask(h, "chair")["also_known_to"] == []


def test_each_record_shown_is_audited_and_nothing_else(factory: Factory) -> None:
    h = build(factory)
    h.svc.session.commit()
    before = h.svc.session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    ask(h, "idva")
    h.svc.session.commit()
    entries = list(
        h.svc.session.scalars(
            select(AuditEntry).where(AuditEntry.seq > (before or 0)).order_by(AuditEntry.seq)
        )
    )
    seen = {(e.action, e.record_type, e.record_id) for e in entries}
    assert seen == {
        ("view", "referral", str(h.first.id)),
        ("view", "referral", str(h.second.id)),
        ("view", "action", str(h.housing_action.id)),
    }
    assert all(e.actor_email == "jo@idva.example" for e in entries)
    second = next(e for e in entries if e.record_id == str(h.second.id))
    assert "repeat.is_repeat" in second.fields and "victim.address" not in second.fields


def test_the_api_answers_the_history_and_404_for_an_outsider(factory: Factory, client) -> None:
    h = build(factory)
    url = f"/api/v1/referrals/{h.second.id}/history"
    reference = h.first.reference
    coordinator = factory.token(h.p.users["coordinator"])
    outsider = factory.token(h.p.users["outsider"])
    answer = client.get(url, headers=bearer(coordinator))
    assert answer.status_code == 200
    assert answer.json["events"][0]["reference"] == reference
    assert answer.json["also_known_to"] == []
    assert client.get(url, headers=bearer(outsider)).status_code == 404
    assert (
        client.get("/api/v1/referrals/nope/history", headers=bearer(coordinator)).status_code == 404
    )


def test_a_confirmed_match_brings_that_persons_other_referrals_whichever_it_was_made_against(
    factory: Factory,
) -> None:
    """The matcher links a new referral to one earlier referral, whichever it finds first (the
    order can differ between databases): the history is the same either way."""
    h = build(factory)
    sarah = h.p.refer(
        victim__first_name="Sarah", victim__last_name="Whitfield", referral_date=ago(10).isoformat()
    )
    match = h.svc.session.scalar(select(PossibleMatch).where(PossibleMatch.referral_id == sarah.id))
    assert match is not None
    for earlier in (h.first, h.second):
        match.other_referral_id = earlier.id
        match.status = "confirmed"
        h.svc.session.commit()
        seen = kinds(ask(h, "coordinator", sarah))
        assert ("referral", h.first.reference) in seen
        assert ("referral", h.second.reference) in seen
