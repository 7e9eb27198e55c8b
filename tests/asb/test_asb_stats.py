"""ASB panel figures (``GET /api/v1/stats/asb`` and ``/stats/asb``) against counts worked out
by hand on fixed rows: rows outside the period and rows on a MARAC panel must not count."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from casework.agencies.models import Agency
from casework.asb.models import (
    AsbBreach,
    AsbCase,
    AsbIntervention,
    AsbPerpetrator,
    CommunityTrigger,
)
from casework.panels.models import Panel
from casework.services import Services
from tests.conftest import Factory, bearer, sign_in

URL = "/api/v1/stats/asb"
PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
USERS = {
    "analyst": ("analyst@council.example", "ASBT", ("analyst",)),
    "coordinator": ("coord@council.example", "ASBT", ("coordinator",)),
    "housing_chair": ("chair@housing.example", "HOU", ("chair",)),
    "referrer": ("officer@housing.example", "HOU", ("referrer",)),
    # on no ASB panel: the navigation offers it no ASB pages (the page test's refusal)
    "outside_referrer": ("officer@elsewhere.example", "OUT", ("referrer",)),
}


class World:
    """Panel A (council, police, housing), panel B (council, police) and a MARAC panel."""

    def __init__(self, svc: Services, factory: Factory) -> None:
        self.svc, self.factory, self.count = svc, factory, 0
        for code, sector in (("ASBT", "local_authority"), ("POL", "police"), ("HOU", "housing")):
            factory.agency(code, sector)
        self.users = {k: factory.user(e, a, r) for k, (e, a, r) in USERS.items()}
        self.a = factory.panel(("ASBT", "POL", "HOU"), kind="asb", name="A ASB panel")
        self.b = factory.panel(("ASBT", "POL"), kind="asb", name="B ASB panel")
        self.marac = factory.panel(("ASBT", "POL", "HOU"), kind="marac", name="MARAC")
        self.police = svc.session.query(Agency).filter_by(code="POL").one().id
        self.tokens = {k: factory.token(u) for k, u in self.users.items()}

    def case(self, panel: Panel, referred: str, band: str, repeat: bool = False, **kw: Any):
        self.count += 1
        case = AsbCase(
            panel_id=panel.id,
            reference=f"ASB-S{self.count:04d}",
            referral_date=date.fromisoformat(referred),
            referring_agency_id=self.police,
            risk_band=band,
            repeat_victim=repeat,
            **kw,
        )
        self.svc.session.add(case)
        self.svc.session.flush()
        return case

    def trigger(self, case: AsbCase, received: str, due: str, **kw: Any) -> None:
        self.svc.session.add(
            CommunityTrigger(
                case_id=case.id,
                received_on=date.fromisoformat(received),
                decision_due_on=date.fromisoformat(due),
                **kw,
            )
        )

    def intervention(self, case: AsbCase, kind: str, issued: str, *breaches: str, **kw: Any):
        person = AsbPerpetrator(case_id=case.id)
        self.svc.session.add(person)
        self.svc.session.flush()
        self.svc.session.add(
            AsbIntervention(
                perpetrator_id=person.id,
                case_id=case.id,
                kind=kind,
                agency_id=self.police,
                issued_on=date.fromisoformat(issued),
                breaches=[AsbBreach(occurred_on=date.fromisoformat(d)) for d in breaches],
                **kw,
            )
        )


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    w = World(svc, factory)
    a1 = w.case(w.a, "2026-01-10", "high", True)
    a2 = w.case(w.a, "2026-02-01", "medium", status="closed", closed_on=d("2026-03-15"))
    a2.outcome = "resolved"
    w.case(w.a, "2026-03-31", "standard", True)  # the last day counts
    a4 = w.case(w.a, "2025-12-31", "high", True, status="closed", closed_on=d("2026-02-10"))
    a4.outcome = "moved_away"  # referred before the period, closed in it
    w.case(w.a, "2026-04-01", "high")  # after the period
    closed_later = w.case(w.a, "2025-11-01", "standard", status="closed")
    closed_later.closed_on, closed_later.outcome = d("2026-04-05"), "resolved"  # open at end
    b1 = w.case(w.b, "2026-02-20", "high")
    m1 = w.case(w.marac, "2026-02-01", "high", True)  # a MARAC panel: never counted
    w.trigger(
        a1,
        "2026-01-15",
        "2026-02-12",
        threshold_met=True,
        status="decided",
        decided_on=d("2026-02-10"),
        decision="recommendations_made",
    )
    w.trigger(a2, "2026-02-05", "2026-03-05", threshold_met=False, status="threshold_not_met")
    w.trigger(
        a4,
        "2025-12-20",
        "2026-01-17",
        threshold_met=True,
        status="decided",
        decided_on=d("2026-01-20"),  # late, decided in the period, received before it
        decision="no_further_action",
    )
    w.trigger(b1, "2026-03-20", "2026-04-17")
    w.trigger(a1, "2026-04-02", "2026-04-30")  # after the period
    w.trigger(
        m1, "2026-02-01", "2026-03-01", decided_on=d("2026-02-02"), decision="no_further_action"
    )
    w.intervention(a1, "warning_letter", "2026-01-20", outcome="complied")
    w.intervention(
        a1,
        "acceptable_behaviour_contract",
        "2026-02-01",
        "2026-02-15",
        "2026-03-01",
        "2026-04-10",  # after the period
        outcome="breached",
    )
    w.intervention(b1, "civil_injunction", "2026-03-01")
    w.intervention(a4, "community_protection_notice", "2025-12-01", "2026-01-05")
    w.intervention(m1, "warning_letter", "2026-02-01", "2026-02-02")
    svc.session.commit()
    return w


def get(client: FlaskClient, world: World, who: str, **query: str):
    return client.get(URL, query_string=query, headers=bearer(world.tokens[who]))


TOTAL = {
    "cases": {
        "referred": 4,
        "repeat_victim": 2,
        "repeat_victim_rate": 0.5,
        "risk": {"standard": 1, "medium": 1, "high": 2},
        "high_risk_rate": 0.5,
        "open_at_end": 4,
        "closed": 2,
        "outcomes": {
            "resolved": 1,
            "reduced": 0,
            "unresolved": 0,
            "moved_away": 1,
            "withdrawn": 0,
        },
    },
    "community_triggers": {
        "received": 3,
        "threshold_met": 1,
        "threshold_not_met": 1,
        "threshold_pending": 1,
        "threshold_met_rate": 0.3333,
        "decided": 2,
        "decided_on_time": 1,
        "decided_late": 1,
        "on_time_rate": 0.5,
        "decisions": {"no_further_action": 1, "recommendations_made": 1},
    },
    "interventions": {
        "issued": 3,
        "by_type": {
            "warning_letter": 1,
            "acceptable_behaviour_contract": 1,
            "community_protection_warning": 0,
            "community_protection_notice": 0,
            "civil_injunction": 1,
            "criminal_behaviour_order": 0,
            "closure_order": 0,
        },
        "outcomes": {"complied": 1, "breached": 1, "ended": 0, "revoked": 0, "none": 1},
        "breaches": 3,
        "breaches_by_type": {
            "warning_letter": 0,
            "acceptable_behaviour_contract": 2,
            "community_protection_warning": 0,
            "community_protection_notice": 1,
            "civil_injunction": 0,
            "criminal_behaviour_order": 0,
            "closure_order": 0,
        },
    },
}


def test_figures_from_known_rows_in_total_and_per_panel(client: FlaskClient, world: World):
    answer = get(client, world, "analyst", **PERIOD)
    assert answer.status_code == 200
    body = answer.json
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-03-31")
    assert body["total"] == TOTAL
    panels = {p["name"]: p for p in body["panels"]}
    assert set(panels) == {"A ASB panel", "B ASB panel"}  # never the MARAC panel
    a, b = panels["A ASB panel"], panels["B ASB panel"]
    assert a["panel_id"] == str(world.a.id)
    assert a["cases"]["referred"] == 3 and b["cases"]["referred"] == 1
    assert a["cases"]["open_at_end"] == 3 and b["cases"]["open_at_end"] == 1
    assert b["cases"]["high_risk_rate"] == 1.0
    assert b["community_triggers"]["threshold_pending"] == 1
    assert a["community_triggers"]["decided"] == 2
    assert b["interventions"]["by_type"]["civil_injunction"] == 1
    assert b["interventions"]["outcomes"]["none"] == 1


def test_rates_are_null_with_nothing_to_divide(client: FlaskClient, world: World) -> None:
    body = get(client, world, "analyst", **{"from": "2030-01-01", "to": "2030-01-31"}).json
    cases = body["total"]["cases"]
    assert cases["referred"] == 0 and cases["repeat_victim_rate"] is None
    assert body["total"]["community_triggers"]["on_time_rate"] is None


def test_one_panel_and_who_may_count_it(client: FlaskClient, world: World) -> None:
    body = get(client, world, "coordinator", panel_id=str(world.b.id), **PERIOD).json
    assert [p["name"] for p in body["panels"]] == ["B ASB panel"]
    assert body["total"]["cases"]["referred"] == 1
    # Housing sits on panel A only: its chair counts A, and B is not there for them.
    mine = get(client, world, "housing_chair", **PERIOD).json
    assert [p["name"] for p in mine["panels"]] == ["A ASB panel"]
    assert mine["total"]["cases"]["referred"] == 3
    assert (
        get(client, world, "housing_chair", panel_id=str(world.b.id), **PERIOD).status_code == 404
    )
    # A MARAC panel is not an ASB panel, even for an analyst.
    assert get(client, world, "analyst", panel_id=str(world.marac.id), **PERIOD).status_code == 404
    assert get(client, world, "referrer", **PERIOD).status_code == 403
    assert client.get(URL, query_string=PERIOD).status_code == 401


def test_bad_dates_are_422_naming_each_field(client: FlaskClient, world: World) -> None:
    answer = get(client, world, "analyst", **{"from": "2026-13-01", "to": "9999-01-01"})
    assert answer.status_code == 422
    assert {"from", "to"} <= set(answer.json["error"]["fields"])
    backwards = get(client, world, "analyst", **{"from": "2026-03-01", "to": "2026-02-01"})
    assert backwards.status_code == 422 and set(backwards.json["error"]["fields"]) == {"to"}
    assert get(client, world, "analyst").status_code == 422


def _csv(answer: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))


def test_csv_has_every_figure_and_says_it_is_not_for_publication(client, world) -> None:
    answer = get(client, world, "analyst", format="csv", **PERIOD)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "asb-statistics-2026-03-31.csv" in answer.headers["Content-Disposition"]
    rows = _csv(answer)
    assert rows[0] == ["panel", "section", "measure", "value"]
    assert ["All panels counted", "cases", "referred", "4"] in rows
    assert [
        "A ASB panel",
        "interventions",
        "breaches_by_type.acceptable_behaviour_contract",
        "2",
    ] in rows
    assert ["B ASB panel", "community_triggers", "threshold_pending", "1"] in rows
    assert rows[-1][0].startswith("Not for publication")


def test_csv_for_publication_hides_small_counts(client, world) -> None:
    rows = _csv(get(client, world, "analyst", format="csv", publication="true", **PERIOD))
    values = {(r[0], r[1], r[2]): r[3] for r in rows[1:-1]}
    assert values[("All panels counted", "cases", "referred")] == "<5"
    assert values[("All panels counted", "cases", "repeat_victim_rate")] == "<5"
    assert values[("All panels counted", "cases", "outcomes.reduced")] == "0"
    assert "<5 (small-number suppression)" in rows[-1][0]


def test_xlsx_holds_the_same_figures(client, world) -> None:
    answer = get(client, world, "coordinator", format="xlsx", **PERIOD)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["panel", "section", "measure", "value"]
    assert ["All panels counted", "community_triggers", "decided_late", 1] in rows
    assert ["All panels counted", "cases", "high_risk_rate", 0.5] in rows


def _page_query(**extra: str) -> dict[str, str]:
    return {
        "from-day": "1",
        "from-month": "1",
        "from-year": "2026",
        "to-day": "31",
        "to-month": "3",
        "to-year": "2026",
        **extra,
    }


def test_page_shows_the_figures_and_downloads_a_table(client, world) -> None:
    sign_in(client, USERS["analyst"][0])
    page = client.get("/stats/asb", query_string=_page_query())
    assert page.status_code == 200
    assert "Community Trigger applications" in page.text and "Civil injunction" in page.text
    assert "B ASB panel" in page.text and "MARAC panel" not in page.text
    assert "/stats/asb" in client.get("/stats").text  # linked from the MARAC dashboard
    file = client.get("/stats/asb.csv", query_string=_page_query(table="cases"))
    rows = _csv(file)
    assert rows[0] == ["Measure", "Cases", "Share of cases referred (fraction)"]
    assert ["High risk", "2", "0.5"] in rows
    public = _csv(
        client.get("/stats/asb.csv", query_string=_page_query(table="cases", publication="yes"))
    )
    assert ["High risk", "<5", "<5"] in public
    whole = client.get("/stats/asb.xlsx", query_string=_page_query())
    assert whole.status_code == 200 and "asb-statistics" in whole.headers["Content-Disposition"]
    bad = client.get("/stats/asb", query_string=_page_query(**{"to-month": "13"}))
    assert bad.status_code == 422 and "The end date must be a real date" in bad.text


def test_page_is_refused_to_roles_without_figures(client, world) -> None:
    sign_in(client, USERS["outside_referrer"][0])
    assert client.get("/stats/asb", query_string=_page_query()).status_code == 403
    assert client.get("/stats/asb.csv", query_string=_page_query()).status_code == 403
