"""The meeting cycle through the API, part one: accepting referrals (one request for several,
all or none) and preparing the agenda. Each endpoint calls the action the pages call, so
these tests check the API's own promises: status codes, fields named, nothing half done."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.accounts.models import User
from casework.meetings.models import AgendaItem, Meeting
from casework.panels.models import Panel
from casework.referrals.models import Referral
from tests.conftest import Factory, bearer
from tests.meetings.agenda_setup import TODAY, Partnership, partnership

HEADERS: dict[str, dict[str, str]] = {}
IDS: dict[str, Any] = {}


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    world = partnership(factory)
    HEADERS.clear()
    HEADERS.update({who: bearer(factory.token(u)) for who, u in world.users.items()})
    IDS.clear()
    IDS.update({who: u.id for who, u in world.users.items()})
    IDS.update(panel=world.panel.id, other_panel=world.other_panel.id)
    return world


def _as(p: Partnership, who: str) -> dict[str, str]:
    return HEADERS[who]


def _attach(p: Partnership) -> Partnership:
    """A request ends by removing the session, so the world's objects are loaded again
    before more of it is made through the actions."""
    session = p.svc.session
    p.users = {who: session.get(User, IDS[who]) for who in p.users}
    p.panel = session.get(Panel, IDS["panel"])
    p.other_panel = session.get(Panel, IDS["other_panel"])
    return p


def _status(p: Partnership, referral_id: uuid.UUID) -> str:
    p.svc.session.expire_all()
    return p.svc.session.get(Referral, referral_id).status


def _items(p: Partnership, meeting_id: uuid.UUID) -> list[AgendaItem]:
    """Ids, not objects, cross requests: each request ends by removing the session."""
    p.svc.session.expire_all()
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id, AgendaItem.lead_id.is_(None))
        .order_by(AgendaItem.position)
    )
    return list(p.svc.session.scalars(stmt))


def _fields(response: Any) -> set[str]:
    return set(response.json["error"].get("fields", {}))


# --- POST /referrals/accept -----------------------------------------------------------------


def test_accepting_several_at_once(client: FlaskClient, p: Partnership) -> None:
    first, second = p.refer(accept=False).id, p.refer(accept=False).id
    answer = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(first), str(second)]},
        headers=_as(p, "coordinator"),
    )
    assert answer.status_code == 200, answer.json
    assert [r["status"] for r in answer.json["accepted"]] == ["accepted", "accepted"]
    assert answer.json["items"] == [] and answer.json["meeting_ids"] == []
    assert _status(p, first) == _status(p, second) == "accepted"
    # audited one by one, as the single accept is
    updates = {e.record_id for e in p.audits("update", "referral")}
    assert {str(first), str(second)} <= updates


def test_accepting_and_listing_at_the_next_meeting(client: FlaskClient, p: Partnership) -> None:
    later = p.meeting(day=TODAY + timedelta(days=30)).id
    soonest = p.meeting(day=TODAY + timedelta(days=5)).id
    first, second = p.refer(accept=False).id, p.refer(accept=False).id
    answer = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(first), str(second)], "list_at": "next"},
        headers=_as(p, "chair"),
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["meeting_ids"] == [str(soonest)]
    assert {i["referral_id"] for i in answer.json["items"]} == {str(first), str(second)}
    assert {i.referral_id for i in _items(p, soonest)} == {first, second}
    assert _items(p, later) == []
    assert _status(p, first) == _status(p, second) == "listed"


def test_accepting_and_listing_at_a_chosen_meeting(client: FlaskClient, p: Partnership) -> None:
    p.meeting(day=TODAY + timedelta(days=5))
    chosen = p.meeting(day=TODAY + timedelta(days=30)).id
    referral = p.refer(accept=False).id
    answer = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(referral)], "list_at": str(chosen)},
        headers=_as(p, "coordinator"),
    )
    assert answer.status_code == 200, answer.json
    assert [i.referral_id for i in _items(p, chosen)] == [referral]
    assert answer.json["items"][0]["position"] == 1


def test_one_that_cannot_be_accepted_changes_nothing(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    waiting, already = p.refer(accept=False).id, p.refer().id
    answer = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(waiting), str(already)], "list_at": str(meeting)},
        headers=_as(p, "coordinator"),
    )
    assert answer.status_code == 422
    assert _fields(answer) == {"ids.1"}
    assert _status(p, waiting) == "submitted" and _status(p, already) == "accepted"
    assert _items(p, meeting) == []


def test_one_the_caller_may_not_see_is_404_and_changes_nothing(
    client: FlaskClient, p: Partnership
) -> None:
    waiting = p.refer(accept=False).id
    elsewhere = p.factory.referral(p.users["outsider"], p.other_panel).id
    for hidden in (str(elsewhere), "00000000-0000-0000-0000-000000000000"):
        answer = client.post(
            "/api/v1/referrals/accept",
            json={"ids": [str(waiting), hidden]},
            headers=_as(p, "coordinator"),
        )
        assert answer.status_code == 404
        assert "ids.1" in answer.json["error"]["message"]
        assert "Doe" not in answer.text
    assert _status(p, waiting) == "submitted" and _status(p, elsewhere) == "submitted"


def test_every_bad_field_is_named(client: FlaskClient, p: Partnership) -> None:
    waiting = p.refer(accept=False).id
    headers = _as(p, "coordinator")
    bad = client.post(
        "/api/v1/referrals/accept", json={"ids": ["nope", str(waiting)]}, headers=headers
    )
    assert bad.status_code == 422 and _fields(bad) == {"ids.0"}
    twice = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(waiting), str(waiting)], "list_at": "whenever"},
        headers=headers,
    )
    assert twice.status_code == 422 and _fields(twice) == {"ids.1", "list_at"}
    empty = client.post("/api/v1/referrals/accept", json={"ids": [], "x": 1}, headers=headers)
    assert empty.status_code == 422 and _fields(empty) == {"ids", "x"}
    assert _status(p, waiting) == "submitted"


def test_no_meeting_ahead_or_another_panels_meeting(client: FlaskClient, p: Partnership) -> None:
    waiting = p.refer(accept=False).id
    headers = _as(p, "coordinator")
    none_ahead = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(waiting)], "list_at": "next"},
        headers=headers,
    )
    assert none_ahead.status_code == 422 and _fields(none_ahead) == {"list_at"}
    foreign = _attach(p).meeting(panel=p.other_panel).id
    other = client.post(
        "/api/v1/referrals/accept",
        json={"ids": [str(waiting)], "list_at": str(foreign)},
        headers=headers,
    )
    assert other.status_code == 404
    assert _status(p, waiting) == "submitted"


@pytest.mark.parametrize("who", ["referrer", "housing", "idva", "analyst"])
def test_only_coordinators_and_chairs_accept(client: FlaskClient, p: Partnership, who) -> None:
    waiting = p.refer(accept=False).id
    answer = client.post(
        "/api/v1/referrals/accept", json={"ids": [str(waiting)]}, headers=_as(p, who)
    )
    assert answer.status_code == 403
    assert _status(p, waiting) == "submitted"


# --- the agenda -----------------------------------------------------------------------------


def test_building_the_draft_answers_the_agenda(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    first, second = p.refer().id, p.refer().id
    answer = client.post(f"/api/v1/meetings/{meeting}/agenda/draft", headers=_as(p, "chair"))
    assert answer.status_code == 200, answer.json
    assert answer.json["meeting"]["agenda_status"] == "draft"
    assert [i["referral_id"] for i in answer.json["items"]] == [str(first), str(second)]
    again = client.get(f"/api/v1/meetings/{meeting}/agenda", headers=_as(p, "chair"))
    assert again.json["items"] == answer.json["items"]
    # building twice adds nothing
    twice = client.post(f"/api/v1/meetings/{meeting}/agenda/draft", headers=_as(p, "chair"))
    assert twice.json["items"] == answer.json["items"]


def test_agenda_changes_refuse_other_roles_and_outsiders(
    client: FlaskClient, p: Partnership
) -> None:
    meeting = p.meeting().id
    item = _listed(client, p, meeting)
    base = f"/api/v1/meetings/{meeting}/agenda"
    calls = [
        ("post", f"{base}/draft", None),
        ("post", f"{base}/items", {"referral_id": str(_attach(p).refer().id)}),
        ("patch", f"{base}/items/{item['item_id']}", {"position": 1}),
        ("delete", f"{base}/items/{item['item_id']}", None),
        ("post", f"{base}/publish", None),
    ]
    for who, status in (("housing", 403), ("analyst", 403), ("outsider", 404)):
        headers = _as(p, who)
        for method, url, body in calls:
            answer = getattr(client, method)(url, json=body, headers=headers)
            assert answer.status_code == status, (who, method, url)
    unknown = "/api/v1/meetings/00000000-0000-0000-0000-000000000000/agenda/draft"
    assert client.post(unknown, headers=_as(p, "coordinator")).status_code == 404
    assert len(_items(p, meeting)) == 1


def _listed(client: FlaskClient, p: Partnership, meeting: uuid.UUID) -> dict[str, Any]:
    referral = _attach(p).refer().id
    answer = client.post(
        f"/api/v1/meetings/{meeting}/agenda/items",
        json={"referral_id": str(referral)},
        headers=_as(p, "coordinator"),
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_listing_a_referral_by_hand(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    referral = p.refer().id
    answer = client.post(
        f"/api/v1/meetings/{meeting}/agenda/items",
        json={"referral_id": str(referral)},
        headers=_as(p, "coordinator"),
    )
    assert answer.status_code == 201
    item = answer.json
    assert item["referral_id"] == str(referral) and item["position"] == 1
    assert item["start_time"] == "10:00" and item["kind"] == "referral"
    assert answer.headers["Location"] == (
        f"/api/v1/meetings/{meeting}/agenda/items/{item['item_id']}"
    )
    assert _status(p, referral) == "listed"


def test_listing_refuses_what_cannot_be_listed(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    url = f"/api/v1/meetings/{meeting}/agenda/items"
    headers = _as(p, "coordinator")
    waiting = p.refer(accept=False).id
    not_accepted = client.post(url, json={"referral_id": str(waiting)}, headers=headers)
    assert not_accepted.status_code == 422 and _fields(not_accepted) == {"referral_id"}
    nominal = client.post(
        url, json={"nominal_id": "00000000-0000-0000-0000-000000000001"}, headers=headers
    )
    assert nominal.status_code == 422 and _fields(nominal) == {"nominal_id"}
    assert "draft" in nominal.json["error"]["fields"]["nominal_id"][0]
    neither = client.post(url, json={}, headers=headers)
    assert neither.status_code == 422 and _fields(neither) == {"referral_id"}
    malformed = client.post(url, json={"referral_id": "x", "y": 1}, headers=headers)
    assert malformed.status_code == 422 and _fields(malformed) == {"referral_id", "y"}
    _attach(p)
    elsewhere = p.factory.referral(p.users["outsider"], p.other_panel).id
    hidden = client.post(url, json={"referral_id": str(elsewhere)}, headers=headers)
    assert hidden.status_code == 404
    assert _items(p, meeting) == []


def test_moving_an_item_to_a_position(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    first, second, third = (_listed(client, p, meeting) for _ in range(3))
    url = f"/api/v1/meetings/{meeting}/agenda/items/{third['item_id']}"
    answer = client.patch(url, json={"position": 1}, headers=_as(p, "chair"))
    assert answer.status_code == 200, answer.json
    assert answer.json["position"] == 1 and answer.json["start_time"] == "10:00"
    order = [str(i.id) for i in _items(p, meeting)]
    assert order == [third["item_id"], first["item_id"], second["item_id"]]
    assert [i.position for i in _items(p, meeting)] == [1, 2, 3]
    for bad in ({"position": 0}, {"position": 4}, {"position": "2"}, {"position": 1.5}, {}):
        refused = client.patch(url, json=bad, headers=_as(p, "chair"))
        assert refused.status_code == 422 and _fields(refused) == {"position"}, bad
    unknown = f"/api/v1/meetings/{meeting}/agenda/items/{meeting}"
    assert client.patch(unknown, json={"position": 1}, headers=_as(p, "chair")).status_code == 404


def test_removing_an_item(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    first, second = _listed(client, p, meeting), _listed(client, p, meeting)
    url = f"/api/v1/meetings/{meeting}/agenda/items/{first['item_id']}"
    answer = client.delete(url, headers=_as(p, "coordinator"))
    assert answer.status_code == 204 and answer.data == b""
    left = _items(p, meeting)
    assert [str(i.id) for i in left] == [second["item_id"]] and left[0].position == 1
    assert _status(p, uuid.UUID(first["referral_id"])) == "accepted"
    assert client.delete(url, headers=_as(p, "coordinator")).status_code == 404


def test_publishing(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    _listed(client, p, meeting)
    url = f"/api/v1/meetings/{meeting}/agenda/publish"
    answer = client.post(url, headers=_as(p, "coordinator"))
    assert answer.status_code == 200, answer.json
    assert answer.json["version"] == 1 and answer.json["items"] == 1
    assert answer.json["agenda_status"] == "published"
    unchanged = client.post(url, headers=_as(p, "coordinator"))
    assert unchanged.status_code == 422
    assert unchanged.json["error"]["code"] == "agenda_unchanged"
    _listed(client, p, meeting)
    assert client.post(url, headers=_as(p, "chair")).json["version"] == 2
    # member agencies see it once published
    seen = client.get(f"/api/v1/meetings/{meeting}/agenda", headers=_as(p, "housing"))
    assert seen.status_code == 200


def test_a_closed_meetings_agenda_cannot_change(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting().id
    item = _listed(client, p, meeting)
    p.svc.session.get(Meeting, meeting).status = "closed"
    p.svc.session.commit()
    base = f"/api/v1/meetings/{meeting}/agenda"
    headers = _as(p, "coordinator")
    assert client.post(f"{base}/draft", headers=headers).status_code == 422
    moved = client.patch(f"{base}/items/{item['item_id']}", json={"position": 1}, headers=headers)
    assert moved.status_code == 422 and moved.json["error"]["code"] == "meeting_not_open"
    assert client.delete(f"{base}/items/{item['item_id']}", headers=headers).status_code == 422
