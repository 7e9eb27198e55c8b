"""Nominals through the sharing engine: a young person's record goes only to police, youth
offending and children's services; an adult's to the members of a panel where they are in
the cohort now; everyone else gets 404, and lists agree with detail."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from casework.db import utcnow
from casework.errors import NotVisible
from casework.meetings.models import AgendaItem, Meeting
from casework.offenders import actions as nominals
from casework.offenders.models import CohortMembership, Nominal
from casework.services import Services
from casework.sharing.engine import Sharing, record_type_for
from tests.conftest import Factory, bearer
from tests.offenders.conftest import World


def visible(svc: Services, world: World, who: str, nominal: Nominal) -> frozenset[str]:
    return svc.sharing.visible_fields(svc.session, world.actor(who), nominal)


def test_a_youth_record_is_not_housings_but_is_the_polices(
    client, factory: Factory, world: World
) -> None:
    young = world.nominal("pd", school="Hill School", risk_factors=["victim"])
    young_id = str(young.id)
    housing = bearer(factory.token(world.users["housing"]))
    police = bearer(factory.token(world.users["police"]))
    answer = client.get(f"/api/v1/nominals/{young_id}", headers=housing)
    assert answer.status_code == 404
    assert answer.json == {"error": {"code": "not_found", "message": "Not found"}}
    assert client.get("/api/v1/nominals", headers=housing).json == []
    seen = client.get(f"/api/v1/nominals/{young_id}", headers=police)
    assert seen.status_code == 200
    assert seen.json["record_type"] == "youth_record"
    assert (seen.json["school"], seen.json["risk_factors"]) == ("Hill School", {"victim": None})
    assert [n["id"] for n in client.get("/api/v1/nominals", headers=police).json] == [young_id]


def test_youth_records_go_to_youth_offending_too_and_hold_no_adult_sections(
    svc: Services, world: World
) -> None:
    young = world.nominal("pd")
    fields = visible(svc, world, "yot", young)
    assert {"first_name", "school", "risk_factors", "interventions", "offences"} <= fields
    assert not {"pathways", "drug_tests", "classification"} & fields
    view = nominals.get_nominal(svc, world.actor("yot"), young.id)
    assert "pathways" not in view and "drug_tests" not in view and "interventions" in view


def test_an_adult_record_is_seen_by_the_panels_members_only(
    client, factory: Factory, world: World
) -> None:
    adult_id = str(world.nominal().id)
    for who in ("housing", "probation", "police", "coordinator"):
        headers = bearer(factory.token(world.users[who]))
        answer = client.get(f"/api/v1/nominals/{adult_id}", headers=headers)
        assert answer.status_code == 200, who
        assert answer.json["last_name"] == "Price"
        assert "school" not in answer.json and "risk_factors" not in answer.json
    for who in ("outsider", "yot", "analyst"):
        headers = bearer(factory.token(world.users[who]))
        assert client.get(f"/api/v1/nominals/{adult_id}", headers=headers).status_code == 404
        assert client.get("/api/v1/nominals", headers=headers).json == []


def test_members_read_and_managers_edit(svc: Services, world: World) -> None:
    adult = world.nominal()
    housing = world.actor("housing")
    assert svc.sharing.visible_fields(svc.session, housing, adult, "edit") == frozenset()
    managed = svc.sharing.visible_fields(svc.session, world.actor("coordinator"), adult, "edit")
    assert {"offences", "classification", "cohort", "pathways"} <= managed


def test_membership_of_a_panel_where_they_are_not_now_gives_nothing(
    svc: Services, world: World
) -> None:
    adult = world.nominal("iom")  # POL, PRB, HSG sit on the IOM panel
    assert visible(svc, world, "probation", adult)
    adult.memberships[0].exit_date = utcnow().date() - timedelta(days=1)
    adult.memberships[0].exit_reason = "moved_away"
    svc.session.commit()
    assert visible(svc, world, "probation", adult) == frozenset()


def test_each_panel_is_read_under_its_own_protocol(
    svc: Services, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person on two panels under two protocols: any protocol that grants, grants."""
    offender = svc.sharing.protocols["offender"]
    strict = dataclasses.replace(offender, key="strict", rules=())
    monkeypatch.setattr(svc, "sharing", Sharing({**svc.sharing.protocols, "strict": strict}))
    world.panels["iom"].protocol = "strict"
    svc.session.commit()
    on_iom = world.nominal("iom")
    assert visible(svc, world, "probation", on_iom) == frozenset()  # strict grants nothing
    on_iom.memberships.append(  # nobody can see them to add them: as a migration would
        CohortMembership(
            nominal_id=on_iom.id, panel_id=world.panels["ppo"].id, entry_date=date(2026, 2, 1)
        )
    )
    svc.session.commit()
    assert "last_name" in visible(svc, world, "probation", on_iom)  # PPO: offender protocol


def test_the_on_agenda_condition_follows_circulated_agendas(svc: Services, world: World) -> None:
    """The offender protocol grants nothing on it today; the condition must still be right."""
    adult = world.nominal()
    edu = world.actor("outsider")

    def held() -> set[str]:
        return {
            c
            for _, conds in svc.sharing.holding(svc.session, edu, [adult])[adult.id]
            for c in conds
        }

    assert held() == {"always"}  # i.e. under this protocol: on one of its panels
    svc.session.execute(
        world.panels["ppo"]
        .members[0]
        .__table__.insert()
        .values(panel_id=world.panels["ppo"].id, agency_id=world.users["outsider"].agency_id)
    )
    meeting = Meeting(panel_id=world.panels["ppo"].id, starts_at=utcnow() + timedelta(days=2))
    meeting.items.append(AgendaItem(position=1, kind="review", nominal_id=adult.id))
    svc.session.add(meeting)
    svc.session.commit()
    assert "on_agenda" not in held() and "panel_member" in held()
    meeting.circulated_at = utcnow() - timedelta(hours=1)
    svc.session.commit()
    assert "on_agenda" in held()


def test_one_model_two_record_types(world: World) -> None:
    young, adult = world.nominal("pd"), world.nominal()
    assert record_type_for(Nominal, young).name == "youth_record"
    assert record_type_for(Nominal, adult).name == "nominal"
    with pytest.raises(KeyError):
        record_type_for(Nominal)  # which one? the model alone cannot say


def test_list_and_detail_agree_for_everyone(svc: Services, world: World) -> None:
    records = [
        world.nominal(),
        world.nominal("pd"),
        world.nominal("iom", first_name="Ray", pnc_id="10/1B"),
    ]
    for who in world.users:
        actor = world.actor(who)
        can_open = set()
        for record in records:
            try:
                nominals.get_nominal(svc, actor, record.id)
                can_open.add(str(record.id))
            except NotVisible:
                pass
        listed = {n["id"] for n in nominals.list_nominals(svc, actor, {})}
        assert listed == can_open, who
    assert {n["id"] for n in nominals.list_nominals(svc, world.actor("housing"), {})} == {
        str(records[0].id),
        str(records[2].id),
    }
