"""Recording against a nominal: offences (contract shape, configurable categories), reports,
warrants, drug tests, custody, pathways, interventions, risk factors and classifications.
Only who the protocol lets edit may write; every write is audited by field name."""

from __future__ import annotations

import pytest

from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.offenders import actions as nominals
from casework.offenders import records
from casework.offenders.models import Classification, OffenderEvent
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.offenders.conftest import World


def test_an_offence_in_the_contract_shape(client, factory: Factory, world: World) -> None:
    nominal_id = str(world.nominal().id)
    headers = bearer(factory.token(world.users["coordinator"]))
    url = f"/api/v1/nominals/{nominal_id}/offences"
    body = {"date": "2026-02-10", "category": "burglary", "outcome": "charge"}
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code == 201 and set(answer.json) == {"id"}
    seen = client.get(f"/api/v1/nominals/{nominal_id}", headers=headers).json
    assert seen["offences"] == [
        {"id": answer.json["id"], "date": "2026-02-10", "category": "burglary", "outcome": "charge"}
    ]
    wrong = client.post(url, json={"date": "2026-02-31", "category": "arson"}, headers=headers)
    assert wrong.status_code == 422
    assert "date" in wrong.json["error"]["fields"]
    unknown = client.post(url, json={**body, "category": "arson"}, headers=headers)
    assert "burglary" in unknown.json["error"]["fields"]["category"][0]
    outcome = client.post(url, json={**body, "outcome": "telling off"}, headers=headers)
    assert "outcome" in outcome.json["error"]["fields"]


def test_offence_categories_are_configurable(svc: Services, world: World, monkeypatch) -> None:
    nominal = world.nominal()
    coordinator = world.actor("coordinator")
    body = {"date": "2026-02-10", "category": "fraud"}
    with pytest.raises(Invalid):
        records.record_offence(svc, coordinator, nominal.id, body)
    monkeypatch.setitem(svc.settings, "OFFENCE_CATEGORIES", ["burglary", "fraud"])
    assert records.record_offence(svc, coordinator, nominal.id, body).category == "fraud"


def test_reports_warrants_and_drug_tests(svc: Services, world: World) -> None:
    nominal = world.nominal()
    coordinator = world.actor("coordinator")
    for body in (
        {"kind": "intelligence", "date": "2026-02-01"},
        {"kind": "warrant", "date": "2026-02-02"},
        {"kind": "drug_test", "date": "2026-02-03", "positive": True},
        {"kind": "offence", "date": "2026-02-04", "category": "shoplifting"},
    ):
        records.record_event(svc, coordinator, nominal.id, body)
    view = nominals.get_nominal(svc, coordinator, nominal.id)
    assert [e["date"] for e in view["intelligence"]] == ["2026-02-01"]
    assert [e["date"] for e in view["warrants"]] == ["2026-02-02"]
    assert view["drug_tests"][0]["positive"] is True
    assert view["offences"][0]["outcome"] is None
    with pytest.raises(Invalid) as no_result:
        records.record_event(
            svc, coordinator, nominal.id, {"kind": "drug_test", "date": "2026-02-03"}
        )
    assert "positive" in no_result.value.fields
    with pytest.raises(Invalid) as muddled:
        records.record_event(
            svc,
            coordinator,
            nominal.id,
            {"kind": "warrant", "date": "2026-02-03", "category": "drugs"},
        )
    assert "category" in muddled.value.fields
    with pytest.raises(Invalid) as before_birth:
        records.record_event(
            svc, coordinator, nominal.id, {"kind": "warrant", "date": "1980-01-01"}
        )
    assert "date" in before_birth.value.fields


def test_only_those_the_protocol_lets_edit_may_record(svc: Services, world: World) -> None:
    adult, young = world.nominal(), world.nominal("pd")
    offence = {"date": "2026-02-10", "category": "violence"}
    with pytest.raises(Forbidden):  # housing reads the adult record, may not change it
        records.record_offence(svc, world.actor("housing"), adult.id, offence)
    with pytest.raises(NotVisible):  # and cannot see the youth record at all
        records.record_offence(svc, world.actor("housing"), young.id, offence)
    with pytest.raises(NotVisible):
        records.record_offence(svc, world.actor("outsider"), adult.id, offence)
    assert records.record_offence(svc, world.actor("yot"), young.id, offence).nominal_id == young.id
    with pytest.raises(Forbidden):  # a youth record holds no drug tests
        records.record_event(
            svc,
            world.actor("police"),
            young.id,
            {"kind": "drug_test", "date": "2026-02-01", "positive": False},
        )
    assert svc.session.query(OffenderEvent).count() == 1


def test_custody_periods(svc: Services, world: World) -> None:
    nominal = world.nominal()
    coordinator = world.actor("coordinator")
    records.record_custody(svc, coordinator, nominal.id, {"start_date": "2026-01-10"})
    records.record_custody(
        svc, coordinator, nominal.id, {"start_date": "2025-03-01", "end_date": "2025-09-01"}
    )
    with pytest.raises(Invalid) as backwards:
        records.record_custody(
            svc, coordinator, nominal.id, {"start_date": "2025-03-01", "end_date": "2025-02-01"}
        )
    assert "end_date" in backwards.value.fields
    custody = nominals.get_nominal(svc, coordinator, nominal.id)["custody"]
    assert [(c["start_date"], c["end_date"]) for c in custody] == [
        ("2025-03-01", "2025-09-01"),
        ("2026-01-10", None),
    ]


def test_pathway_needs_and_what_counts_as_achieved(svc: Services, world: World) -> None:
    nominal = world.nominal()
    coordinator = world.actor("coordinator")
    need = records.record_pathway(
        svc,
        coordinator,
        nominal.id,
        {"pathway": "accommodation", "status": "in_progress", "start_date": "2026-01-10"},
    )
    with pytest.raises(Invalid) as not_counted:
        records.record_pathway(
            svc, coordinator, nominal.id, {"pathway": "finance", "achieved": True}
        )
    assert "achieved" in not_counted.value.fields
    records.update_pathway(
        svc,
        coordinator,
        nominal.id,
        need.id,
        {"status": "met", "achieved": True, "end_date": "2026-02-01"},
    )
    svc.session.commit()
    with pytest.raises(Invalid):
        records.update_pathway(svc, coordinator, nominal.id, need.id, {"end_date": "2025-01-01"})
    svc.session.rollback()  # as a request does on an error
    [shown] = nominals.get_nominal(svc, coordinator, nominal.id)["pathways"]
    assert (shown["status"], shown["achieved"], shown["end_date"]) == ("met", True, "2026-02-01")
    other = world.nominal(first_name="Zed", pnc_id="12/1Z")
    with pytest.raises(NotVisible):  # a need is reached only through its own nominal
        records.update_pathway(svc, coordinator, other.id, need.id, {"status": "not_met"})


def test_interventions_and_risk_factors_for_young_people(svc: Services, world: World) -> None:
    young = world.nominal("pd")
    yot = world.actor("yot")
    done = records.record_intervention(
        svc, yot, young.id, {"kind": "acceptable_behaviour_contract", "start_date": "2026-01-20"}
    )
    records.update_intervention(
        svc, yot, young.id, done.id, {"end_date": "2026-03-01", "outcome": "Kept to it"}
    )
    records.set_risk_factors(
        svc, yot, young.id, {"risk_factors": {"school_exclusion": "Twice", "victim": None}}
    )
    view = nominals.get_nominal(svc, world.actor("police"), young.id)
    assert view["interventions"][0]["outcome"] == "Kept to it"
    assert view["risk_factors"] == {"school_exclusion": "Twice", "victim": None}
    adult = world.nominal()
    with pytest.raises(Forbidden):  # an adult record holds no interventions
        records.record_intervention(
            svc,
            world.actor("coordinator"),
            adult.id,
            {"kind": "mentoring", "start_date": "2026-01-20"},
        )


def test_classification_in_the_contract_shape(
    client, factory: Factory, world: World, svc: Services
) -> None:
    nominal_id = str(world.nominal().id)
    url = f"/api/v1/nominals/{nominal_id}/classifications"
    body = {"classification": "cc", "date": "2026-02-01", "reason": "Refused to engage"}
    coordinator = bearer(factory.token(world.users["coordinator"]))
    answer = client.post(url, json=body, headers=coordinator)
    assert answer.status_code == 201 and set(answer.json) == {"id"}
    client.post(
        url, json={**body, "classification": "rr", "date": "2026-03-01"}, headers=coordinator
    )
    seen = client.get(f"/api/v1/nominals/{nominal_id}", headers=coordinator).json
    assert seen["classification"] == "rr"
    assert [c["classification"] for c in seen["classifications"]] == ["cc", "rr"]
    assert seen["classifications"][0]["reason"] == "Refused to engage"
    stored = svc.session.query(Classification).filter_by(classification="cc").one()
    assert b"Refused" not in bytes(stored.reason_ct)
    assert stored.panel_id == world.panels["ppo"].id
    housing = bearer(factory.token(world.users["housing"]))
    assert client.post(url, json=body, headers=housing).status_code == 403
    outsider = bearer(factory.token(world.users["outsider"]))
    assert client.post(url, json=body, headers=outsider).status_code == 404
    bad = client.post(url, json={**body, "classification": "xx", "reason": ""}, headers=coordinator)
    assert set(bad.json["error"]["fields"]) == {"classification", "reason"}


def test_writes_are_audited_with_field_names_only(svc: Services, world: World) -> None:
    nominal = world.nominal()
    records.record_offence(
        svc, world.actor("coordinator"), nominal.id, {"date": "2026-02-10", "category": "robbery"}
    )
    records.record_classification(
        svc,
        world.actor("coordinator"),
        nominal.id,
        {"classification": "rr", "date": "2026-02-11", "reason": "Engaging with probation"},
    )
    svc.session.commit()
    updates = svc.session.query(AuditEntry).filter_by(action="update", record_type="nominal").all()
    fields = {f for e in updates for f in e.fields}
    assert {"offences.category", "offences.date", "classification.reason"} <= fields
    assert "robbery" not in str(fields) and "probation" not in str(fields)
