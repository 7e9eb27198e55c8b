"""Entering people on offender cohorts: the contract's shape, the rules that depend on the
panel, duplicates refused with a pointer only to a record the caller may see, history kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from casework import clock
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.offenders import actions as nominals
from casework.offenders.models import CohortMembership, Nominal
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.offenders.conftest import World, nominal_body


def test_the_contract_body_creates_a_nominal(client, factory: Factory, world: World) -> None:
    headers = bearer(factory.token(world.users["coordinator"]))
    response = client.post(
        "/api/v1/nominals", json=nominal_body(world.panels["ppo"].id), headers=headers
    )
    assert response.status_code == 201, response.json
    assert set(response.json) == {"id"}
    got = client.get(f"/api/v1/nominals/{response.json['id']}", headers=headers).json
    assert (got["first_name"], got["last_name"], got["pnc_id"]) == ("Dean", "Price", "09/123456X")
    assert got["date_of_birth"] == "1990-05-17"
    assert got["cohorts"][0]["panel_id"] == str(world.panels["ppo"].id)
    assert got["cohorts"][0]["entry_date"] == "2026-01-05" and got["cohorts"][0]["current"]
    assert got["record_type"] == "nominal" and got["classification"] is None


def test_identity_is_encrypted_at_rest(svc: Services, world: World) -> None:
    nominal = world.nominal(address="1 High Street")
    row = svc.session.execute(
        text("SELECT first_name, last_name, pnc_id, address FROM nominals WHERE id = :i"),
        {"i": nominal.id.hex if svc.db.is_sqlite else nominal.id},
    ).one()
    stored = b"".join(bytes(v) for v in row)
    for plain in (b"Dean", b"Price", b"09/123456X", b"High Street"):
        assert plain not in stored


def test_iom_panels_need_a_cohort_and_others_refuse_one(svc: Services, world: World) -> None:
    coordinator = world.actor("coordinator")
    with pytest.raises(Invalid) as missing:
        nominals.create_nominal(svc, coordinator, nominal_body(world.panels["iom"].id))
    assert "cohort" in missing.value.fields
    with pytest.raises(Invalid) as extra:
        nominals.create_nominal(
            svc, coordinator, nominal_body(world.panels["ppo"].id, cohort="flex")
        )
    assert "cohort" in extra.value.fields
    with pytest.raises(Invalid) as unknown:
        nominals.create_nominal(
            svc, coordinator, nominal_body(world.panels["iom"].id, cohort="mandatory")
        )
    assert "cohort" in unknown.value.fields
    spell = world.nominal("iom", cohort="flex").memberships[0]
    assert spell.cohort == "flex"


def test_a_marac_panel_or_someone_elses_panel_is_refused(svc: Services, world: World) -> None:
    with pytest.raises(Invalid) as marac:
        nominals.create_nominal(
            svc, world.actor("coordinator"), nominal_body(world.panels["marac"].id)
        )
    assert "MARAC" in marac.value.fields["panel_id"][0]
    with pytest.raises(Invalid) as foreign:
        nominals.create_nominal(svc, world.actor("outsider"), nominal_body(world.panels["ppo"].id))
    assert list(foreign.value.fields) == ["panel_id"]


def test_prevent_and_deter_is_for_under_18s_on_the_entry_date(svc: Services, world: World) -> None:
    pd = world.panels["pd"].id
    turned_18 = nominal_body(pd, date_of_birth="2008-01-05", entry_date="2026-01-05")
    with pytest.raises(Invalid) as refused:
        nominals.create_nominal(svc, world.actor("coordinator"), turned_18)
    assert refused.value.code == "over_18"
    assert "under 18" in refused.value.fields["date_of_birth"][0]
    young = world.nominal("pd", date_of_birth="2008-01-06", entry_date="2026-01-05")
    assert young.is_youth


def test_school_and_risk_factors_belong_to_prevent_and_deter(svc: Services, world: World) -> None:
    body = nominal_body(world.panels["ppo"].id, school="Hill School", risk_factors=["victim"])
    with pytest.raises(Invalid) as refused:
        nominals.create_nominal(svc, world.actor("coordinator"), body)
    assert set(refused.value.fields) == {"school", "risk_factors"}
    young = world.nominal(
        "pd", school="Hill School", risk_factors={"school_exclusion": "Twice this year"}
    )
    assert young.risk_factors == {"school_exclusion": "Twice this year"}
    with pytest.raises(Invalid) as unknown:
        world.nominal("pd", pnc_id="01/1A", risk_factors=["likes_fast_cars"])
    assert "risk_factors.likes_fast_cars" in unknown.value.fields


def test_lead_agency_must_sit_on_the_panel(svc: Services, world: World) -> None:
    with pytest.raises(Invalid) as refused:
        world.nominal(lead_agency="YOT")
    assert "lead_agency" in refused.value.fields
    assert world.nominal(lead_agency="prb", lead_officer="PO Smith").lead_agency_id is not None


@pytest.mark.parametrize("role", ["referrer", "analyst"])
def test_only_panel_roles_enter_people(svc: Services, world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        nominals.create_nominal(svc, world.actor(role), nominal_body(world.panels["ppo"].id))


def test_the_same_pnc_written_differently_is_a_duplicate_with_a_pointer(
    svc: Services, world: World
) -> None:
    first = world.nominal()
    again = nominal_body(world.panels["iom"].id, pnc_id=" 09/123456x ", first_name="Deano")
    again["cohort"] = "free"
    with pytest.raises(Invalid) as duplicate:
        nominals.create_nominal(svc, world.actor("coordinator"), again)
    assert duplicate.value.code == "duplicate"
    assert "pnc_id" in duplicate.value.fields
    assert str(first.id) in duplicate.value.message


def test_the_same_name_and_birth_date_is_a_duplicate(svc: Services, world: World) -> None:
    first = world.nominal(last_name="O'Brien", pnc_id=None)
    same = nominal_body(world.panels["ppo"].id, first_name="dean", last_name="OBRIEN", pnc_id=None)
    with pytest.raises(Invalid) as duplicate:
        nominals.create_nominal(svc, world.actor("housing"), same)
    assert duplicate.value.code == "duplicate" and "last_name" in duplicate.value.fields
    assert str(first.id) in duplicate.value.message  # housing sits on the PPO panel
    brother = nominal_body(world.panels["ppo"].id, first_name="Liam", last_name="O'Brien")
    brother["pnc_id"] = None
    assert nominals.create_nominal(svc, world.actor("housing"), brother).id != first.id


def test_a_duplicate_the_caller_may_not_see_has_no_pointer(svc: Services, world: World) -> None:
    young = world.nominal("pd", who="yot")
    again = nominal_body(
        world.panels["pd"].id, first_name="Kai", date_of_birth="2011-02-03", pnc_id=None
    )
    with pytest.raises(Invalid) as duplicate:
        nominals.create_nominal(svc, world.actor("housing"), again)  # a youth record: not housing's
    assert duplicate.value.code == "duplicate"
    assert str(young.id) not in duplicate.value.message
    assert "cannot see" in duplicate.value.message


def test_the_api_answers_a_duplicate_with_code_and_field(
    client, factory: Factory, world: World
) -> None:
    first_id = str(world.nominal().id)
    headers = bearer(factory.token(world.users["housing"]))
    response = client.post(
        "/api/v1/nominals", json=nominal_body(world.panels["ppo"].id), headers=headers
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "duplicate" and "pnc_id" in error["fields"]
    assert first_id in error["message"]
    assert "Dean" not in str(error) and "09/123456X" not in str(error)


def test_joining_another_cohort_keeps_the_history(svc: Services, world: World) -> None:
    nominal = world.nominal()
    coordinator = world.actor("coordinator")
    nominals.join_cohort(
        svc,
        coordinator,
        nominal.id,
        {"panel_id": str(world.panels["iom"].id), "entry_date": "2026-02-01", "cohort": "flex"},
    )
    svc.session.commit()
    spells = svc.session.query(CohortMembership).filter_by(nominal_id=nominal.id).all()
    assert {(s.panel_id, s.cohort) for s in spells} == {
        (world.panels["ppo"].id, None),
        (world.panels["iom"].id, "flex"),
    }
    with pytest.raises(Invalid) as again:
        nominals.join_cohort(
            svc,
            coordinator,
            nominal.id,
            {"panel_id": str(world.panels["ppo"].id), "entry_date": "2026-03-01"},
        )
    assert "already" in again.value.fields["panel_id"][0]
    with pytest.raises(Invalid) as adult:
        nominals.join_cohort(
            svc,
            coordinator,
            nominal.id,
            {"panel_id": str(world.panels["pd"].id), "entry_date": "2026-03-01"},
        )
    assert adult.value.code == "over_18"


def test_joining_needs_sight_of_the_record(svc: Services, world: World) -> None:
    nominal = world.nominal()
    with pytest.raises(NotVisible):
        nominals.join_cohort(
            svc,
            world.actor("outsider"),
            nominal.id,
            {"panel_id": str(world.panels["ppo"].id), "entry_date": "2026-02-01"},
        )


def test_leaving_a_cohort_records_date_and_reason(svc: Services, world: World) -> None:
    nominal = world.nominal()
    body = {"panel_id": str(world.panels["ppo"].id), "exit_date": "2026-03-01"}
    with pytest.raises(Invalid) as no_reason:
        nominals.leave_cohort(svc, world.actor("coordinator"), nominal.id, body)
    assert "exit_reason" in no_reason.value.fields
    with pytest.raises(Forbidden):
        nominals.leave_cohort(
            svc, world.actor("housing"), nominal.id, {**body, "exit_reason": "moved_away"}
        )
    with pytest.raises(Invalid) as early:
        nominals.leave_cohort(
            svc,
            world.actor("coordinator"),
            nominal.id,
            {**body, "exit_date": "2025-12-31", "exit_reason": "died"},
        )
    assert "exit_date" in early.value.fields
    spell = nominals.leave_cohort(
        svc, world.actor("coordinator"), nominal.id, {**body, "exit_reason": "deselected"}
    )
    assert (spell.exit_date, spell.exit_reason) == (date(2026, 3, 1), "deselected")


def test_a_spell_ending_today_is_current_and_yesterday_is_not(svc: Services, world: World) -> None:
    nominal = world.nominal()
    housing = world.actor("housing")
    spell = nominal.memberships[0]
    spell.exit_date, spell.exit_reason = clock.today(), "moved_away"
    svc.session.commit()
    assert nominals.get_nominal(svc, housing, nominal.id)["id"] == str(nominal.id)
    spell.exit_date = clock.today() - timedelta(days=1)
    svc.session.commit()
    with pytest.raises(NotVisible):
        nominals.get_nominal(svc, housing, nominal.id)
    assert nominals.list_nominals(svc, housing, {}) == []


def test_the_list_filters_by_panel(svc: Services, world: World) -> None:
    ppo = world.nominal()
    iom = world.nominal("iom", first_name="Ray", last_name="Lowe", pnc_id="10/1B")
    coordinator = world.actor("coordinator")
    assert {n["id"] for n in nominals.list_nominals(svc, coordinator, {})} == {
        str(ppo.id),
        str(iom.id),
    }
    only = nominals.list_nominals(svc, coordinator, {"panel_id": str(world.panels["iom"].id)})
    assert [n["id"] for n in only] == [str(iom.id)]
    assert only[0]["first_name"] == "Ray" and "offences" not in only[0]


def test_creation_and_reads_are_audited_with_field_names(svc: Services, world: World) -> None:
    nominal = world.nominal(address="1 High Street")
    nominals.get_nominal(svc, world.actor("housing"), nominal.id)
    svc.session.commit()
    created = svc.session.query(AuditEntry).filter_by(action="create", record_type="nominal").one()
    assert {"first_name", "pnc_id", "address", "cohort"} <= set(created.fields)
    viewed = svc.session.query(AuditEntry).filter_by(action="view", record_type="nominal").one()
    assert viewed.record_id == str(nominal.id) and "pnc_id" in viewed.fields
    everything = " ".join(" ".join(e.fields) for e in svc.session.query(AuditEntry))
    assert "Dean" not in everything and "High Street" not in everything


def test_the_cohort_overview_counts_only(svc: Services, world: World) -> None:
    today = clock.today()
    world.nominal("iom", cohort="fixed", entry_date=today.isoformat())
    within = (today - timedelta(days=100)).isoformat()  # inside the last 12 months, any day
    world.nominal(
        "iom", cohort="flex", first_name="A", last_name="B", pnc_id="11/1C", entry_date=within
    )
    gone = world.nominal(
        "iom", cohort="free", first_name="C", last_name="D", pnc_id="11/2C", entry_date=within
    )
    gone.memberships[0].exit_date = today - timedelta(days=10)
    gone.memberships[0].exit_reason = "died"
    svc.session.commit()
    rows = {r["kind"]: r for r in nominals.cohort_overview(svc, world.actor("probation"))}
    assert set(rows) == {"ppo", "iom"}  # probation sits on PPO and IOM only
    iom = rows["iom"]
    assert iom["current"] == 2
    assert iom["by_cohort"] == {"fixed": 1, "flex": 1, "free": 0}
    assert (iom["entries_12m"], iom["exits_12m"]) == (3, 1)
    assert rows["ppo"]["by_cohort"] is None
    assert svc.session.query(Nominal).count() == 3
