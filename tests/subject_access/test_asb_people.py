"""The people of anti-social behaviour cases in the subject access workbench: a victim and a
person responsible are both found by name, and what is gathered for each says whose details
are whose, withholding a case from the person it was made against."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from casework.services import Services
from tests.asb.asb_world import World
from tests.conftest import Factory, bearer
from tests.subject_access.world import SarWorld


@pytest.fixture()
def sar(client: FlaskClient, svc: Services, factory: Factory) -> SarWorld:
    asb = World(svc, factory)
    case = asb.refer()  # Vera Stone, harassed by Rob Marsh and a group of youths
    world = SarWorld(client, factory, reference=case["reference"])
    world.dpo = bearer(factory.token(factory.user("dpo@council.example", "ASBT", ("dpo",))))
    return world


def test_a_person_responsible_is_found_by_name_alone(sar: SarWorld) -> None:
    request_id = sar.open("perpetrator")
    found = sar.find_by_name(request_id, "Rob Marsh")
    assert [(f["role"], f["name"], f["reference"], f["match"]) for f in found] == [
        ("asb_perpetrator", "Rob Marsh", sar.reference, "exact")
    ]
    assert found[0]["date_of_birth"] == "1998-01-20"
    # a date of birth that is not his finds nobody
    assert sar.find(request_id, "Rob Marsh", "1998-01-21") == []


def test_a_person_responsible_is_shown_nothing_of_the_case_until_the_dpo_releases_it(
    sar: SarWorld,
) -> None:
    request_id = sar.open("perpetrator")
    (found,) = sar.find(request_id, "Rob Marsh", "1998-01-20")
    items = sar.gather(request_id, [found["key"]])["items"]
    categories = sorted(i["category"] for i in items)
    assert categories.count("own_details") == 1  # his own entry as a person responsible
    assert "victim_details" in categories and "perpetrator_details" in categories  # the group
    assert {i["decision"] for i in items} == {"withhold"}
    text = sar.pdf_text(request_id)
    assert "Vera" not in text and "Stone" not in text and "Marsh" not in text


def test_a_victim_is_found_without_a_date_of_birth_and_given_her_own_details(
    sar: SarWorld,
) -> None:
    request_id = sar.open("victim")
    (found,) = sar.find_by_name(request_id, "Vera Stone")
    assert (found["role"], found["date_of_birth"]) == ("asb_victim", "1961-04-02")
    items = sar.gather(request_id, [found["key"]])["items"]
    decisions = {i["category"]: i["decision"] for i in items}
    assert decisions["own_details"] == "release"
    assert decisions["perpetrator_details"] == "redact"
    text = sar.pdf_text(request_id)
    assert "4 Elm Court, Anytown" in text and "Marsh" not in text
