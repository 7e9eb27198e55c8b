"""Secondary suppression: a hidden small count must not come back as a total minus the rest."""

from __future__ import annotations

from typing import Any

from casework.stats.downloads import SECONDARY, complete, note, suppressed_rows
from casework.stats.tables import download_rows, quarterly_table

HIDDEN = "<5"


def _values(rows: list[list[Any]]) -> dict[tuple[str, str], Any]:
    return {(r[0], r[1]): r[2] for r in rows}


def test_a_hidden_count_beside_a_published_total_takes_the_next_smallest_with_it() -> None:
    rows = [
        ("referrals", "total", 30),
        ("referrals", "repeat", 9),
        ("referrals", "repeat_rate", 0.3),
        ("referrals", "police", 27),
        ("referrals", "non_police", 3),
        ("referrals", "non_police_rate", 0.1),
        ("referrals", "by_agency.HLT", 3),
        ("referrals", "by_agency.HSG", 7),
        ("referrals", "by_agency.POL", 20),
    ]
    out = _values(suppressed_rows(rows, 5))
    assert out[("referrals", "non_police")] == HIDDEN
    assert out[("referrals", "police")] == SECONDARY  # else 30 - 27 gives the 3 back
    assert out[("referrals", "by_agency.HLT")] == HIDDEN
    assert out[("referrals", "by_agency.HSG")] == SECONDARY  # the smallest of the others
    assert out[("referrals", "by_agency.POL")] == 20
    assert (out[("referrals", "total")], out[("referrals", "repeat")]) == (30, 9)
    assert out[("referrals", "non_police_rate")] in (HIDDEN, SECONDARY)


def test_months_of_a_quarter_and_quarters_of_the_period_are_groups() -> None:
    rows = [
        ("referrals", "total", 58),
        ("monthly", "2026-01.total", 2),
        ("monthly", "2026-02.total", 18),
        ("monthly", "2026-03.total", 20),
        ("monthly", "2026-04.total", 6),
        ("monthly", "2026-05.total", 6),
        ("monthly", "2026-06.total", 6),
        ("quarterly", "2026-Q1.total", 40),
        ("quarterly", "2026-Q2.total", 18),
    ]
    out = _values(suppressed_rows(rows, 5))
    assert [out[("monthly", f"2026-0{m}.total")] for m in (1, 2, 3)] == [HIDDEN, SECONDARY, 20]
    assert [out[("monthly", f"2026-0{m}.total")] for m in (4, 5, 6)] == [6, 6, 6]
    assert (out[("quarterly", "2026-Q1.total")], out[("quarterly", "2026-Q2.total")]) == (40, 18)


def test_no_second_count_is_hidden_when_the_total_is_hidden_too() -> None:
    cells = [[3, HIDDEN], [1, HIDDEN], [2, 0]]
    complete(cells, [((0, 1), [(1, 1), (2, 1)])], 5)
    assert cells[2][1] == 0  # the total is hidden: nothing to subtract from


def test_a_cell_in_two_groups_is_settled_in_both() -> None:
    # A 2x2 table whose rows and columns each add up to a published total.
    cells = [[HIDDEN, 10], [12, 30]]
    groups = [
        (None, [(0, 0), (0, 1)]),
        (None, [(1, 0), (1, 1)]),
        (None, [(0, 0), (1, 0)]),
        (None, [(0, 1), (1, 1)]),
    ]
    complete(cells, groups, 5)
    for _, parts in groups:
        hidden = [cells[r][c] for r, c in parts if cells[r][c] in (HIDDEN, SECONDARY)]
        assert len(hidden) != 1, cells


def _meeting(day: str, cases: int, police: int, by_agency: dict[str, int]) -> dict[str, Any]:
    return {
        "meeting_date": day,
        "panel": "Alpha MARAC",
        "cases": cases,
        "repeat": 0,
        "children": 0,
        "police_referrals": police,
        "non_police_referrals": cases - police,
        "referrals_by_agency": by_agency,
        "bme": 0,
        "lgbt": 0,
        "disability": 0,
        "male": 0,
        "aged_16_17": 0,
    }


def test_the_quarterly_return_hides_what_a_meeting_total_would_give_back() -> None:
    table = quarterly_table(
        [
            _meeting("2026-01-06", 20, 17, {"POL": 17, "HLT": 3}),
            _meeting("2026-02-03", 25, 12, {"POL": 12, "HLT": 13}),
        ]
    )
    published = download_rows(table, publication=True, below=5)
    first, second = published
    police, non_police, pol, hlt = (
        table.columns.index(c)
        for c in ("Police referrals", "Non-police referrals", "Referred by POL", "Referred by HLT")
    )
    assert first[non_police] == HIDDEN and first[police] == SECONDARY  # 20 - 17 = 3
    assert first[hlt] == HIDDEN and first[pol] == SECONDARY
    assert second[non_police] == SECONDARY  # the quarter's non-police total gives 3 back
    assert download_rows(table, publication=False, below=5)[0][non_police] == 3


def test_the_publication_note_explains_both_marks() -> None:
    text = note(True, 5)
    assert "shown as <5" in text and SECONDARY in text


def test_an_offender_cohort_hides_both_classes_when_one_is_small() -> None:
    rows = [
        ["cohort", "nominals", 14],
        ["cohort", "classification.rr", 12],
        ["cohort", "classification.cc", 2],
    ]
    out = _values(suppressed_rows(rows, 5))
    assert out[("cohort", "classification.cc")] == HIDDEN
    assert out[("cohort", "classification.rr")] == SECONDARY
    assert out[("cohort", "nominals")] == 14
