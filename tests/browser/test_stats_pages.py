"""Browser journey: an analyst reads the performance dashboard, its charts and downloads."""

from __future__ import annotations

import re

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations


def test_analyst_sees_charts_under_the_csp_and_downloads_a_table(page, svc, axe_source):
    logins = _demo_logins(svc)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, "analyst@csp.demo", logins["analyst@csp.demo"])
    page.wait_for_url("**/")
    page.get_by_role("link", name="Performance").first.click()
    page.wait_for_url("**/stats")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "MARAC performance"
    charts = page.locator("img.app-chart__image")
    assert charts.count() == 3
    for i in range(3):  # each SVG loaded and drew (an image refused by the CSP has no size)
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    assert errors == []  # no Content-Security-Policy violation, no failed request
    assert screenshot(page, "stats-dashboard").stat().st_size > 10_000
    assert _violations(page, axe_source) == []

    page.get_by_role("link", name="Last 12 months").click()
    page.wait_for_url(re.compile(r".*period=last_12_months"))
    assert page.locator("#from-year").input_value()  # the boxes show what is counted

    page.get_by_label("Table").select_option("agencies")
    page.get_by_label("For publication (suppress small numbers)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel (XLSX)").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"marac-agencies-\d{4}-\d{2}-\d{2}\.xlsx", name)
