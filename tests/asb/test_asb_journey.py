"""An ASB case from referral to hearing, through the API, as the partnership would run it: a
housing officer refers a victim; the repeat victim flag fires when the third incident in six
months is added; the case goes on the panel's agenda, is heard, minuted and given an action;
a Community Trigger is logged and decided at that meeting; the police record a warning letter
against the perpetrator. An agency outside the panel gets 404 at every step.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from casework import clock
from casework.services import Services
from tests.asb.asb_world import World, incident, referral
from tests.conftest import Factory, bearer

REFERRED = datetime(2026, 11, 2, 10, tzinfo=UTC)  # a Monday, before December's cut-off


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    with clock.travel(REFERRED):
        return World(svc, factory)


def _call(client: FlaskClient, world: World, who: str, method: str, url: str, body: Any = None):
    headers = bearer(world.token(who))
    return client.open(f"/api/v1{url}", method=method, json=body, headers=headers)


def test_a_case_from_referral_to_hearing(client: FlaskClient, world: World) -> None:
    def call(who: str, method: str, url: str, body: Any = None) -> Any:
        return _call(client, world, who, method, url, body)

    with clock.travel(REFERRED):
        made = call(
            "housing", "POST", "/asb/cases", referral(world.panel.id, incidents=[incident(40)])
        )
        assert made.status_code == 201, made.get_json()
        case_id = made.get_json()["id"]
        assert made.get_json()["repeat_victim"] is False
        more = call(
            "housing", "POST", f"/asb/cases/{case_id}/incidents", {"incidents": [incident(9)]}
        )
        assert more.status_code in (200, 201), more.get_json()
        case = call("housing", "GET", f"/asb/cases/{case_id}").get_json()
        assert case["repeat_victim"] is False  # two incidents in six months
        more = call(
            "housing", "POST", f"/asb/cases/{case_id}/incidents", {"incidents": [incident(2)]}
        )
        assert more.status_code in (200, 201), more.get_json()
        case = call("housing", "GET", f"/asb/cases/{case_id}").get_json()
        assert case["repeat_victim"] is True  # the third: the threshold
        perpetrator = next(p for p in case["perpetrators"] if not p["is_group"])

        # The next meeting whose draft takes the case.
        meetings = call("coordinator", "GET", f"/panels/{world.panel.id}/meetings").get_json()
        meeting = None
        for m in sorted(meetings, key=lambda m: m["starts_at"]):
            call("coordinator", "POST", f"/meetings/{m['id']}/agenda/draft")
            items = call("coordinator", "GET", f"/meetings/{m['id']}/agenda").get_json()["items"]
            if any(i.get("case_id") == case_id for i in items):
                meeting = m
                break
        assert meeting is not None, "no meeting's draft listed the case"
        mid = meeting["id"]
        published = call("coordinator", "POST", f"/meetings/{mid}/agenda/publish")
        assert published.status_code in (200, 201), published.get_json()

        trigger = call(
            "coordinator",
            "POST",
            f"/asb/cases/{case_id}/community-triggers",
            {"received_on": REFERRED.date().isoformat()},
        )
        assert trigger.status_code == 201, trigger.get_json()
        assert trigger.get_json()["status"] == "review"  # three complaints in the window

    # The health representative (on the panel, not an enforcer) sees the case once circulated.
    starts = datetime.fromisoformat(meeting["starts_at"])
    with clock.travel(starts + timedelta(hours=1)):
        listed = call("health", "GET", f"/meetings/{mid}/agenda").get_json()["items"]
        assert [i["case_id"] for i in listed] == [case_id]
        present = [
            {"agency": code, "status": "present", "names": [name], "acknowledged": [name]}
            for code, name in (("ASBT", "Jo Coordinator"), ("POL", "PC Lee"), ("HOU", "Sam Ray"))
        ]
        assert call("coordinator", "PUT", f"/meetings/{mid}/attendance", present).status_code == 200
        minuted = call(
            "coordinator",
            "PUT",
            f"/meetings/{mid}/minutes/{case_id}",
            {"text": "Housing to consider a warning letter; police to patrol."},
        )
        assert minuted.status_code == 200, minuted.get_json()
        agreed = call(
            "coordinator",
            "POST",
            f"/meetings/{mid}/actions",
            {
                "case_id": case_id,
                "description": "Evening patrols on the estate for four weeks",
                "owner_agency": "POL",
                "due_on": (starts + timedelta(days=28)).date().isoformat(),
            },
        )
        assert agreed.status_code == 201, agreed.get_json()
        decided = call(
            "coordinator",
            "POST",
            f"/asb/cases/{case_id}/community-triggers/{trigger.get_json()['id']}/decision",
            {
                "decision": "recommendations_made",
                "decided_on": starts.date().isoformat(),
                "meeting_id": mid,
                "recommendations": "A warning letter and patrols.",
            },
        )
        assert decided.status_code == 200, decided.get_json()
        assert decided.get_json()["status"] == "decided"
        warned = call(
            "police",
            "POST",
            f"/asb/cases/{case_id}/perpetrators/{perpetrator['id']}/interventions",
            {"kind": "warning_letter", "agency": "POL", "issued_on": starts.date().isoformat()},
        )
        assert warned.status_code == 201, warned.get_json()

        seen = call("coordinator", "GET", f"/asb/cases/{case_id}").get_json()
        assert [t["decision"] for t in seen["community_triggers"]] == ["recommendations_made"]
        assert [t["meeting_id"] for t in seen["community_triggers"]] == [mid]
        assert [i["kind"] for i in seen["interventions"]] == ["warning_letter"]

        # An agency outside the panel: nothing exists, whatever it asks.
        outside = [
            ("GET", f"/asb/cases/{case_id}", None),
            ("POST", f"/asb/cases/{case_id}/incidents", {"incidents": [incident(1)]}),
            (
                "POST",
                f"/asb/cases/{case_id}/community-triggers",
                {"received_on": starts.date().isoformat()},
            ),
            (
                "POST",
                f"/asb/cases/{case_id}/perpetrators/{perpetrator['id']}/interventions",
                {"kind": "warning_letter", "agency": "POL", "issued_on": starts.date().isoformat()},
            ),
            ("GET", f"/meetings/{mid}/agenda", None),
            ("PUT", f"/meetings/{mid}/minutes/{case_id}", {"text": "x"}),
        ]
        for method, url, body in outside:
            assert call("outsider", method, url, body).status_code == 404, (method, url)
        listed = call("outsider", "GET", "/asb/cases").get_json()
        assert case_id not in str(listed)
