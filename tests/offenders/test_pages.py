"""The offender pages: what each reader is shown, forms with GOV.UK errors that keep what was
typed, the duplicate pointer, and "Offenders" in the navigation only where it leads somewhere."""

from __future__ import annotations

import re

from casework.offenders.models import Nominal, OffenderEvent
from casework.services import Services
from tests.conftest import csrf_token, post_form, sign_in
from tests.offenders.conftest import World

NEW = "/offenders/nominals/new"


def nav(html: str) -> str:
    return html.split("<nav", 1)[1].split("</nav>", 1)[0]


def test_offenders_is_in_the_navigation_for_offender_panel_members(
    client, world: World, factory
) -> None:
    sign_in(client, "rep@hsg.example")
    assert "Offenders" in nav(client.get("/").text)
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/").text)})
    factory.agency("IDV", "idva")
    factory.panel(("IDV",), "marac", name="Other MARAC")
    factory.user("idva@idv.example", "IDV", ("idva",))
    sign_in(client, "idva@idv.example")
    assert "Offenders" not in nav(client.get("/").text)


def test_the_overview_shows_counts_per_panel(client, world: World) -> None:
    world.nominal("iom", cohort="flex")
    sign_in(client, "rep@prb.example")
    page = client.get("/offenders")
    assert page.status_code == 200
    assert "Northshire IOM" in page.text and "Northshire PPO" in page.text
    assert "Northshire P&amp;D" not in page.text  # probation is not on it
    assert "Flex: 1" in page.text
    assert "Price" not in page.text  # counts only


def test_a_panel_list_shows_only_what_the_reader_may_see(client, world: World) -> None:
    world.nominal("pd", last_name="Younger")
    world.nominal("pd", first_name="Ann", last_name="Adult-ish", date_of_birth="2010-01-01")
    pd = world.panels["pd"].id
    sign_in(client, "rep@hsg.example")
    housing = client.get(f"/offenders/panels/{pd}")
    assert housing.status_code == 200
    assert "Younger" not in housing.text and "no one in this cohort" in housing.text
    client.post("/sign-out", data={"csrf_token": csrf_token(housing.text)})
    sign_in(client, "rep@yot.example")
    yot = client.get(f"/offenders/panels/{pd}")
    assert "Younger" in yot.text and "Adult-ish" in yot.text
    assert client.get(f"/offenders/panels/{world.panels['ppo'].id}").status_code == 404


def test_adding_a_nominal_shows_errors_and_keeps_what_was_typed(
    client, world: World, svc: Services
) -> None:
    sign_in(client, "coord@pol.example")
    page = client.get(NEW)
    assert page.status_code == 200 and "Northshire MARAC" not in page.text
    response = post_form(
        client,
        NEW,
        {
            "panel_id": str(world.panels["iom"].id),
            "first_name": "Dean",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1990",
            "entry_date-day": "5",
            "entry_date-month": "1",
            "entry_date-year": "2026",
        },
    )
    assert response.status_code == 422
    summary = response.text.split("govuk-error-summary", 1)[1].split("</ul>", 1)[0]
    assert 'href="#last_name"' in summary and "Enter the last name" in summary
    assert 'href="#date_of_birth-day"' in summary and "Date of birth must be a real date" in summary
    assert 'value="Dean"' in response.text and 'value="31"' in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error:" in response.text
    assert svc.session.query(Nominal).count() == 0


def test_adding_a_nominal_then_seeing_it(client, world: World, svc: Services) -> None:
    sign_in(client, "coord@pol.example")
    response = post_form(
        client,
        NEW,
        {
            "panel_id": str(world.panels["iom"].id),
            "first_name": "Dean",
            "last_name": "Price",
            "date_of_birth-day": "17",
            "date_of_birth-month": "5",
            "date_of_birth-year": "1990",
            "pnc_id": "09/123456X",
            "entry_date-day": "5",
            "entry_date-month": "1",
            "entry_date-year": "2026",
            "cohort": "fixed",
            "lead_agency": "PRB",
        },
    )
    assert response.status_code == 302
    detail = client.get(response.headers["Location"])
    assert "Nominal added" in detail.text
    assert "Dean Price" in detail.text and "17 May 1990" in detail.text and "PRB" in detail.text
    assert "Northshire IOM" in detail.text and "Record an offence" in detail.text
    assert "Risk factors" not in detail.text  # an adult record has no youth sections


def test_a_duplicate_points_to_the_record_the_reader_may_see(client, world: World) -> None:
    existing = str(world.nominal().id)
    sign_in(client, "rep@hsg.example")
    response = post_form(
        client,
        NEW,
        {
            "panel_id": str(world.panels["ppo"].id),
            "first_name": "Someone",
            "last_name": "Else",
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "1985",
            "pnc_id": "09/123456x",
            "entry_date-day": "5",
            "entry_date-month": "1",
            "entry_date-year": "2026",
        },
    )
    assert response.status_code == 422
    assert f'href="/offenders/nominals/{existing}"' in response.text
    assert "View the existing record" in response.text
    assert 'href="#pnc_id"' in response.text


def test_a_youth_record_shows_youth_sections_to_those_granted(client, world: World) -> None:
    young = str(world.nominal("pd", school="Hill School", risk_factors=["victim"]).id)
    sign_in(client, "rep@yot.example")
    page = client.get(f"/offenders/nominals/{young}")
    assert page.status_code == 200
    assert "youth record" in page.text and "Hill School" in page.text
    assert "Being a victim" in page.text and "Record an intervention" in page.text
    assert "Resettlement pathways" not in page.text and "Record a drug test" not in page.text
    client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    sign_in(client, "rep@hsg.example")
    assert client.get(f"/offenders/nominals/{young}").status_code == 404


def test_recording_an_offence_from_the_page(client, world: World, svc: Services) -> None:
    nominal = str(world.nominal().id)
    sign_in(client, "coord@pol.example")
    url = f"/offenders/nominals/{nominal}/record/offence"
    form = client.get(url)
    assert form.status_code == 200 and "Vehicle crime" in form.text and "Dean Price" in form.text
    bad = post_form(client, url, {"date-day": "10", "date-month": "2", "date-year": "2026"})
    assert bad.status_code == 422 and "Choose the offence category" in bad.text
    assert 'href="#category"' in bad.text
    good = post_form(
        client,
        url,
        {
            "date-day": "10",
            "date-month": "2",
            "date-year": "2026",
            "category": "vehicle_crime",
            "outcome": "arrest",
        },
    )
    assert good.status_code == 302
    detail = client.get(good.headers["Location"]).text
    assert "Offence recorded" in detail
    assert re.search(
        r"10 February 2026</td>\s*<td[^>]*>Vehicle crime</td>\s*<td[^>]*>Arrest", detail
    )
    assert svc.session.query(OffenderEvent).count() == 1


def test_record_forms_follow_the_protocol(client, world: World) -> None:
    nominal = str(world.nominal().id)
    sign_in(client, "rep@hsg.example")
    assert client.get(f"/offenders/nominals/{nominal}").status_code == 200
    assert client.get(f"/offenders/nominals/{nominal}/record/offence").status_code == 403
    assert client.get(f"/offenders/nominals/{nominal}/record/nonsense").status_code == 404
    assert "Record an offence" not in client.get(f"/offenders/nominals/{nominal}").text


def test_classifying_and_ending_a_spell_from_the_page(client, world: World) -> None:
    nominal = str(world.nominal().id)
    sign_in(client, "coord@pol.example")
    base = f"/offenders/nominals/{nominal}/record"
    done = post_form(
        client,
        f"{base}/classification",
        {
            "classification": "cc",
            "date-day": "1",
            "date-month": "2",
            "date-year": "2026",
            "reason": "Not engaging",
        },
    )
    assert done.status_code == 302
    ended = post_form(
        client,
        f"{base}/exit",
        {
            "panel_id": str(world.panels["ppo"].id),
            "exit_date-day": "1",
            "exit_date-month": "3",
            "exit_date-year": "2026",
            "exit_reason": "moved_away",
        },
    )
    assert ended.status_code == 302
    page = client.get(f"/offenders/nominals/{nominal}")
    assert page.status_code == 404  # the spell has ended: no longer in a cohort of ours
