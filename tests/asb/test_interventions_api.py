"""The interventions ladder through the API: an intervention issued by a member agency of the
panel, its breaches and how it ended; recorded by the agencies the protocol lets record them,
refused whole when any field is bad, and invisible to agencies outside the panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.asb.models import AsbBreach, AsbIntervention
from casework.audit.models import AuditEntry
from casework.services import Services
from tests.asb.enforcement_world import Made, World
from tests.conftest import Factory, bearer

TODAY = clock.today()
ISSUED = TODAY - timedelta(days=60)


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


def _post(client: FlaskClient, world: World, who: str, url: str, body: Any) -> Any:
    return client.post(url, json=body, headers=bearer(world.token(who)))


def _ladder(case: Made, n: int = 0) -> str:
    return f"/api/v1/asb/cases/{case.id}/perpetrators/{case.perpetrators[n]}/interventions"


def _rows(svc: Services, model: type) -> list[Any]:
    svc.session.expire_all()
    return list(svc.session.scalars(select(model)))


def _issue(client: FlaskClient, world: World, case: Made, who: str = "police") -> Any:
    return _post(
        client,
        world,
        who,
        _ladder(case),
        {
            "kind": "community_protection_warning",
            "agency": "pol",
            "issued_on": ISSUED.isoformat(),
            "ends_on": (ISSUED + timedelta(days=180)).isoformat(),
            "notes": "Music after 11pm",
        },
    )


def test_an_intervention_with_a_breach_and_an_outcome(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case(perpetrators=2)
    made = _issue(client, world, case)
    assert made.status_code == 201, made.json
    assert made.json["agency"] == "POL"
    assert made.json["perpetrator_id"] == str(case.perpetrators[0])
    url = f"{_ladder(case)}/{made.json['id']}"
    breach = _post(
        client,
        world,
        "police",
        f"{url}/breaches",
        {"occurred_on": (ISSUED + timedelta(days=20)).isoformat(), "action_taken": "CPN served"},
    )
    assert breach.status_code == 201, breach.json
    ended = _post(
        client,
        world,
        "coordinator",  # the coordinator records it too
        f"{url}/outcome",
        {"outcome": "breached", "outcome_on": (ISSUED + timedelta(days=21)).isoformat()},
    )
    assert ended.status_code == 200, ended.json
    assert ended.json["outcome"] == "breached"
    assert [b["action_taken"] for b in ended.json["breaches"]] == ["CPN served"]
    (stored,) = _rows(svc, AsbIntervention)
    assert stored.case_id == case.id and stored.perpetrator_id == case.perpetrators[0]
    assert stored.kind == "community_protection_warning" and stored.notes == "Music after 11pm"
    assert stored.outcome_on == ISSUED + timedelta(days=21)
    (kept,) = _rows(svc, AsbBreach)
    assert kept.intervention_id == stored.id and kept.action_taken == "CPN served"
    audited = svc.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "update", AuditEntry.record_type == "asb_case"
        )
    ).all()
    assert len(audited) == 3
    assert all(e.record_id == str(case.id) for e in audited)
    written = {f for e in audited for f in e.fields}
    assert {"interventions.kind", "interventions.breaches.action_taken"} <= written
    assert "CPN" not in repr(written) and "Music" not in repr(written)


def test_housing_records_an_acceptable_behaviour_contract(
    client: FlaskClient, world: World
) -> None:
    case = world.case()
    answer = _post(
        client,
        world,
        "housing",
        _ladder(case),
        {"kind": "acceptable_behaviour_contract", "agency": "HOU", "issued_on": ISSUED.isoformat()},
    )
    assert answer.status_code == 201, answer.json


def test_health_on_the_panel_may_not_record_interventions(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    world.list_case(world.meetings()[0], case)
    answer = _issue(client, world, case, who="health")
    # health sees nothing of the case outside a circulated agenda
    assert answer.status_code in (403, 404)
    assert _rows(svc, AsbIntervention) == []


def test_every_bad_field_is_named_and_nothing_is_written(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    answer = _post(
        client,
        world,
        "police",
        _ladder(case),
        {
            "kind": "asbo",
            "agency": "OUT",  # an agency, but not of this panel
            "issued_on": (TODAY + timedelta(days=2)).isoformat(),
            "ends_on": "2020-02-30",
            "notes": "bad\u0000text",
        },
    )
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {
        "kind",
        "agency",
        "issued_on",
        "ends_on",
        "notes",
    }
    made = _issue(client, world, case).json
    url = f"{_ladder(case)}/{made['id']}"
    before = (ISSUED - timedelta(days=1)).isoformat()
    early = _post(client, world, "police", f"{url}/breaches", {"occurred_on": before})
    assert early.status_code == 422 and set(early.json["error"]["fields"]) == {"occurred_on"}
    wrong = _post(
        client, world, "police", f"{url}/outcome", {"outcome": "great", "outcome_on": before}
    )
    assert wrong.status_code == 422
    assert set(wrong.json["error"]["fields"]) == {"outcome"}
    early = _post(
        client, world, "police", f"{url}/outcome", {"outcome": "ended", "outcome_on": before}
    )
    assert set(early.json["error"]["fields"]) == {"outcome_on"}
    assert _rows(svc, AsbBreach) == []
    (stored,) = _rows(svc, AsbIntervention)
    assert stored.outcome is None


def test_a_perpetrator_or_intervention_of_another_case_is_404(
    client: FlaskClient, world: World
) -> None:
    case, other = world.case(), world.case()
    made = _issue(client, world, case).json
    crossed = f"/api/v1/asb/cases/{other.id}/perpetrators/{case.perpetrators[0]}/interventions"
    body = {"kind": "warning_letter", "agency": "POL", "issued_on": ISSUED.isoformat()}
    assert _post(client, world, "police", crossed, body).status_code == 404
    elsewhere = f"{_ladder(other)}/{made['id']}/breaches"
    body = {"occurred_on": TODAY.isoformat()}
    assert _post(client, world, "police", elsewhere, body).status_code == 404


def test_an_agency_outside_the_panel_gets_404_everywhere(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    made = _issue(client, world, case).json
    url = f"{_ladder(case)}/{made['id']}"
    for where, body in (
        (_ladder(case), {"kind": "warning_letter", "agency": "OUT", "issued_on": "2021-01-01"}),
        (f"{url}/breaches", {"occurred_on": TODAY.isoformat()}),
        (f"{url}/outcome", {"outcome": "ended", "outcome_on": TODAY.isoformat()}),
        (f"{url}/outcome", {"colour": "red"}),
    ):
        assert _post(client, world, "outsider", where, body).status_code == 404
    assert len(_rows(svc, AsbIntervention)) == 1
    assert _rows(svc, AsbBreach) == []
