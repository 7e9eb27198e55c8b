"""Community Trigger (ASB case review) through the API: the local threshold decides whether an
application goes to review, the decision is due a configured number of working days later,
and a decision names a meeting of the case's panel that heard the case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.asb.models import CommunityTrigger
from casework.audit.models import AuditEntry
from casework.services import Services
from tests.asb.enforcement_world import World
from tests.conftest import Factory, bearer

TODAY = clock.today()
# A Friday before Christmas 2020: ten working days later, skipping Christmas Day, the Boxing
# Day substitute (Monday 28th) and New Year's Day, is Wednesday 6 January 2021 in England.
FRIDAY = date(2020, 12, 18)


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


def _post(client: FlaskClient, world: World, who: str, url: str, body: Any) -> Any:
    return client.post(url, json=body, headers=bearer(world.token(who)))


def _triggers(svc: Services) -> list[CommunityTrigger]:
    svc.session.expire_all()
    return list(svc.session.scalars(select(CommunityTrigger)))


def test_under_the_threshold_is_not_reviewed(client: FlaskClient, world: World) -> None:
    case = world.case(incidents=(TODAY - timedelta(days=10), TODAY - timedelta(days=300)))
    answer = _post(
        client,
        world,
        "coordinator",
        f"/api/v1/asb/cases/{case.id}/community-triggers",
        {"received_on": TODAY.isoformat()},
    )
    assert answer.status_code == 201, answer.json
    # one incident in the 183-day window; the one 300 days ago is outside it
    assert answer.json["complaints_counted"] == 1
    assert answer.json["threshold_met"] is False
    assert answer.json["status"] == "threshold_not_met"


def test_at_the_threshold_it_goes_to_review_due_in_working_days(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case(incidents=tuple(FRIDAY - timedelta(days=d) for d in (1, 40, 182)))
    answer = _post(
        client,
        world,
        "coordinator",
        f"/api/v1/asb/cases/{case.id}/community-triggers",
        {"received_on": FRIDAY.isoformat(), "applicant": "Her son, Sam"},
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["complaints_counted"] == 3
    assert answer.json["threshold_met"] is True
    assert answer.json["status"] == "review"
    assert answer.json["decision_due_on"] == "2021-01-06"
    assert answer.headers["Location"] == f"/api/v1/asb/cases/{case.id}"
    (stored,) = _triggers(svc)
    assert stored.applicant == "Her son, Sam" and stored.applicant_ct != b"Her son, Sam"
    entry = svc.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "update", AuditEntry.record_type == "asb_case"
        )
    ).one()
    assert entry.record_id == str(case.id)
    assert "community_triggers.applicant" in entry.fields
    assert "Sam" not in " ".join(entry.fields)


def test_the_panels_nation_and_the_configured_days_set_the_due_date(
    client: FlaskClient, world: World, svc: Services, app: Any
) -> None:
    world.panel.nation = "scotland"  # 4 January 2021 is Scotland's 2 January substitute
    svc.session.commit()
    case = world.case()
    url = f"/api/v1/asb/cases/{case.id}/community-triggers"
    body = {"received_on": FRIDAY.isoformat(), "complaints_counted": 5}
    answer = _post(client, world, "coordinator", url, body)
    assert answer.json["decision_due_on"] == "2021-01-07"
    assert answer.json["threshold_met"] is True  # the count given is taken, not recounted
    settings = app.extensions["casework"].settings
    saved = dict(settings)
    settings.update(ASB_TRIGGER_DECISION_DAYS=1, ASB_TRIGGER_THRESHOLD=6)
    try:
        answer = _post(client, world, "coordinator", url, body)
    finally:
        settings.clear()
        settings.update(saved)
    assert answer.json["decision_due_on"] == "2020-12-21"
    assert answer.json["status"] == "threshold_not_met"


def _in_review(client: FlaskClient, world: World, case: Any, received: date) -> str:
    answer = _post(
        client,
        world,
        "coordinator",
        f"/api/v1/asb/cases/{case.id}/community-triggers",
        {"received_on": received.isoformat(), "complaints_counted": 4},
    )
    assert answer.json["status"] == "review"
    return answer.json["id"]


def test_decided_and_heard_at_a_meeting_the_case_is_on(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    meeting = world.meetings()[0]
    world.list_case(meeting, case)
    tid = _in_review(client, world, case, FRIDAY)
    answer = _post(
        client,
        world,
        "coordinator",
        f"/api/v1/asb/cases/{case.id}/community-triggers/{tid}/decision",
        {
            "decision": "recommendations_made",
            "decided_on": "2021-01-11",
            "meeting_id": str(meeting.id),
            "letter_sent_on": "2021-01-12",
            "letter_summary": "Told of the review's findings",
            "recommendations": "Housing to offer a management move",
        },
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "decided"
    assert answer.json["meeting_id"] == str(meeting.id)
    assert answer.json["late"] is True  # due 6 January, decided on the 11th
    (stored,) = _triggers(svc)
    assert stored.decision == "recommendations_made"
    assert stored.recommendations == "Housing to offer a management move"
    assert stored.letter_sent_on == date(2021, 1, 12)
    again = _post(
        client,
        world,
        "coordinator",
        f"/api/v1/asb/cases/{case.id}/community-triggers/{tid}/decision",
        {"decision": "no_further_action", "decided_on": "2021-01-12"},
    )
    assert again.status_code == 409
    assert _triggers(svc)[0].decision == "recommendations_made"


def test_a_decision_on_time_is_not_late(client: FlaskClient, world: World) -> None:
    case = world.case()
    tid = _in_review(client, world, case, FRIDAY)
    answer = _post(
        client,
        world,
        "coordinator",
        f"/api/v1/asb/cases/{case.id}/community-triggers/{tid}/decision",
        {"decision": "no_further_action", "decided_on": "2021-01-06"},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["late"] is False


def test_a_meeting_the_case_is_not_on_is_refused_and_nothing_is_written(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    listed, unlisted = world.meetings()[:2]
    world.list_case(listed, case)
    elsewhere = world.meetings(world.other_panel)[0]
    tid = _in_review(client, world, case, FRIDAY)
    url = f"/api/v1/asb/cases/{case.id}/community-triggers/{tid}/decision"
    for meeting in (unlisted, elsewhere):
        answer = _post(
            client,
            world,
            "coordinator",
            url,
            {
                "decision": "no_further_action",
                "decided_on": "2021-01-05",
                "meeting_id": str(meeting.id),
            },
        )
        assert answer.status_code == 422
        assert set(answer.json["error"]["fields"]) == {"meeting_id"}
    (stored,) = _triggers(svc)
    assert stored.status == "review" and stored.decision is None and stored.meeting_id is None


def test_every_bad_field_is_named_and_nothing_is_written(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    url = f"/api/v1/asb/cases/{case.id}/community-triggers"
    answer = _post(
        client,
        world,
        "coordinator",
        url,
        {
            "received_on": (TODAY + timedelta(days=1)).isoformat(),
            "complaints_counted": "3",
            "applicant": "x" * 201,
            "colour": "red",
        },
    )
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {
        "received_on",
        "complaints_counted",
        "applicant",
        "colour",
    }
    assert _triggers(svc) == []
    tid = _in_review(client, world, case, FRIDAY)
    answer = _post(
        client,
        world,
        "coordinator",
        f"{url}/{tid}/decision",
        {
            "decision": "recommendations_made",
            "decided_on": "2020-12-01",
            "letter_sent_on": "2020-11-30",
            "meeting_id": "not-a-meeting",
        },
    )
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {
        "decided_on",
        "letter_sent_on",
        "recommendations",
        "meeting_id",
    }
    assert _triggers(svc)[0].status == "review"


def test_only_the_coordinator_and_chair_record_triggers(client: FlaskClient, world: World) -> None:
    case = world.case()
    url = f"/api/v1/asb/cases/{case.id}/community-triggers"
    # police see the case and record interventions, but the review is the coordinator's
    answer = _post(client, world, "police", url, {"received_on": FRIDAY.isoformat()})
    assert answer.status_code == 403


def test_an_agency_outside_the_panel_gets_404(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    tid = _in_review(client, world, case, FRIDAY)
    base = f"/api/v1/asb/cases/{case.id}/community-triggers"
    for url, body in (
        (base, {"received_on": FRIDAY.isoformat()}),
        (f"{base}/{tid}/decision", {"decision": "no_further_action", "decided_on": "2021-01-05"}),
        (base, {"colour": "red"}),  # not even a validation answer
    ):
        assert _post(client, world, "outsider", url, body).status_code == 404
    assert len(_triggers(svc)) == 1
