"""Charts a partnership can trust: counts beside rates, small months labelled, and national
lines that say where they come from (issue 14, section 6)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest

from casework.services import Services
from casework.settings import ConfigError
from casework.stats import charts
from casework.stats.reference import reference_lines
from casework.stats.tables import headline
from tests.conftest import Factory, sign_in

SVG = "{http://www.w3.org/2000/svg}"
Q1 = "from-day=1&from-month=1&from-year=2026&to-day=31&to-month=3&to-year=2026"
LINE = {
    "value": 0.5,
    "label": "Test national rate",
    "source": "Test source, 12 months to June 2025",
    "as_of": "2025-06-30",
}


def _month(period: str, total: int, repeat: int) -> dict[str, Any]:
    return {
        "period": period,
        "total": total,
        "repeat": repeat,
        "repeat_rate": repeat / total if total else None,
    }


MONTHLY = [_month("2026-01", 12, 4), _month("2026-02", 1, 1), _month("2026-03", 0, 0)]


def _texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)  # noqa: S314 (the service's own chart, in a test)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_each_point_carries_its_count_and_denominator_and_small_months_are_labelled() -> None:
    jan, feb, mar = charts.rate_points(MONTHLY, "repeat", "repeat_rate")
    assert (jan.count, jan.total, jan.drawn, jan.label) == (4, 12, 4 / 12, "4/12")
    # One repeat out of one referral: labelled, never plotted as a 100% spike.
    assert feb.small and feb.drawn is None and feb.label == "Fewer than 5 referrals"
    assert not mar.small and mar.drawn is None and mar.label == "No referrals"
    desc = charts.describe_rate("Repeat rate", [jan, feb, mar])
    assert "33.3% (4 of 12) in January 2026" in desc
    assert "Fewer than 5 referrals, so no rate is drawn: February 2026 1 of 1." in desc
    assert "100.0%" not in desc

    texts = _texts(charts.line_chart("Repeat rate by month", desc, [jan, feb, mar]))
    assert "4/12" in texts and "Fewer than 5 referrals" in texts
    assert not any("Dashed line" in t or "National" in t for t in texts)


def test_the_national_line_comes_from_the_dated_sourced_setting() -> None:
    lines = reference_lines({"STATS_REFERENCE_LINES": {"repeat_rate": LINE}})
    line = lines["repeat_rate"]
    assert line.citation == (
        "Test national rate 50%: Test source, 12 months to June 2025, as of 30 June 2025"
    )
    points = charts.rate_points(MONTHLY, "repeat", "repeat_rate")
    desc = charts.describe_rate("Repeat rate", points, line)
    assert desc.endswith(f"Dashed line: {line.citation}.")
    assert line.citation in _texts(charts.line_chart("Repeat rate by month", desc, points, line))


def test_the_shipped_lines_are_safelives_12_months_to_september_2024(app) -> None:
    lines = reference_lines(app.extensions["casework"].settings)
    assert {m: lines[m].shown for m in lines} == {
        "repeat_rate": "31%",
        "non_police_rate": "36.1%",
        "volume_per_10k": "47",
    }
    assert all("SafeLives" in ln.source and str(ln.as_of) == "2024-09-30" for ln in lines.values())


@pytest.mark.parametrize(
    "entry",
    [
        {**LINE, "value": 31},  # a rate given as a percentage
        {**LINE, "as_of": "September 2024"},
        {**LINE, "source": " "},
        {k: v for k, v in LINE.items() if k != "source"},
    ],
)
def test_a_line_without_a_traceable_source_or_date_is_refused(entry: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="repeat_rate"):
        reference_lines({"STATS_REFERENCE_LINES": {"repeat_rate": entry}})


def test_headline_cites_the_national_figures_it_compares_with() -> None:
    figures = {
        "referrals": {
            "total": 12,
            "repeat": 4,
            "repeat_rate": 4 / 12,
            "non_police": 5,
            "non_police_rate": 5 / 12,
            "volume_per_10k": None,
        },
        "heard": {"cases": 3, "meetings": 1},
    }
    lines = reference_lines({"STATS_REFERENCE_LINES": {"repeat_rate": LINE}})
    detail = dict((label, d) for label, _, d in headline(figures, lines))
    assert (
        detail["Repeat rate"] == f"4 of 12 referrals were repeats. {lines['repeat_rate'].citation}"
    )
    assert "national" not in detail["Non-police share"].lower()  # no line set, none claimed


def test_the_dashboard_chart_draws_the_configured_line(
    client, factory: Factory, svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory.agency("POL", "police")
    factory.user("analyst@x.example", "POL", ("analyst",))
    monkeypatch.setitem(svc.settings, "STATS_REFERENCE_LINES", {"repeat_rate": LINE})
    sign_in(client, "analyst@x.example")
    svg = client.get(f"/stats/charts/repeat-rate.svg?{Q1}").text
    assert "Test national rate 50%: Test source" in svg
    assert "Test national rate 50%: Test source" in client.get(f"/stats?{Q1}").text
    monkeypatch.setitem(svc.settings, "STATS_REFERENCE_LINES", {})
    assert "Dashed line" not in client.get(f"/stats/charts/repeat-rate.svg?{Q1}").text
