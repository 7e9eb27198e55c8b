"""Triage through the API: POST /referrals/accept with IDVAs to assign (one for all, or per
referral), all or none. The pages' triage calls the same action (test_triage_pages.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.meetings.models import AgendaItem
from casework.referrals.models import Referral
from tests.conftest import Factory, bearer
from tests.meetings.agenda_setup import TODAY, Partnership, partnership

URL = "/api/v1/referrals/accept"


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    world = partnership(factory)
    world.users["idva2"] = factory.user("sam@idva.example", "IDVA", ("idva",))
    return world


@pytest.fixture()
def coordinator(p: Partnership) -> dict[str, str]:
    return bearer(p.factory.token(p.users["coordinator"]))


def _ids(p: Partnership) -> dict[str, uuid.UUID]:
    """User ids read before any request: each request ends by removing the session."""
    return {who: user.id for who, user in p.users.items()}


def _referrals(p: Partnership, ids: list[uuid.UUID]) -> list[Referral]:
    p.svc.session.expire_all()
    return [p.svc.session.get(Referral, rid) for rid in ids]


def _assigned(p: Partnership) -> set[str]:
    """Referrals whose IDVA was changed, by the audit trail."""
    return {
        e.record_id for e in p.audits("update", "referral") if "assigned_idva" in (e.fields or [])
    }


def _fields(answer: Any) -> set[str]:
    return set(answer.json["error"].get("fields", {}))


def test_one_idva_for_all_and_one_per_row_assigned_and_audited(
    client: FlaskClient, p: Partnership, coordinator: dict[str, str]
) -> None:
    users = _ids(p)
    refs = [p.refer(accept=False).id for _ in range(3)]
    answer = client.post(
        URL,
        json={
            "ids": [str(r) for r in refs],
            "idva": str(users["idva"]),
            "idvas": [None, str(users["idva2"]), None],
        },
        headers=coordinator,
    )
    assert answer.status_code == 200, answer.json
    assert [r["assigned_idva"] for r in answer.json["accepted"]] == [
        str(users["idva"]),
        str(users["idva2"]),
        str(users["idva"]),
    ]
    first, second, third = _referrals(p, refs)
    assert [r.status for r in (first, second, third)] == ["accepted"] * 3
    assert (first.assigned_idva_id, second.assigned_idva_id) == (users["idva"], users["idva2"])
    assert third.assigned_idva_id == users["idva"]
    # each assignment audited as the single-referral action audits it
    assert _assigned(p) == {str(r) for r in refs}


def test_a_bad_idva_on_one_row_changes_nothing(
    client: FlaskClient, p: Partnership, coordinator: dict[str, str]
) -> None:
    users = _ids(p)
    meeting = p.meeting(day=TODAY + timedelta(days=5)).id
    made = [p.refer(accept=False) for _ in range(3)]
    refs, last = [r.id for r in made], made[2].reference
    before = len(p.audits("update", "referral"))
    answer = client.post(
        URL,
        json={
            "ids": [str(r) for r in refs],
            "idvas": [str(users["idva"]), None, str(users["housing"])],  # not an IDVA
            "list_at": "next",
        },
        headers=coordinator,
    )
    assert answer.status_code == 422
    assert _fields(answer) == {"idvas.2"}
    assert last in answer.json["error"]["fields"]["idvas.2"][0]  # the row, by reference
    rows = _referrals(p, refs)
    assert [r.status for r in rows] == ["submitted"] * 3
    assert all(r.assigned_idva_id is None for r in rows)
    assert not list(
        p.svc.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting))
    )
    assert len(p.audits("update", "referral")) == before


def test_a_stale_row_with_idvas_changes_nothing(
    client: FlaskClient, p: Partnership, coordinator: dict[str, str]
) -> None:
    """One already accepted (someone else was quicker): the others are neither accepted nor
    given their IDVA."""
    users = _ids(p)
    waiting, already = p.refer(accept=False).id, p.refer().id
    answer = client.post(
        URL,
        json={"ids": [str(waiting), str(already)], "idva": str(users["idva"])},
        headers=coordinator,
    )
    assert answer.status_code == 422 and _fields(answer) == {"ids.1"}
    rows = _referrals(p, [waiting, already])
    assert rows[0].status == "submitted"
    assert all(r.assigned_idva_id is None for r in rows)


def test_accepting_assigning_and_listing_at_a_chosen_meeting(
    client: FlaskClient, p: Partnership, coordinator: dict[str, str]
) -> None:
    users = _ids(p)
    p.meeting(day=TODAY + timedelta(days=5))
    chosen = p.meeting(day=TODAY + timedelta(days=30)).id
    refs = [p.refer(accept=False).id for _ in range(2)]
    answer = client.post(
        URL,
        json={
            "ids": [str(r) for r in refs],
            "idvas": [str(users["idva2"]), None],
            "list_at": str(chosen),
        },
        headers=coordinator,
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["meeting_ids"] == [str(chosen)]
    rows = _referrals(p, refs)
    assert [r.status for r in rows] == ["listed", "listed"]
    assert [r.assigned_idva_id for r in rows] == [users["idva2"], None]
    listed = select(AgendaItem.referral_id).where(AgendaItem.meeting_id == chosen)
    assert set(p.svc.session.scalars(listed)) == set(refs)


def test_bad_idva_fields_are_named(
    client: FlaskClient, p: Partnership, coordinator: dict[str, str]
) -> None:
    users = _ids(p)
    waiting = p.refer(accept=False).id
    cases = [
        ({"idva": str(users["housing"])}, {"idva"}),  # not an IDVA
        ({"idva": "nobody"}, {"idva"}),
        ({"idvas": [None, None]}, {"idvas"}),  # not one per id
        ({"idvas": ["nobody"]}, {"idvas.0"}),
        ({"idva_id": str(users["idva"])}, {"idva_id"}),  # unknown fields are still refused
    ]
    for extra, named in cases:
        answer = client.post(URL, json={"ids": [str(waiting)], **extra}, headers=coordinator)
        assert answer.status_code == 422, extra
        assert _fields(answer) == named, extra
    row = _referrals(p, [waiting])[0]
    assert row.status == "submitted" and row.assigned_idva_id is None


def test_an_idva_who_left_cannot_be_assigned(
    client: FlaskClient, p: Partnership, coordinator: dict[str, str]
) -> None:
    users = _ids(p)
    p.users["idva2"].active = False
    p.svc.session.commit()
    waiting = p.refer(accept=False).id
    answer = client.post(
        URL, json={"ids": [str(waiting)], "idvas": [str(users["idva2"])]}, headers=coordinator
    )
    assert answer.status_code == 422 and _fields(answer) == {"idvas.0"}
    assert _referrals(p, [waiting])[0].status == "submitted"
