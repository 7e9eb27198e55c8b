"""Young people on offender panels: whoever adds one lands on a page they may see, lists
never show a placeholder for someone the reader may not see, and under-18s are Prevent and
Deter's (never PPO or IOM candidates), checked by age on the day through the clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.errors import Invalid
from casework.offenders.classification import review_list
from casework.offenders.models import CohortMembership, Nominal
from casework.offenders.targeting import candidate_list, decide_candidate, ranked, takes_age
from casework.services import Services
from tests.conftest import post_form, sign_in
from tests.offenders.conftest import World
from tests.offenders.panel_data import event, meeting, person

NEW = "/offenders/nominals/new"
T = date(2026, 6, 30)


def _young_form(world: World, today: date) -> dict[str, str]:
    born = today.replace(day=1, year=today.year - 15)
    return {
        "panel_id": str(world.panels["pd"].id),
        "first_name": "Kai",
        "last_name": "Young",
        "date_of_birth-day": str(born.day),
        "date_of_birth-month": str(born.month),
        "date_of_birth-year": str(born.year),
        "entry_date-day": str(today.day),
        "entry_date-month": str(today.month),
        "entry_date-year": str(today.year),
    }


def test_a_housing_coordinator_adding_a_young_person_is_told_plainly(
    client: FlaskClient, world: World, svc: Services
) -> None:
    sign_in(client, "coord@hsg.example")
    added = post_form(client, NEW, _young_form(world, clock.today()))
    assert added.status_code == 302
    assert added.headers["Location"].endswith(f"/offenders/panels/{world.panels['pd'].id}")
    page = client.get(added.headers["Location"])
    assert page.status_code == 200 and "Page not found" not in page.text
    assert "Nominal added" in page.text and "cannot open this record" in page.text
    assert "Kai" not in page.text  # the youth record itself stays unshared
    (nominal,) = svc.session.scalars(select(Nominal)).all()
    assert nominal.is_youth and client.get(f"/offenders/nominals/{nominal.id}").status_code == 404


def test_police_adding_a_young_person_land_on_the_record(
    client: FlaskClient, world: World, svc: Services
) -> None:
    sign_in(client, "coord@pol.example")
    added = post_form(client, NEW, _young_form(world, clock.today()))
    (nominal,) = svc.session.scalars(select(Nominal)).all()
    assert added.headers["Location"].endswith(f"/offenders/nominals/{nominal.id}")
    page = client.get(added.headers["Location"])
    assert "Nominal added" in page.text and "Kai Young" in page.text
    assert "cannot open" not in page.text


def test_age_on_the_day_decides_which_panels_take_someone() -> None:
    born = date(2008, 7, 1)
    assert not takes_age("ppo", born, date(2026, 6, 30))
    assert takes_age("ppo", born, date(2026, 7, 1))
    assert takes_age("prevent_deter", born, date(2026, 6, 30))
    assert not takes_age("prevent_deter", born, date(2026, 7, 1))
    assert not takes_age("iom", born, date(2026, 6, 30)) and takes_age("marac", born, T)
    assert takes_age("ppo", None, T) and not takes_age("prevent_deter", None, T)


@pytest.fixture()
def mixed(svc: Services, world: World) -> dict[str, Nominal]:
    """An adult (IOM) and a 15-year-old (Prevent and Deter) both offending, the young person
    scoring more; an 18-year-old entered on Prevent and Deter at 17 (a youth record)."""
    adult = person(world, 0, "2025-01-01", panel="iom")
    event(svc, adult, "2026-06-01", category="shoplifting", outcome="arrest")  # 3 x2
    young = world.nominal("pd", date_of_birth="2011-02-03", entry_date="2026-01-05")
    event(svc, young, "2026-06-01", category="robbery", outcome="conviction")  # 9 x2
    grown = world.nominal(
        "pd",
        first_name="Grown",
        last_name="Up",
        date_of_birth="2008-03-01",
        entry_date="2026-01-05",
    )
    event(svc, grown, "2026-06-02", category="burglary", outcome="charge")  # 8 x2
    return {"adult": adult, "young": young, "grown": grown}


def test_a_15_year_old_is_never_a_ppo_or_iom_candidate(
    svc: Services, world: World, mixed: dict[str, Nominal]
) -> None:
    ppo = candidate_list(svc, world.actor("coordinator"), world.panels["ppo"].id, today=T)
    assert [c["first_name"] for c in ppo["candidates"]] == ["Grown", "PersonA"]
    assert [c["rank"] for c in ppo["candidates"]] == [1, 2]
    iom_ids = {r.nominal_id for r in ranked(svc, world.panels["iom"].id, T)}
    assert mixed["young"].id not in iom_ids and mixed["grown"].id in iom_ids


def test_prevent_and_deter_candidates_are_under_18(
    svc: Services, world: World, mixed: dict[str, Nominal]
) -> None:
    svc.session.execute(
        CohortMembership.__table__.delete().where(CohortMembership.nominal_id == mixed["young"].id)
    )
    svc.session.commit()
    rows = ranked(svc, world.panels["pd"].id, T)
    assert [r.nominal_id for r in rows] == [mixed["young"].id]


def test_the_ranking_pages_past_the_wrong_ages_to_fill_its_limit(
    svc: Services, world: World, mixed: dict[str, Nominal]
) -> None:
    rows = ranked(svc, world.panels["ppo"].id, T, limit=1)
    assert [r.nominal_id for r in rows] == [mixed["grown"].id]  # the 15-year-old is skipped
    rows = ranked(svc, world.panels["ppo"].id, T, limit=None)
    assert {r.nominal_id for r in rows} == {mixed["grown"].id, mixed["adult"].id}


def test_a_ppo_panel_cannot_select_an_under_18(
    svc: Services, world: World, mixed: dict[str, Nominal]
) -> None:
    held = meeting(svc, world.panels["ppo"], T - timedelta(days=400))  # a meeting long past
    with pytest.raises(Invalid) as refused:
        decide_candidate(
            svc,
            world.actor("coordinator"),
            held.id,
            mixed["young"].id,
            {"decision": "selected", "reason": "High scorer"},
        )
    assert refused.value.code == "under_18" and "decision" in refused.value.fields


def test_the_police_chairs_candidate_page_leaves_out_the_young(
    client: FlaskClient, svc: Services, world: World, factory
) -> None:
    today = clock.today()
    recent = (today - timedelta(days=10)).isoformat()
    adult = person(world, 0, "2025-01-01", panel="iom")
    event(svc, adult, recent, category="shoplifting", outcome="arrest")
    young = world.nominal(
        "pd",
        last_name="Teen",
        date_of_birth=today.replace(day=1, year=today.year - 15).isoformat(),
        entry_date=(today - timedelta(days=30)).isoformat(),
    )
    event(svc, young, recent, category="robbery", outcome="conviction")
    factory.user("chair@pol.example", "POL", ("chair",))
    sign_in(client, "chair@pol.example")
    page = client.get(f"/offenders/panels/{world.panels['ppo'].id}/candidates")
    assert page.status_code == 200
    assert "PersonA" in page.text and "Teen" not in page.text
    assert "not listed: they are for Prevent and Deter" in page.text
    pd_page = client.get(f"/offenders/panels/{world.panels['pd'].id}/candidates")
    assert "PersonA" not in pd_page.text


def test_reviews_leave_out_someone_the_reader_may_not_see(
    svc: Services, world: World, mixed: dict[str, Nominal]
) -> None:
    svc.session.add(
        CohortMembership(
            nominal_id=mixed["grown"].id,
            panel_id=world.panels["ppo"].id,
            entry_date=date(2026, 4, 1),
        )
    )
    svc.session.commit()
    police = review_list(svc, world.actor("coordinator"), world.panels["ppo"].id, today=T)
    housing = review_list(svc, world.actor("housing_coordinator"), world.panels["ppo"].id, today=T)
    assert str(mixed["grown"].id) in {r["nominal_id"] for r in police["reviews"]}
    assert str(mixed["grown"].id) not in {r["nominal_id"] for r in housing["reviews"]}
    assert all("restricted" not in r for r in housing["reviews"])
