"""One whole month of a MARAC driven through the API alone, as an agency system would: two
referrals of one victim from two agencies, accepted in one call, drafted as one case,
published, seen by a member agency (and not by an outsider), researched, an action for
housing, an early close refused, the meeting held and closed, reopened and closed again, and
the figures right throughout."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from casework import clock
from tests.conftest import Factory, bearer
from tests.referral_data import referral_body

START = "2027-03-01T09:00"  # a Monday: the panel's next cut-off is ahead


class Api:
    def __init__(self, client: Any, factory: Factory) -> None:
        self.client, self.factory, self.tokens = client, factory, {}

    def user(self, name: str, agency: str, *roles: str) -> None:
        user = self.factory.user(f"{name}@{agency.lower()}.example", agency, roles)
        self.tokens[name] = bearer(self.factory.token(user))

    def __call__(self, who: str, method: str, url: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        kwargs = {"json": body} if body is not None else {}
        return call(f"/api/v1{url}", headers=self.tokens[who], **kwargs)


def test_a_month_through_the_api(client, factory: Factory) -> None:
    with clock.travel(START):
        _month(Api(client, factory), factory)


def _month(api: Api, factory: Factory) -> None:
    for code, sector in [
        ("POL", "police"),
        ("CSP", "local_authority"),
        ("IDVA", "idva"),
        ("HSG", "housing"),
        ("OUT", "housing"),
    ]:
        factory.agency(code, sector)
    api.user("coordinator", "CSP", "coordinator")
    api.user("chair", "POL", "chair")
    api.user("police", "POL", "referrer")
    api.user("idva", "IDVA", "idva")
    api.user("housing", "HSG", "agency_rep")
    api.user("outsider", "OUT", "agency_rep", "coordinator")
    api.user("analyst", "CSP", "analyst")
    panel = api(
        "coordinator",
        "post",
        "/panels",
        {
            "kind": "marac",
            "name": "Northshire MARAC",
            "area": "Northshire",
            "agencies": ["POL", "CSP", "IDVA", "HSG"],
            "schedule": "day=1st tue; hour=10",
        },
    )
    assert panel.status_code == 201, panel.json
    panel_id = panel.json["id"]
    today = clock.today()
    meetings = api("coordinator", "get", f"/panels/{panel_id}/meetings").json
    meeting = next(m for m in meetings if date.fromisoformat(m["date"]) > today + timedelta(7))
    mid = meeting["id"]

    # Two agencies refer the same victim; the second is a repeat.
    first = api(
        "police",
        "post",
        "/referrals",
        referral_body(panel_id, referral_date=(today - timedelta(days=60)).isoformat()),
    )
    second = api(
        "idva",
        "post",
        "/referrals",
        referral_body(panel_id, referral_date=(today - timedelta(days=1)).isoformat()),
    )
    assert first.status_code == second.status_code == 201
    assert second.json["repeat"]["is_repeat"] is True
    ids = [first.json["id"], second.json["id"]]

    accepted = api("coordinator", "post", "/referrals/accept", {"ids": ids, "list_at": None})
    assert accepted.status_code == 200, accepted.json

    draft = api("coordinator", "post", f"/meetings/{mid}/agenda/draft")
    assert draft.status_code == 200, draft.json
    cases = [i for i in draft.json["items"] if i["kind"] == "referral"]
    assert len(cases) == 1
    assert cases[0]["referral_id"] == ids[1]  # the latest leads
    assert sorted(cases[0]["referral_ids"]) == sorted(ids)

    published = api("coordinator", "post", f"/meetings/{mid}/agenda/publish")
    assert published.status_code == 200 and published.json["version"] == 1

    seen = api("housing", "get", f"/meetings/{mid}/agenda")
    assert seen.status_code == 200 and [i["referral_id"] for i in seen.json["items"]] == [ids[1]]
    assert api("outsider", "get", f"/meetings/{mid}/agenda").status_code == 404

    research = api(
        "housing",
        "put",
        f"/meetings/{mid}/research/{ids[1]}",
        {"has_information": True, "text": "Tenancy in her name", "shared_before_meeting": True},
    )
    assert research.status_code == 200, research.json

    attendance = api(
        "chair",
        "put",
        f"/meetings/{mid}/attendance",
        [
            {
                "agency": "POL",
                "status": "present",
                "names": ["DI Kim Hughes"],
                "acknowledged": ["DI Kim Hughes"],
            },
            {
                "agency": "CSP",
                "status": "present",
                "names": ["Morgan Lee"],
                "acknowledged": ["Morgan Lee"],
            },
            {
                "agency": "HSG",
                "status": "present",
                "names": ["Alex Morgan"],
                "acknowledged": ["Alex Morgan"],
            },
            {"agency": "IDVA", "status": "apologies", "names": []},
        ],
    )
    assert attendance.status_code == 200, attendance.json
    assert attendance.json["problems"] == []

    due = (today + timedelta(days=40)).isoformat()
    action = api(
        "chair",
        "post",
        f"/meetings/{mid}/actions",
        {
            "referral_id": ids[1],
            "owner_agency": "HSG",
            "description": "Fit a door alarm",
            "due_on": due,
        },
    )
    assert action.status_code == 201, action.json
    assert action.headers["Location"].endswith(action.json["id"])
    mine = api("housing", "get", "/actions?status=open")
    assert mine.status_code == 200
    listed = mine.json if isinstance(mine.json, list) else mine.json["actions"]
    assert [a["id"] for a in listed] == [action.json["id"]]

    early = api("chair", "post", f"/meetings/{mid}/close")
    assert early.status_code == 409 and early.json["error"]["code"] == "meeting_not_started"

    held = date.fromisoformat(meeting["date"])
    with clock.travel(f"{held.isoformat()}T12:30"):
        minutes = api(
            "chair", "put", f"/meetings/{mid}/minutes/{ids[1]}", {"text": "Safety plan agreed"}
        )
        assert minutes.status_code == 200, minutes.json
        closed = api("chair", "post", f"/meetings/{mid}/close")
        assert closed.status_code == 200, closed.json
        assert _heard(api, held) == {"meetings": 1, "cases": 1, "repeat": 1}

        reopened = api(
            "chair",
            "post",
            f"/meetings/{mid}/reopen",
            {"reason": "Minutes of the case were incomplete"},
        )
        assert reopened.status_code == 200, reopened.json
        assert api("chair", "post", f"/meetings/{mid}/close").status_code == 200
        assert _heard(api, held) == {"meetings": 1, "cases": 1, "repeat": 1}


def _heard(api: Api, day: date) -> dict[str, int]:
    answer = api("analyst", "get", f"/stats/marac?from={day}&to={day}")
    assert answer.status_code == 200, answer.json
    return {k: answer.json["heard"][k] for k in ("meetings", "cases", "repeat")}
