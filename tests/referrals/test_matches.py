"""The possible-match review queue: who sees which matches, and what confirming or rejecting
does to the newer referral's repeat flag."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.panels.models import Panel
from casework.referrals import lifecycle, matches
from casework.referrals.models import PossibleMatch, Referral
from tests.conftest import Factory, bearer
from tests.referrals.coordination_setup import Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _pair(p: Partnership, **newer: Any) -> tuple[Referral, Referral, PossibleMatch]:
    """Jane on 1 March 2026, then a near match on 2 November (Janet unless told otherwise)."""
    earlier = p.refer("2026-03-01")
    later = p.refer("2026-11-02", **(newer or {"victim__first_name": "Janet"}))
    match = p.svc.session.scalars(
        select(PossibleMatch).where(PossibleMatch.referral_id == later.id)
    ).one()
    return earlier, later, match


def _reload(p: Partnership, referral: Referral) -> Referral:
    p.svc.session.expire_all()
    return p.svc.session.get(Referral, referral.id)


def test_the_queue_shows_both_referrals_side_by_side(p: Partnership) -> None:
    earlier, later, match = _pair(p)
    (item,) = matches.list_possible_matches(p.svc, p.actor("coordinator"))
    p.svc.session.commit()
    assert item["id"] == str(match.id) and item["status"] == "pending"
    assert item["reason"] == "different_first_name"
    assert item["reason_text"] == "different first name"
    assert item["referral"]["reference"] == later.reference
    assert item["referral"]["victim"] == {
        "first_name": "Janet",
        "last_name": "Doe",
        "date_of_birth": "1990-04-01",
    }
    assert item["other_referral"]["referral_date"] == "2026-03-01"
    assert item["other_referral"]["victim"]["first_name"] == "Jane"
    listed = p.audits("referral", earlier.id, "list")
    assert [e.fields for e in listed] == [
        ["victim.date_of_birth", "victim.first_name", "victim.last_name"]
    ]
    assert matches.pending_match_count(p.svc, p.actor("chair")) == 1


def test_day_and_month_swapped_reads_in_plain_words(p: Partnership) -> None:
    _pair(p, victim__date_of_birth="1990-01-04")
    (item,) = matches.list_possible_matches(p.svc, p.actor("coordinator"))
    assert item["reason_text"] == "day and month of birth swapped"


def test_identity_is_shown_only_where_the_engine_grants_it(
    p: Partnership, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pair(p)
    real = p.svc.sharing.fields_for

    def without_birth_dates(*args: Any, **kwargs: Any) -> dict[Any, frozenset[str]]:
        return {k: v - {"victim.date_of_birth"} for k, v in real(*args, **kwargs).items()}

    monkeypatch.setattr(p.svc.sharing, "fields_for", without_birth_dates)
    (item,) = matches.list_possible_matches(p.svc, p.actor("coordinator"))
    for side in (item["referral"], item["other_referral"]):
        assert set(side["victim"]) == {"first_name", "last_name"}
    p.svc.session.commit()  # as a request ends: the transaction writes its audit entries
    entries = p.svc.session.scalars(select(AuditEntry).where(AuditEntry.action == "list")).all()
    assert len(entries) == 2
    assert all(e.fields == ["victim.first_name", "victim.last_name"] for e in entries)


def test_confirming_makes_the_newer_referral_a_repeat(p: Partnership) -> None:
    earlier, later, match = _pair(p)
    assert not later.crit_repeat and "repeat" not in later.criteria
    answer = matches.confirm_match(p.svc, p.actor("coordinator"), match.id)
    p.svc.session.commit()
    assert answer["status"] == "confirmed"
    assert answer["new_state"]["repeat"] == {
        "is_repeat": True,
        "previous_referral_date": "2026-03-01",
    }
    assert "repeat" in answer["new_state"]["risk"]["criteria"]
    later = _reload(p, later)
    assert later.crit_repeat and later.previous_referral_id == earlier.id
    assert later.previous_referral_date == date(2026, 3, 1)
    decided = p.svc.session.get(PossibleMatch, match.id)
    assert decided.decided_by_id == p.users["coordinator"].id and decided.decided_at is not None
    (decision,) = p.audits("possible_match", match.id)
    assert decision.fields == ["decided_at", "decided_by", "status"]
    (flag,) = p.audits("referral", later.id)
    assert flag.fields == ["repeat.is_repeat", "repeat.previous_referral_date", "risk.criteria"]
    assert matches.list_possible_matches(p.svc, p.actor("coordinator")) == []


def test_confirming_links_but_more_than_12_months_earlier_is_not_a_repeat(
    p: Partnership,
) -> None:
    # A match recorded when the window was longer (REPEAT_MONTHS is configurable).
    earlier = p.refer("2025-10-01")
    later = p.refer("2026-11-02", victim__first_name="Janet")
    match = PossibleMatch(
        referral_id=later.id, other_referral_id=earlier.id, reason="different_first_name"
    )
    p.svc.session.add(match)
    p.svc.session.commit()
    answer = matches.confirm_match(p.svc, p.actor("chair"), match.id)
    p.svc.session.commit()
    assert answer["status"] == "confirmed"
    assert answer["new_state"]["repeat"]["is_repeat"] is False
    assert not _reload(p, later).crit_repeat
    assert p.audits("referral", later.id) == []


def test_confirming_counts_the_most_recent_earlier_referral(p: Partnership) -> None:
    p.refer("2026-03-01")
    may = p.refer("2026-05-01")
    later = p.refer("2026-11-02", victim__first_name="Janet")
    found = p.svc.session.scalars(
        select(PossibleMatch).where(PossibleMatch.referral_id == later.id)
    ).all()
    by_date = {p.svc.session.get(Referral, m.other_referral_id).referral_date: m for m in found}
    assert sorted(by_date) == [date(2026, 3, 1), date(2026, 5, 1)]
    matches.confirm_match(p.svc, p.actor("coordinator"), by_date[date(2026, 3, 1)].id)
    assert _reload(p, later).previous_referral_date == date(2026, 3, 1)
    matches.confirm_match(p.svc, p.actor("coordinator"), by_date[date(2026, 5, 1)].id)
    p.svc.session.commit()
    later = _reload(p, later)
    assert later.previous_referral_id == may.id  # the clock restarts at the last referral


def test_a_withdrawn_earlier_referral_does_not_make_a_repeat(p: Partnership) -> None:
    earlier, later, match = _pair(p)
    lifecycle.withdraw_referral(p.svc, p.actor("coordinator"), earlier.id, {"reason": "Error"})
    answer = matches.confirm_match(p.svc, p.actor("coordinator"), match.id)
    p.svc.session.commit()
    assert answer["status"] == "confirmed" and not _reload(p, later).crit_repeat


def test_rejecting_records_the_decision_and_leaves_the_flag(p: Partnership) -> None:
    _, later, match = _pair(p)
    answer = matches.reject_match(p.svc, p.actor("chair"), match.id)
    p.svc.session.commit()
    assert answer["status"] == "rejected" and answer["decided_by"] == str(p.users["chair"].id)
    assert answer["new_state"]["repeat"]["is_repeat"] is False
    assert not _reload(p, later).crit_repeat
    assert p.svc.session.get(PossibleMatch, match.id).status == "rejected"
    assert len(p.audits("possible_match", match.id)) == 1
    assert p.audits("referral", later.id) == []


@pytest.mark.parametrize(("first", "second"), [("confirm", "reject"), ("reject", "confirm")])
def test_a_decided_match_cannot_be_decided_again(p: Partnership, first: str, second: str) -> None:
    _, _, match = _pair(p)
    getattr(matches, f"{first}_match")(p.svc, p.actor("coordinator"), match.id)
    p.svc.session.commit()
    with pytest.raises(Invalid) as refused:
        getattr(matches, f"{second}_match")(p.svc, p.actor("chair"), match.id)
    assert refused.value.code == "already_decided"


def test_only_coordinators_and_chairs_review(p: Partnership) -> None:
    _, _, match = _pair(p)
    for name in ("referrer", "idva", "rep"):
        with pytest.raises(Forbidden):
            matches.list_possible_matches(p.svc, p.actor(name))
        with pytest.raises(Forbidden):
            matches.confirm_match(p.svc, p.actor(name), match.id)
        with pytest.raises(Forbidden):
            matches.reject_match(p.svc, p.actor(name), match.id)
    assert matches.list_possible_matches(p.svc, p.actor("outsider")) == []
    with pytest.raises(NotVisible):
        matches.confirm_match(p.svc, p.actor("outsider"), match.id)
    with pytest.raises(NotVisible):
        matches.reject_match(p.svc, p.actor("coordinator"), "not-an-id")


def test_a_match_across_panels_goes_only_to_who_sees_both(p: Partnership, factory: Factory) -> None:
    other_panel = p.svc.session.scalars(select(Panel).where(Panel.name == "Southshire MARAC")).one()
    hsg_referrer = factory.user("ref@hsg.example", "HSG", ("referrer",))
    factory.referral(hsg_referrer, other_panel, referral_date="2026-03-01")
    later = p.refer("2026-11-02", victim__first_name="Janet")
    match = p.svc.session.scalars(
        select(PossibleMatch).where(PossibleMatch.referral_id == later.id)
    ).one()
    for name in ("coordinator", "outsider"):
        assert matches.list_possible_matches(p.svc, p.actor(name)) == []
        assert matches.pending_match_count(p.svc, p.actor(name)) == 0
        with pytest.raises(NotVisible):
            matches.confirm_match(p.svc, p.actor(name), match.id)


def test_api_lists_confirms_and_refuses(p: Partnership, client, factory: Factory) -> None:
    _, later, match = _pair(p)
    match_id, later_id, panel_id = str(match.id), str(later.id), str(p.panel.id)
    coordinator = bearer(factory.token(p.users["coordinator"]))
    referrer = bearer(factory.token(p.users["referrer"]))
    queue = client.get("/api/v1/referral-matches", headers=coordinator)
    assert queue.status_code == 200 and [m["id"] for m in queue.json] == [match_id]
    assert client.get(f"/api/v1/referral-matches?panel_id={panel_id}", headers=coordinator).json
    bad = client.get("/api/v1/referral-matches?panel_id=nope", headers=coordinator)
    assert bad.status_code == 422 and "panel_id" in bad.json["error"]["fields"]
    assert client.get("/api/v1/referral-matches", headers=referrer).status_code == 403
    url = f"/api/v1/referral-matches/{match_id}"
    assert client.post(f"{url}/confirm", headers=referrer).status_code == 403
    done = client.post(f"{url}/confirm", headers=coordinator)
    assert done.status_code == 200, done.json
    assert done.json["new_state"]["id"] == later_id
    assert done.json["new_state"]["repeat"]["is_repeat"] is True
    again = client.post(f"{url}/reject", headers=coordinator)
    assert again.status_code == 422 and again.json["error"]["code"] == "already_decided"
    unknown = client.post("/api/v1/referral-matches/nope/reject", headers=coordinator)
    assert unknown.status_code == 404
