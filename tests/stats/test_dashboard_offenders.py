"""The performance dashboard shows offender panels' figures beside the MARAC ones."""

from __future__ import annotations

from datetime import timedelta

from casework import clock
from casework.accounts.auth import actor_for
from casework.offenders.actions import create_nominal
from tests.conftest import sign_in


def test_offender_panels_appear_with_counts_only(client, factory, svc) -> None:
    factory.agency("POL", "police")
    ppo = factory.panel(("POL",), kind="ppo", name="Northshire PPO")
    coordinator = factory.user("coord@pol.example", "POL", ("coordinator",))
    entry = (clock.today() - timedelta(days=30)).isoformat()
    create_nominal(
        svc,
        actor_for(coordinator),
        {
            "panel_id": str(ppo.id),
            "first_name": "Quentin",
            "last_name": "Zebedee",
            "date_of_birth": "1990-01-01",
            "entry_date": entry,
        },
    )
    svc.session.commit()
    factory.user("analyst@pol.example", "POL", ("analyst",))
    sign_in(client, "analyst@pol.example")
    page = client.get("/stats?period=last_12_months")
    assert page.status_code == 200
    assert "Offender panels" in page.text and "Northshire PPO" in page.text
    row = page.text.split("Northshire PPO", 1)[1].split("</tr>", 1)[0]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row
    assert "Zebedee" not in page.text and "Quentin" not in page.text
