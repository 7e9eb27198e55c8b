"""Targeting and outcome pages: what each reader is shown, decisions and reclassification at a
meeting with GOV.UK errors that keep what was typed, and the cohort figures (counts only)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.meetings.models import AgendaItem
from casework.offenders.models import Classification, CohortMembership
from casework.services import Services
from tests.conftest import csrf_token, post_form, sign_in
from tests.offenders.conftest import World
from tests.offenders.panel_data import classify, event, meeting, person

RECENT = (clock.today() - timedelta(days=20)).isoformat()


def nav(html: str) -> str:
    return html.split("<nav", 1)[1].split("</nav>", 1)[0]


def _setup(svc: Services, world: World) -> dict[str, str]:
    """X (IOM) is a candidate for the PPO panel; Z is in the PPO cohort, C&C, review due."""
    x = person(world, 0, "2025-01-01", panel="iom")
    event(svc, x, RECENT, category="burglary", outcome="conviction")
    z = person(world, 2, "2025-01-01", panel="ppo")
    classify(svc, world.panels["ppo"], z, "cc", (clock.today() - timedelta(weeks=6)).isoformat())
    held = meeting(svc, world.panels["ppo"], clock.today())
    return {
        "x": str(x.id),
        "z": str(z.id),
        "meeting": str(held.id),
        "ppo": str(world.panels["ppo"].id),
        "marac": str(world.panels["marac"].id),
    }


def test_the_hub_is_offered_to_coordinators_and_analysts(client: FlaskClient, svc, world) -> None:
    ids = _setup(svc, world)
    sign_in(client, "coord@pol.example")
    home = client.get("/")
    assert "Targeting" in nav(home.text)
    hub = client.get("/offenders/targeting")
    assert hub.status_code == 200
    assert f"/offenders/panels/{ids['ppo']}/candidates" in hub.text
    assert f"/meetings/{ids['meeting']}/offenders" in hub.text
    client.post("/sign-out", data={"csrf_token": csrf_token(hub.text)})
    sign_in(client, "analyst@pol.example")
    hub = client.get("/offenders/targeting")
    assert f"/offenders/panels/{ids['ppo']}/figures" in hub.text
    assert "/candidates" not in hub.text  # figures only for analysts
    client.post("/sign-out", data={"csrf_token": csrf_token(hub.text)})
    sign_in(client, "rep@hsg.example")
    assert "Targeting" not in nav(client.get("/").text)
    assert client.get("/offenders/targeting").status_code == 403


def test_the_candidate_list_leaves_out_whom_the_reader_may_not_see(
    client: FlaskClient, svc, world
) -> None:
    ids = _setup(svc, world)
    today = clock.today()
    # Entered on Prevent and Deter at 17, 18 now: a PPO candidate whose record stays a youth
    # record, which police see and housing does not.
    born = today.replace(day=1, year=today.year - 18) - timedelta(days=1)
    grown = world.nominal(
        "pd", date_of_birth=born.isoformat(), entry_date=(born + timedelta(days=6000)).isoformat()
    )
    event(svc, grown, RECENT, category="robbery", outcome="conviction")  # 18, as X
    sign_in(client, "coord@hsg.example")
    page = client.get(f"/offenders/panels/{ids['ppo']}/candidates")
    assert page.status_code == 200
    assert "PersonA" in page.text and "Kai" not in page.text
    assert "Restricted" not in page.text and str(grown.id)[:8] not in page.text
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' not in page.text
    assert "SurnameC" not in page.text  # Z is in the cohort already
    assert client.get(f"/offenders/panels/{ids['marac']}/candidates").status_code == 404


def test_selecting_a_candidate_at_the_meeting(client: FlaskClient, svc, world) -> None:
    ids = _setup(svc, world)
    sign_in(client, "coord@pol.example")
    url = f"/meetings/{ids['meeting']}/offenders"
    added = post_form(client, f"{url}/add", {}, page=url)
    assert added.status_code == 302
    page = client.get(url)
    assert "PersonA" in page.text and "Score 18" in page.text
    assert "C&amp;C: catch and convict" in page.text and "Overdue" in page.text
    refused = post_form(
        client, f"{url}/{ids['x']}/decision", {"decision": "selected", "reason": ""}, page=url
    )
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert f'href="#reason-{ids["x"]}"' in refused.text
    assert 'value="selected" checked' in refused.text
    done = post_form(
        client,
        f"{url}/{ids['x']}/decision",
        {"decision": "selected", "reason": "Prolific burglar"},
        page=url,
    )
    assert done.status_code == 302
    page = client.get(url)
    assert "Selected" in page.text and "Prolific burglar" in page.text
    spell = svc.session.scalar(
        select(CohortMembership).where(
            CohortMembership.nominal_id == uuid.UUID(ids["x"]),
            CohortMembership.panel_id == uuid.UUID(ids["ppo"]),
        )
    )
    assert spell.entry_date == clock.today()


def test_reclassifying_at_the_meeting(client: FlaskClient, svc, world) -> None:
    ids = _setup(svc, world)
    svc.session.add(
        AgendaItem(
            meeting_id=uuid.UUID(ids["meeting"]),
            position=1,
            kind="review",
            nominal_id=uuid.UUID(ids["z"]),
        )
    )
    svc.session.commit()
    sign_in(client, "coord@pol.example")
    url = f"/meetings/{ids['meeting']}/offenders"
    meeting_page = client.get(f"/meetings/{ids['meeting']}/conduct")
    assert meeting_page.status_code == 200 and f'href="{url}"' in meeting_page.text
    refused = post_form(
        client, f"{url}/{ids['z']}/classification", {"reason": "Engaging"}, page=url
    )
    assert refused.status_code == 422
    assert "Choose R&amp;R or C&amp;C" in refused.text and ">Engaging</textarea>" in refused.text
    done = post_form(
        client,
        f"{url}/{ids['z']}/classification",
        {"classification": "rr", "reason": "Engaging with treatment"},
        page=url,
    )
    assert done.status_code == 302
    assert "Decided at this meeting" in client.get(url).text
    latest = svc.session.scalars(
        select(Classification).order_by(Classification.created_at.desc())
    ).first()
    assert (latest.classification, str(latest.meeting_id)) == ("rr", ids["meeting"])
    history = client.get(f"/offenders/nominals/{ids['z']}/outcomes")
    assert "Engaging with treatment" in history.text and "Coord" in history.text


def test_other_roles_and_panels_cannot_use_the_meeting_page(
    client: FlaskClient, svc, world
) -> None:
    ids = _setup(svc, world)
    sign_in(client, "rep@pol.example".replace("rep@", "pc@"))
    assert client.get(f"/meetings/{ids['meeting']}/offenders").status_code == 403
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/").text)})
    sign_in(client, "rep@edu.example")
    assert client.get(f"/meetings/{ids['meeting']}/offenders").status_code == 404


def test_the_outcomes_page_shows_offending_to_panel_members(
    client: FlaskClient, svc, world
) -> None:
    ids = _setup(svc, world)
    sign_in(client, "rep@hsg.example")
    page = client.get(f"/offenders/nominals/{ids['x']}/outcomes")
    assert page.status_code == 200
    assert "Days at liberty" in page.text and "Northshire IOM" in page.text
    client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    sign_in(client, "rep@edu.example")
    assert client.get(f"/offenders/nominals/{ids['x']}/outcomes").status_code == 404


def test_the_figures_page_counts_and_downloads(client: FlaskClient, svc, world) -> None:
    ids = _setup(svc, world)
    sign_in(client, "analyst@pol.example")
    url = f"/offenders/panels/{ids['ppo']}/figures"
    page = client.get(url)
    assert page.status_code == 200
    assert '<dd class="govuk-summary-list__value" id="figure-cc">1</dd>' in page.text
    assert "SurnameC" not in page.text and "PersonC" not in page.text
    bad = client.get(url, query_string={"from-day": "31", "from-month": "2", "from-year": "2026"})
    assert bad.status_code == 422 and "The start date must be a real date" in bad.text
    query = {"from-day": "1", "from-month": "1", "from-year": "2025", "to-day": "31"}
    query |= {"to-month": "12", "to-year": "2026"}
    csv = client.get(f"/offenders/panels/{ids['ppo']}/figures.csv", query_string=query)
    assert csv.status_code == 200 and '"cohort","classification.cc","1"' in csv.text
    assert client.get(f"/offenders/panels/{ids['marac']}/figures").status_code == 404
