"""Small-number suppression of the file of every ASB figure: primary, secondary (a count that
with a published total gives a hidden one back), a hidden total whose parts are all shown,
and rates worked out from a hidden count."""

from __future__ import annotations

from typing import Any

from casework.stats.asb import _empty, _with_rates
from casework.stats.asb_tables import figure_rows, suppressed

BELOW = 5


def _figures(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Figures of two panels and their total, from (section, measure) -> count changes."""
    panels = []
    for name, changes in (("A", a), ("B", b)):
        figures = _empty()
        for (section, measure), value in changes.items():
            target = figures[section]
            *path, last = measure.split(".")
            for key in path:
                target = target[key]
            target[last] = value
        panels.append({"panel_id": name, "name": name, **_with_rates(figures)})
    total = _empty()
    for p in panels:
        for section in ("cases", "community_triggers", "interventions"):
            _sum(total[section], p[section])
    return {"from": "2026-01-01", "to": "2026-03-31", "total": _with_rates(total), "panels": panels}


def _sum(total: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _sum(total[key], value)
        elif not key.endswith("_rate"):
            total[key] += value


def _values(figures: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {(r[0], r[1], r[2]): r[3] for r in suppressed(figure_rows(figures), BELOW)}


def test_a_small_band_hides_a_second_band_and_its_rate() -> None:
    a = {("cases", "referred"): 20, ("cases", "risk.standard"): 10}
    a |= {("cases", "risk.medium"): 7, ("cases", "risk.high"): 3}
    b = {("cases", "referred"): 9, ("cases", "risk.standard"): 9}
    v = _values(_figures(a, b))
    assert v[("A", "cases", "risk.high")] == "<5"
    assert v[("A", "cases", "high_risk_rate")] == "<5"
    assert v[("A", "cases", "risk.medium")] == "[c]"  # 20 - 10 - 7 would give the 3 back
    assert v[("A", "cases", "risk.standard")] == 10
    assert v[("A", "cases", "referred")] == 20


def test_a_small_panel_hides_another_panel_and_what_would_add_up_to_it() -> None:
    a = {("cases", "referred"): 17, ("cases", "risk.standard"): 10, ("cases", "risk.medium"): 7}
    a |= {("cases", "repeat_victim"): 8}
    b = {("cases", "referred"): 3}  # its band counts happen to be unset: all three 0
    v = _values(_figures(a, b))
    assert v[("All panels counted", "cases", "referred")] == 20
    assert v[("B", "cases", "referred")] == "<5"
    assert v[("A", "cases", "referred")] == "[c]"  # 20 - 17 would give B's 3 back
    # A's bands would add up to its hidden total: one of them is hidden too.
    bands = [v[("A", "cases", f"risk.{band}")] for band in ("standard", "medium", "high")]
    assert "[c]" in bands
    # A rate over a hidden total would give it back (8 / 0.47 = 17).
    assert v[("A", "cases", "repeat_victim_rate")] == "[c]"
    assert v[("A", "cases", "repeat_victim")] == 8


def test_counts_of_five_or_more_and_zeros_are_shown() -> None:
    a = {("interventions", "issued"): 6, ("interventions", "by_type.warning_letter"): 6}
    a |= {("interventions", "outcomes.none"): 6}
    v = _values(_figures(a, {}))
    assert v[("A", "interventions", "by_type.warning_letter")] == 6
    assert v[("A", "interventions", "by_type.closure_order")] == 0
    assert v[("B", "interventions", "issued")] == 0
