"""MARAC figures against counts worked out by hand on fixed data (DOMAIN.md definitions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from casework.accounts.models import User
from casework.meetings.models import AgendaItem, Meeting
from casework.panels.models import Panel
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.referral_data import dash

JANE = {}
ANN = {
    "victim__first_name": "Ann",
    "victim__last_name": "Lee",
    "victim__date_of_birth": "2009-02-01",  # 17 on 2026-04-01
    "victim__gender": "male",
    "victim__lgbt": True,
    "victim__disability": True,
    "children": [],
    "perpetrators": [{"first_name": "Kid", "last_name": "Vee", "date_of_birth": "2010-01-01"}],
    "risk__dash": dash(14),
    "risk__police_incidents_12m": 3,
}
ZOE = {
    "victim__first_name": "Zoe",
    "victim__last_name": "Fox",
    "children": [{"first_name": "A"}, {"first_name": "B"}],
    "risk__dash": dash(5),
    "risk__professional_judgement": True,
    "risk__professional_judgement_reason": "Stalking escalating",
}


@pytest.fixture()
def data(factory: Factory, svc: Services) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    factory.agency("IDV", "idva")
    a = factory.panel(("POL", "HLT", "IDV"), name="A")
    b = factory.panel(("POL",), name="B")
    health = factory.user("ref@hlt.example", "HLT", ("referrer",))
    police = factory.user("ref@pol.example", "POL", ("referrer",))
    idva = factory.user("idva@idv.example", "IDV", ("idva",))
    r1 = factory.referral(health, a, referral_date="2026-01-10", victim__bme=True)
    r2 = factory.referral(
        police,
        b,
        referral_date="2026-03-31",
        victim__bme=True,
        risk__dash=dash(3),
        risk__police_incidents_12m=0,
    )
    r3 = factory.referral(police, a, referral_date="2026-04-01", **ANN)
    r4 = factory.referral(idva, a, referral_date="2026-02-15", **ZOE)
    factory.referral(health, a, referral_date="2025-12-31", victim__first_name="Old")
    svc.session.execute(
        Referral.__table__.update().where(Referral.id == r4.id).values(status="withdrawn")
    )

    def meeting(panel: Panel, day: str, status: str, *referrals: Referral) -> None:
        m = Meeting(
            panel_id=panel.id,
            starts_at=datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC),
            status=status,
        )
        for i, r in enumerate(referrals, 1):
            m.items.append(AgendaItem(position=i, referral_id=r.id))
        svc.session.add(m)

    meeting(a, "2026-02-03", "closed", r1)
    meeting(b, "2026-04-07", "held", r2)
    meeting(a, "2026-03-03", "scheduled", r3)
    svc.session.commit()
    return {"a": a, "b": b, "refs": (r1, r2, r3, r4), "factory": factory}


def stats(client, factory: Factory, query: str, roles=("analyst",), agency="POL") -> Any:
    email = f"{'-'.join(roles)}.{agency}@x.example".lower()
    user = factory.svc.session.query(User).filter_by(email=email).first()
    user = user or factory.user(email, agency, roles)
    return client.get(f"/api/v1/stats/marac?{query}", headers=bearer(factory.token(user)))


def test_first_quarter_all_panels(client, data: dict) -> None:
    body = stats(client, data["factory"], "from=2026-01-01&to=2026-03-31").json
    assert body == {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "referrals": {
            "total": 2,
            "repeat": 1,
            "repeat_rate": 0.5,
            "police": 1,
            "non_police": 1,
            "non_police_rate": 0.5,
            "by_agency": {"HLT": 1, "POL": 1},
            "criteria": {
                "visible_high_risk": 1,
                "professional_judgement": 0,
                "potential_escalation": 0,
                "repeat": 1,
            },
            "victims": {"bme": 2, "lgbt": 0, "disability": 0, "male": 0, "aged_16_17": 0},
            "children": 2,
        },
        "heard": {"meetings": 1, "cases": 1, "repeat": 0, "repeat_rate": 0.0},
    }


def test_one_panel_and_inclusive_end(client, data: dict, svc: Services) -> None:
    from casework.accounts.auth import actor_for
    from casework.stats.actions import marac_stats

    factory = data["factory"]
    user = factory.user("analyst@x.example", "POL", ("analyst",))
    query = {"panel_id": str(data["a"].id), "from": "2026-01-01", "to": "2026-04-01"}
    _, figures = marac_stats(svc, actor_for(user), query)
    r = figures["referrals"]
    assert (r["total"], r["repeat"], r["police"], r["children"]) == (2, 0, 1, 1)
    assert r["criteria"] == {
        "visible_high_risk": 2,
        "professional_judgement": 0,
        "potential_escalation": 1,
        "repeat": 0,
    }
    assert r["victims"] == {"bme": 1, "lgbt": 1, "disability": 1, "male": 1, "aged_16_17": 1}
    assert r["perpetrators_17_or_under"] == 1
    assert r["by_sector"] == {"health": 1, "police": 1}
    assert r["volume_per_10k"] is None
    svc.session.execute(Panel.__table__.update().values(adult_female_population=100_000))
    svc.session.commit()
    _, figures = marac_stats(svc, actor_for(user), query)
    assert figures["referrals"]["volume_per_10k"] == round(2 / 100_000 * 10_000 * 365.25 / 91, 2)


def test_heard_counts_meetings_held_in_range_across_panels(client, data: dict) -> None:
    body = stats(client, data["factory"], "from=2026-01-01&to=2026-04-30").json
    assert body["heard"] == {"meetings": 2, "cases": 2, "repeat": 1, "repeat_rate": 0.5}


def test_cases_heard_follow_a_referral_that_becomes_a_repeat_after_it_was_heard(
    client, data: dict, svc: Services
) -> None:
    """Agenda items count from their own copies of the case's flags, which follow the referral
    (confirming a possible match can make a case a repeat after its meeting)."""
    query = "from=2026-01-01&to=2026-04-30"
    before = stats(client, data["factory"], query).json["heard"]
    heard = [svc.session.get(Referral, r.id) for r in data["refs"][:2]]
    newly = next(r for r in heard if not r.crit_repeat)
    newly.crit_repeat = True
    svc.session.commit()
    after = stats(client, data["factory"], query).json["heard"]
    assert before["repeat"] == 1 and after["repeat"] == 2 == after["cases"]


def test_an_empty_period_gives_null_rates(client, data: dict) -> None:
    body = stats(client, data["factory"], "from=2027-01-01&to=2027-01-31").json
    assert body["referrals"]["total"] == 0
    assert body["referrals"]["repeat_rate"] is None
    assert body["referrals"]["non_police_rate"] is None
    assert body["referrals"]["by_agency"] == {}
    assert body["heard"] == {"meetings": 0, "cases": 0, "repeat": 0, "repeat_rate": None}


def test_monthly_and_quarterly_series(svc: Services, data: dict) -> None:
    from casework.accounts.auth import actor_for
    from casework.stats.actions import marac_stats

    user = data["factory"].user("analyst@x.example", "POL", ("analyst",))
    _, figures = marac_stats(svc, actor_for(user), {"from": "2026-01-01", "to": "2026-04-30"})
    monthly = {p["period"]: p for p in figures["series"]["monthly"]}
    assert list(monthly) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert monthly["2026-02"]["total"] == 0 and monthly["2026-02"]["repeat_rate"] is None
    assert monthly["2026-03"]["repeat_rate"] == 1.0 and monthly["2026-03"]["non_police_rate"] == 0
    quarters = {p["period"]: p["total"] for p in figures["series"]["quarterly"]}
    assert quarters == {"2026-Q1": 2, "2026-Q2": 1}


def test_coordinators_count_only_their_panels(client, data: dict) -> None:
    factory = data["factory"]
    factory.agency("HSG", "housing")
    outsider = stats(
        client,
        factory,
        f"panel_id={data['b'].id}&from=2026-01-01&to=2026-12-31",
        roles=("coordinator",),
        agency="HLT",
    )
    assert outsider.status_code == 404
    mine = stats(client, factory, "from=2026-01-01&to=2026-12-31", roles=("chair",), agency="HLT")
    assert mine.json["referrals"]["total"] == 2  # panel A only: r1 and r3


@pytest.mark.parametrize("roles", [("referrer",), ("agency_rep",), ("admin",), ("dpo",), ("idva",)])
def test_other_roles_get_403(client, data: dict, roles) -> None:
    assert stats(client, data["factory"], "from=2026-01-01&to=2026-03-31", roles).status_code == 403


def test_bad_queries_name_the_field(client, data: dict) -> None:
    response = stats(client, data["factory"], "from=2026-13-01&colour=red")
    assert response.status_code == 422
    assert {"from", "to", "colour"} <= set(response.json["error"]["fields"])
    backwards = stats(client, data["factory"], "from=2026-05-01&to=2026-01-01", ("chair",))
    assert backwards.status_code == 422 and "to" in backwards.json["error"]["fields"]


def test_publication_csv_suppresses_small_counts(client, data: dict) -> None:
    response = stats(
        client, data["factory"], "from=2026-01-01&to=2026-03-31&format=csv&publication=true"
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.text
    assert '"referrals","total","<5"' in text
    assert '"referrals","repeat_rate","<5"' in text
    assert "small-number suppression" in text
    plain = stats(client, data["factory"], "from=2026-01-01&to=2026-03-31&format=csv").text
    assert '"referrals","total","2"' in plain


def test_xlsx_download(client, data: dict) -> None:
    import io

    from openpyxl import load_workbook

    response = stats(client, data["factory"], "from=2026-01-01&to=2026-03-31&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("section", "measure", "value")
    assert ("referrals", "total", 2) in rows


def test_quarterly_return_lists_each_meeting(client, data: dict) -> None:
    user = data["factory"].user("an@x.example", "POL", ("analyst",))
    body = client.get(
        "/api/v1/stats/marac/quarterly?year=2026&quarter=1",
        headers=bearer(data["factory"].token(user)),
    ).json
    assert body["from"] == "2026-01-01" and body["to"] == "2026-03-31"
    assert [(m["meeting_date"], m["cases"], m["children"]) for m in body["meetings"]] == [
        ("2026-02-03", 1, 1)
    ]
    assert body["meetings"][0]["referrals_by_agency"] == {"HLT": 1}


def test_quarterly_return_download_suppresses_every_small_count(client, data: dict) -> None:
    user = data["factory"].user("an2@x.example", "POL", ("analyst",))
    url = "/api/v1/stats/marac/quarterly?year=2026&quarter=1&format=csv&publication=true"
    text = client.get(url, headers=bearer(data["factory"].token(user))).text
    row = next(line for line in text.splitlines() if line.startswith('"2026-02-03"'))
    cells = row.split(",")
    assert cells[2:] and all(c in ('"<5"', '"0"') for c in cells[2:]), row
