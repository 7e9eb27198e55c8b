"""The DPO's audit-log page and CSV download: DPO only, filters kept, GOV.UK errors, safe CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.audit.models import AuditEntry
from casework.audit.schemas import EXPORT_HEADER
from casework.exports import UTF8_BOM
from tests.conftest import sign_in

DAY = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture()
def dpo(app, factory, svc):
    factory.user("dpo@example.org", agency="CSP", roles=("dpo",))
    factory.user("jo@example.org", agency="POL", roles=("referrer",))
    client = app.test_client()
    sign_in(client, "dpo@example.org")
    return client


def _add(svc, email: str, agency: str, action: str, record_id: str, at: datetime, **kw) -> None:
    actor = Actor(None, email, None, agency, "other", False, frozenset({"referrer"}))
    audit.record(svc.session, actor, action, "referral", record_id, **kw).at = at
    svc.session.commit()


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(text[len(UTF8_BOM) :], newline="")))


def _value(html: str, name: str) -> str:
    """The value an input was rendered with (attributes span lines in GOV.UK's macros)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def test_the_dpo_sees_the_log_newest_first(dpo, svc):
    _add(svc, "jo@example.org", "POL", "view", "ref-older", DAY)
    _add(svc, "jo@example.org", "POL", "update", "ref-newer", DAY + timedelta(hours=1))
    response = dpo.get("/audit")
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="govuk-heading-l">Audit log</h1>' in html
    assert html.index("ref-newer") < html.index("ref-older")
    assert 'href="/audit.csv?as_of=' in html and "Download as CSV" in html


@pytest.mark.parametrize("roles", [("admin",), ("referrer",), ("coordinator", "chair")])
def test_other_roles_get_the_forbidden_page(app, factory, roles):
    factory.user("someone@example.org", roles=roles)
    client = app.test_client()
    sign_in(client, "someone@example.org")
    for url in ("/audit", "/audit.csv", "/audit?date_from-day=99"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You cannot do this" in response.text
    home = client.get("/").text
    assert "/audit" not in home


def test_home_page_and_navigation_link_to_the_log_for_the_dpo(dpo):
    home = dpo.get("/").text
    assert "Search and download the audit log" in home
    nav = re.search(r"<nav[^>]*service-navigation.*?</nav>", home, re.S)
    assert nav and 'href="/audit"' in nav.group(0)


def test_filters_are_kept_in_the_form(dpo, svc):
    _add(svc, "jo@example.org", "POL", "view", "ref-1", DAY)
    query = {
        "record": "ref-1",
        "user": "Jo@Example.org",
        "agency": "POL",
        "action": "view",
        "date_from-day": "14",
        "date_from-month": "3",
        "date_from-year": "2026",
        "date_to-day": "14",
        "date_to-month": "3",
        "date_to-year": "2026",
    }
    html = dpo.get("/audit", query_string=query).text
    assert _value(html, "record") == "ref-1"
    assert _value(html, "user") == "Jo@Example.org"
    assert re.search(r'<option value="POL" selected', html)
    assert re.search(r'<option value="view" selected', html)
    assert _value(html, "date_from-month") == "3"
    assert _value(html, "date_to-year") == "2026"
    assert "1 entry" in html and "ref-1" in html
    csv_link = re.search(r'href="(/audit\.csv\?[^"]+)"', html).group(1)
    assert "user=Jo@Example.org" in csv_link and "date_to-day=14" in csv_link


def test_a_bad_date_shows_a_gov_uk_error(dpo):
    query = {"date_from-day": "31", "date_from-month": "2", "date_from-year": "2026"}
    response = dpo.get("/audit", query_string=query)
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert 'href="#date_from-day"' in html
    assert "Date from must be a real date" in html
    assert "govuk-form-group--error" in html and "govuk-input--error" in html
    assert _value(html, "date_from-day") == "31"
    assert "Download as CSV" not in html


def test_dates_out_of_order_are_an_error_on_date_to(dpo):
    query = {
        "date_from-day": "2",
        "date_from-month": "3",
        "date_from-year": "2026",
        "date_to-day": "1",
        "date_to-month": "3",
        "date_to-year": "2026",
    }
    response = dpo.get("/audit", query_string=query)
    assert response.status_code == 422 and 'href="#date_to-day"' in response.text


def test_the_dpo_reading_the_page_is_recorded_without_values(dpo, svc):
    dpo.get("/audit", query_string={"user": "jo@example.org", "action": "view"})
    entry = svc.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "list", AuditEntry.record_type == "audit_log")
    )
    assert entry.actor_email == "dpo@example.org" and entry.via == "web"
    assert entry.fields == ["action", "user"] and entry.seq is not None  # sealed after commit


def test_csv_download_has_the_header_escaped_cells_and_only_matching_rows(dpo, svc):
    _add(svc, "jo@example.org", "POL", "view", '=HYPERLINK("http://evil")', DAY, purpose="+1")
    _add(svc, "jo@example.org", "POL", "update", "ref-2", DAY, fields=["name", "address"])
    _add(svc, "other@example.org", "HEALTH", "view", "ref-3", DAY)
    response = dpo.get("/audit.csv", query_string={"agency": "POL"})
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    today = clock.today().isoformat()
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="audit-log-{today}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert tuple(rows[0]) == EXPORT_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {row["agency"] for row in body} == {"POL"}
    assert {row["record id"] for row in body} == {'\'=HYPERLINK("http://evil")', "ref-2"}
    risky = next(row for row in body if row["record id"].startswith("'="))
    assert risky["purpose"] == "'+1" and risky["time (UTC)"] == "2026-03-14 09:30:00"
    updated = next(row for row in body if row["record id"] == "ref-2")
    assert updated["fields"] == "address name" and updated["action"] == "update"
    export = svc.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert export.fields == ["agency"] and export.record_type == "audit_log"


def test_csv_download_with_a_bad_filter_shows_the_form_with_the_error(dpo):
    response = dpo.get("/audit.csv", query_string={"date_to-day": "x"})
    assert response.status_code == 422
    assert "text/html" in response.content_type and 'href="#date_to-day"' in response.text


def test_pages_keep_the_filters_and_the_moment_of_the_search(dpo, svc):
    actor = Actor(None, "jo@example.org", None, "POL", "other", False, frozenset({"referrer"}))
    for i in range(60):
        audit.record(svc.session, actor, "view", "referral", f"r{i:02}").at = DAY + timedelta(
            minutes=i
        )
    svc.session.commit()
    first = dpo.get("/audit", query_string={"agency": "POL"}).text
    assert "Showing 1 to 50" in first and "60 entries" in first
    next_link = (
        re.search(r'href="(/audit\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    )
    assert "agency=POL" in next_link and "as_of=" in next_link and "page=2" in next_link
    second = dpo.get(next_link).text
    assert "Showing 51 to 60" in second
    assert "r09" in second and "r10" not in second


def test_times_are_shown_in_uk_time(dpo, svc):
    """A summer entry at 12:00 UTC was at 13:00 in the UK (BST), and the page says so."""
    _add(svc, "jo@example.org", "POL", "view", "ref-summer", datetime(2026, 7, 1, 12, tzinfo=UTC))
    html = dpo.get("/audit").text
    assert ">1 Jul 2026 13:00:00<" in html and ">1 Jul 2026 12:00:00<" not in html
    assert "Time (UK)" in html
