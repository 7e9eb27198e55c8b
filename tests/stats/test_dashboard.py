"""The performance pages: who may see them, what they show, their charts and downloads."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from casework.meetings.models import AgendaItem, Meeting
from casework.referrals.models import Referral
from casework.services import Services
from casework.web.stats_filters import period_dates
from tests.conftest import Factory, sign_in
from tests.referral_data import dash

SVG = "{http://www.w3.org/2000/svg}"
# Personal details no performance page or file may ever contain.
SECRETS = (
    "Zebediah",
    "Quartermaine",
    "Xanthippe",
    "Blackwood",
    "Peregrine",
    "Marmalade Lane",
    "ZZ9 9ZZ",
    "07700 900123",
    "Wolverhampton-Outlier",
    "1987-07-13",
)
PERSONAL = {
    "victim__first_name": "Zebediah",
    "victim__last_name": "Quartermaine",
    "victim__date_of_birth": "1987-07-13",
    "victim__address": "14 Marmalade Lane",
    "victim__postcode": "ZZ9 9ZZ",
    "victim__phone": "07700 900123",
    "victim__ethnicity": "Wolverhampton-Outlier",
    "perpetrators": [
        {
            "first_name": "Xanthippe",
            "last_name": "Blackwood",
            "date_of_birth": "1985-02-02",
            "relationship_to_victim": "ex-partner",
        }
    ],
    "children": [{"first_name": "Peregrine", "last_name": "Quartermaine"}],
    "summary": "Zebediah Quartermaine fears Xanthippe Blackwood.",
}


@pytest.fixture()
def data(factory: Factory, svc: Services) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("HLT", "health", name='=HYPERLINK("http://evil.example","Health")')
    a = factory.panel(("POL", "HLT"), name="Alpha MARAC")
    b = factory.panel(("POL",), name="Beta MARAC")
    health = factory.user("ref@hlt.example", "HLT", ("referrer",))
    police = factory.user("ref@pol.example", "POL", ("referrer",))
    r1 = factory.referral(health, a, referral_date="2026-01-10", victim__bme=True, **PERSONAL)
    r2 = factory.referral(police, a, referral_date="2026-02-11", risk__dash=dash(16))
    r3 = factory.referral(police, b, referral_date="2026-03-12")  # a repeat of r2
    meeting = Meeting(
        panel_id=a.id, starts_at=datetime(2026, 2, 3, 10, tzinfo=UTC), status="closed"
    )
    meeting.items.append(AgendaItem(position=1, referral_id=r1.id))
    svc.session.add(meeting)
    svc.session.commit()
    for role, agency in (("analyst", "POL"), ("coordinator", "HLT"), ("chair", "HLT")):
        factory.user(f"{role}@x.example", agency, (role,))
    for role in ("referrer", "agency_rep", "admin", "dpo", "idva"):
        factory.user(f"{role}@other.example", "POL", (role,))
    return {"a": a, "b": b, "refs": (r1, r2, r3)}


Q1 = "from-day=1&from-month=1&from-year=2026&to-day=31&to-month=3&to-year=2026"
EMPTY = "from-day=1&from-month=1&from-year=2027&to-day=31&to-month=3&to-year=2027"


def _as(client, role: str) -> None:
    email = f"{role}@x.example" if role in ("analyst", "coordinator", "chair") else None
    sign_in(client, email or f"{role}@other.example")


def _svg(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 (the service's own chart, in a test)


def _text(html: str) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("role", ["analyst", "coordinator", "chair"])
def test_performance_staff_see_the_dashboard(client, data, role: str) -> None:
    _as(client, role)
    response = client.get(f"/stats?{Q1}")
    assert response.status_code == 200
    text = _text(response.text)
    assert "1 January 2026 to 31 March 2026" in text
    if role == "analyst":  # every panel: r1, r2 (Alpha) and r3 (Beta)
        assert "Referrals 3 by referral date" in text
        assert "Police referrals 2 66.7%" in text
    else:  # HLT is a member of Alpha only
        assert "Referrals 2 by referral date" in text
        assert "Police referrals 1 50.0%" in text
    assert "Cases heard 1 at meetings held in the period" in text
    assert "Meetings held 1" in text
    assert 'href="/stats"' in response.text  # "Performance" in the service navigation
    assert "Black and minority ethnic (BME) 1" in text and "15%" in text
    home = client.get("/")
    assert "MARAC performance: figures, charts and downloads" in home.text


@pytest.mark.parametrize("role", ["referrer", "agency_rep", "admin", "dpo", "idva"])
def test_other_roles_are_refused_every_performance_route(client, data, role: str) -> None:
    _as(client, role)
    for url in (
        f"/stats?{Q1}",
        "/stats/quarterly?year=2026&quarter=1",
        f"/stats/charts/repeat-rate.svg?{Q1}",
        f"/stats/marac.csv?{Q1}",
        f"/stats/marac.xlsx?{Q1}&table=agencies",
        "/stats/quarterly.csv?year=2026&quarter=1",
    ):
        assert client.get(url).status_code == 403, url
    assert 'href="/stats"' not in client.get("/").text


def test_coordinators_choose_only_their_agencys_panels(client, data) -> None:
    _as(client, "coordinator")
    page = client.get(f"/stats?{Q1}").text
    assert "Alpha MARAC" in page and "Beta MARAC" not in page
    assert client.get(f"/stats?{Q1}&panel={data['b'].id}").status_code == 404
    assert client.get(f"/stats/marac.csv?{Q1}&panel={data['b'].id}").status_code == 404


def test_filters_are_kept_and_carried_to_charts_and_downloads(client, data) -> None:
    _as(client, "analyst")
    panel = str(data["a"].id)
    page = client.get(f"/stats?panel={panel}&{Q1}").text
    assert re.search(rf'<option value="{panel}" selected', page)
    assert 'name="from-month" type="text" value="1"' in page or 'value="1"' in page
    assert re.search(r'name="to-day"[^>]*value="31"', page)
    charts = re.findall(r'<img class="app-chart__image" src="([^"]+)"', page)
    assert len(charts) == 3
    for src in charts:
        assert f"panel={panel}" in src and "from-year=2026" in src and "to-day=31" in src
    assert f'<input type="hidden" name="panel" value="{panel}">' in page
    text = _text(page)
    assert "Alpha MARAC, 1 January 2026 to 31 March 2026" in text
    assert "Referrals 2 by referral date" in text


def _as_of(monkeypatch, day: date) -> None:
    """The performance pages' "today" (their quick periods and default quarter) as ``day``."""
    for where in ("casework.web.stats_filters.today", "casework.web.stats.today"):
        monkeypatch.setattr(where, lambda: day)


def test_a_quick_period_fills_the_date_boxes(client, data, monkeypatch) -> None:
    _as_of(monkeypatch, date(2026, 5, 20))
    _as(client, "analyst")
    page = client.get("/stats?period=last_quarter").text
    assert "1 January 2026 to 31 March 2026" in _text(page)
    assert re.search(r'name="to-month"[^>]*value="3"', page)
    default = _text(client.get("/stats").text)  # no dates: the last 12 months
    assert "1 June 2025 to 20 May 2026" in default


@pytest.mark.parametrize(
    ("today", "name", "expected"),
    [
        (date(2026, 5, 20), "this_quarter", (date(2026, 4, 1), date(2026, 5, 20))),
        (date(2026, 2, 1), "last_quarter", (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 1, 15), "last_12_months", (date(2025, 2, 1), date(2026, 1, 15))),
        (date(2026, 12, 31), "last_12_months", (date(2026, 1, 1), date(2026, 12, 31))),
        (date(2026, 3, 31), "this_financial_year", (date(2025, 4, 1), date(2026, 3, 31))),
        (date(2026, 4, 1), "this_financial_year", (date(2026, 4, 1), date(2026, 4, 1))),
        (date(2026, 4, 1), "last_financial_year", (date(2025, 4, 1), date(2026, 3, 31))),
    ],
)
def test_quick_periods(today: date, name: str, expected: tuple[date, date]) -> None:
    assert period_dates(name, today) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026",
            "The start date must be a real date",
        ),
        (
            "from-day=1&from-month=2&to-day=1&to-month=3&to-year=2026",
            "The start date must include a year",
        ),
        (
            "from-day=1&from-month=2&from-year=26&to-day=1&to-month=3&to-year=2026",
            "The year of the start date must include 4 numbers",
        ),
        (
            "from-day=1&from-month=5&from-year=2026&to-day=1&to-month=3&to-year=2026",
            "The end date must be the same as or after the start date",
        ),
        ("from-day=1&from-month=1&from-year=2026", "Enter the end date"),
    ],
)
def test_bad_dates_show_a_govuk_error_and_keep_what_was_typed(
    client, data, query: str, message: str
) -> None:
    _as(client, "analyst")
    response = client.get(f"/stats?{query}")
    assert response.status_code == 422
    page = response.text
    assert "There is a problem" in page and message in page
    assert "<title>Error: MARAC performance" in page
    assert re.search(r'href="#(from|to)-day"', page)
    assert "govuk-input--error" in page
    assert re.search(r'name="from-month"[^>]*value="(2|5|1)"', page)
    assert "app-chart__image" not in page


def test_a_panel_that_is_not_an_id_is_a_form_error(client, data) -> None:
    _as(client, "analyst")
    response = client.get(f"/stats?{Q1}&panel=nonsense")
    assert response.status_code == 422
    assert "Select a panel from the list" in response.text


def test_charts_are_svg_images_with_a_title_and_description(client, data) -> None:
    _as(client, "analyst")
    page = client.get(f"/stats?{Q1}").text
    for name, title in (
        ("repeat-rate", "Repeat rate by month"),
        ("non-police-share", "Non-police share by month"),
        ("agencies", "Referrals by referring agency"),
    ):
        response = client.get(f"/stats/charts/{name}.svg?{Q1}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert "style-src 'unsafe-inline'" in response.headers["Content-Security-Policy"]
        assert "script-src" not in response.headers["Content-Security-Policy"]
        root = _svg(response.data)
        assert root.tag == f"{SVG}svg"
        assert root[0].tag == f"{SVG}title" and root[0].text == title
        assert root[1].tag == f"{SVG}desc"
        desc = root[1].text or ""
        assert desc and desc in _text(page)  # the same words are the chart's caption
        assert root.find(f".//{SVG}text") is not None  # text stays text
    repeat = client.get(f"/stats/charts/repeat-rate.svg?{Q1}")
    desc = _svg(repeat.data)[1].text
    assert desc == (  # one referral a month: labelled small, never a 100% spike
        "Repeat rate by month, January 2026 to March 2026. Fewer than 5 referrals, so no rate"
        " is drawn: January 2026 0 of 1; February 2026 0 of 1; March 2026 1 of 1."
        " Dashed line: National repeat rate 31%: SafeLives MARAC national dataset,"
        " 12 months to September 2024, as of 30 September 2024."
    )
    agencies = _svg(client.get(f"/stats/charts/agencies.svg?{Q1}").data)
    assert agencies[1].text == (
        "Referrals by referring agency, largest first: POL 2 of 3; HLT 1 of 3. Total 3."
    )
    assert client.get(f"/stats/charts/pie.svg?{Q1}").status_code == 404


def test_a_period_without_referrals_words_its_rates(client, data) -> None:
    _as(client, "analyst")
    response = client.get(f"/stats?{EMPTY}")
    assert response.status_code == 200
    text = _text(response.text)
    assert "Repeat rate no referrals in this period" in text
    assert "Non-police share no referrals in this period" in text
    assert "Repeat cases heard 0 no cases heard in this period" in text
    assert "0.0%" not in text
    desc = _svg(client.get(f"/stats/charts/repeat-rate.svg?{EMPTY}").data)[1]
    assert "no referrals in this period, so there is no rate" in (desc.text or "")


def test_csv_download_of_one_table_escapes_formulas(client, data) -> None:
    _as(client, "analyst")
    response = client.get(f"/stats/marac.csv?{Q1}&table=agencies")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="marac-agencies-2026-03-31.csv"' in response.headers["Content-Disposition"]
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == '"Agency","Referrals","Share of referrals (fraction)"'
    assert '"POL agency (POL)","2","0.6667"' in lines
    assert any(line.startswith("\"'=HYPERLINK(") for line in lines)
    assert lines[-1] == '"Not for publication: counts are not suppressed."'


def test_publication_downloads_suppress_small_counts_and_say_so(client, data) -> None:
    _as(client, "analyst")
    text = client.get(f"/stats/marac.csv?{Q1}&table=referrals&publication=yes").text
    assert '"Referrals","<5",""' in text
    assert '"Repeat referrals","<5","<5"' in text  # the rate would give the count back
    criteria = client.get(f"/stats/marac.csv?{Q1}&table=criteria&publication=yes").text
    assert '"Potential escalation","0","0.0"' in criteria  # a zero is no one: not hidden
    assert "Counts from 1 to 4 are shown as <5 (small-number suppression)." in text
    every = client.get(f"/stats/marac.csv?{Q1}&publication=yes").text
    assert '"referrals","total","<5"' in every
    assert client.get(f"/stats/marac.csv?{Q1}&table=nonsense").status_code == 404


def test_xlsx_download_keeps_numbers_and_escapes_text(client, data) -> None:
    from openpyxl import load_workbook

    _as(client, "analyst")
    response = client.get(f"/stats/marac.xlsx?{Q1}&table=agencies")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Agency", "Referrals", "Share of referrals (fraction)")
    assert ("POL agency (POL)", 2, 0.6667) in rows
    assert any(str(r[0]).startswith("'=HYPERLINK(") for r in rows)
    published = client.get(f"/stats/marac.xlsx?{Q1}&table=agencies&publication=yes")
    rows = list(load_workbook(io.BytesIO(published.data)).active.iter_rows(values_only=True))
    assert ("POL agency (POL)", "<5", "<5") in rows
    assert rows[-1][0].startswith("Counts from 1 to 4 are shown as <5")


def test_quarterly_return_page_and_downloads(client, data, monkeypatch) -> None:
    _as_of(monkeypatch, date(2026, 5, 20))
    _as(client, "chair")
    page = client.get("/stats/quarterly")  # defaults to the last complete quarter
    assert page.status_code == 200
    text = _text(page.text)
    assert "All your panels, 1 January 2026 to 31 March 2026" in text
    assert "2026-02-03 Alpha MARAC 1 0 1 0 1 1" in text
    assert client.get("/stats/quarterly?year=2026&quarter=2").status_code == 200
    assert (
        "No meetings were held in this quarter"
        in client.get("/stats/quarterly?year=2026&quarter=2").text
    )
    csv = client.get("/stats/quarterly.csv?year=2026&quarter=1&publication=yes").text
    assert '"Referred by HLT"' in csv
    assert '"2026-02-03","Alpha MARAC","<5","0","<5","0","<5","<5"' in csv
    assert "small-number suppression" in csv
    xlsx = client.get("/stats/quarterly.xlsx?year=2026&quarter=1")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_quarterly_return_errors_are_shown_on_the_page(client, data) -> None:
    _as(client, "analyst")
    response = client.get("/stats/quarterly?year=1999&quarter=7")
    assert response.status_code == 422
    assert "Enter a year between 2000 and 2100" in response.text
    assert "Select a quarter" in response.text
    assert 'value="1999"' in response.text


@pytest.mark.parametrize("role", ["analyst", "coordinator", "chair"])
def test_no_personal_detail_appears_on_any_page_or_download(client, data, role: str) -> None:
    _as(client, role)
    bodies = []
    for url in (
        f"/stats?{Q1}",
        f"/stats?{Q1}&panel={data['a'].id}",
        "/stats/quarterly?year=2026&quarter=1",
        f"/stats/marac.csv?{Q1}",
        "/stats/quarterly.csv?year=2026&quarter=1",
        *(f"/stats/charts/{c}.svg?{Q1}" for c in ("repeat-rate", "non-police-share", "agencies")),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.text)
    for name in ("referrals", "heard", "criteria", "victims", "agencies", "sectors"):
        bodies.append(client.get(f"/stats/marac.csv?{Q1}&table={name}").text)
    for url in (f"/stats/marac.xlsx?{Q1}", "/stats/quarterly.xlsx?year=2026&quarter=1"):
        with zipfile.ZipFile(io.BytesIO(client.get(url).data)) as book:
            bodies += [book.read(n).decode() for n in book.namelist()]
    joined = "\n".join(bodies)
    assert "Alpha MARAC" in joined  # the pages did render figures
    for secret in SECRETS:
        assert secret not in joined, secret


def test_every_referral_status_but_withdrawn_is_counted(client, data, svc: Services) -> None:
    r1, r2, _ = data["refs"]
    svc.session.execute(
        Referral.__table__.update().where(Referral.id == r2.id).values(status="withdrawn")
    )
    svc.session.commit()
    _as(client, "analyst")
    assert "Referrals 2 by referral date" in _text(client.get(f"/stats?{Q1}").text)


def test_idva_engagement_is_shown_with_its_rate(client, data, svc: Services) -> None:
    r1, r2, r3 = data["refs"]
    table = Referral.__table__
    svc.session.execute(table.update().values(idva_offered=True, idva_engaged=False))
    svc.session.execute(table.update().where(table.c.id == r1.id).values(idva_engaged=True))
    svc.session.execute(table.update().where(table.c.id == r3.id).values(idva_offered=False))
    svc.session.commit()
    _as(client, "analyst")
    text = _text(client.get(f"/stats?{Q1}").text)
    assert "Victims offered an IDVA 2 66.7%" in text
    assert "Victims who engaged with an IDVA 1 50.0%" in text
    csv = client.get(f"/stats/marac.csv?{Q1}&table=idva&publication=yes").text
    assert '"Victims who engaged with an IDVA","<5","<5"' in csv
