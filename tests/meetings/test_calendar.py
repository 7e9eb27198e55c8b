"""Working days per UK nation, from the holiday data the installed package carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from casework.meetings.calendar import (
    at_local,
    is_working_day,
    local,
    working_days_after,
    working_days_before,
)

EW, SCOT, NI = "england-and-wales", "scotland", "northern-ireland"


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        # Christmas 2027 falls on a Saturday and Boxing Day on a Sunday: both are substituted
        (date(2027, 12, 27), EW, False),
        (date(2027, 12, 28), EW, False),
        (date(2027, 12, 29), EW, True),
        # Boxing Day 2026 is a Saturday: Monday 28th is the substitute everywhere
        (date(2026, 12, 28), SCOT, False),
        (date(2026, 12, 28), NI, False),
        # Easter Monday is a bank holiday in England, Wales and Northern Ireland, not Scotland
        (date(2026, 4, 6), EW, False),
        (date(2026, 4, 6), NI, False),
        (date(2026, 4, 6), SCOT, True),
        # St Andrew's Day (Monday 30 November 2026) only in Scotland
        (date(2026, 11, 30), SCOT, False),
        (date(2026, 11, 30), EW, True),
        # 2 January in Scotland
        (date(2026, 1, 2), SCOT, False),
        (date(2026, 1, 2), EW, True),
        # St Patrick's Day and the Battle of the Boyne (12 July 2027 is a Monday) in NI only
        (date(2027, 3, 17), NI, False),
        (date(2027, 3, 17), EW, True),
        (date(2027, 7, 12), NI, False),
        (date(2027, 7, 12), EW, True),
        # 12 July 2026 is a Sunday: Monday 13th is the substitute in NI
        (date(2026, 7, 13), NI, False),
        # Scotland's summer bank holiday is the first Monday of August, England's the last
        (date(2026, 8, 3), SCOT, False),
        (date(2026, 8, 3), EW, True),
        (date(2026, 8, 31), EW, False),
        (date(2026, 8, 31), SCOT, True),
        # weekends never
        (date(2026, 11, 21), EW, False),
        (date(2026, 11, 22), SCOT, False),
        (date(2026, 11, 23), NI, True),
    ],
)
def test_working_days_by_nation(day: date, nation: str, working: bool) -> None:
    assert is_working_day(day, nation) is working


def test_cutoff_counts_back_over_weekends():
    # A meeting on Tuesday 1 December 2026, 8 working days' cut-off, 5 days' circulation
    assert working_days_before(date(2026, 12, 1), 8, EW) == date(2026, 11, 19)
    assert working_days_before(date(2026, 12, 1), 5, EW) == date(2026, 11, 24)


def test_cutoff_skips_st_andrews_day_in_scotland_only():
    assert working_days_before(date(2026, 12, 1), 1, EW) == date(2026, 11, 30)
    assert working_days_before(date(2026, 12, 1), 1, SCOT) == date(2026, 11, 27)
    assert working_days_before(date(2026, 12, 1), 8, SCOT) == date(2026, 11, 18)


def test_counting_back_over_easter_differs_between_nations():
    # Wednesday 8 April 2026: Good Friday (3rd) everywhere, Easter Monday (6th) not in Scotland
    assert working_days_before(date(2026, 4, 8), 3, EW) == date(2026, 4, 1)
    assert working_days_before(date(2026, 4, 8), 3, SCOT) == date(2026, 4, 2)


def test_minutes_due_over_christmas():
    # A meeting on Tuesday 22 December 2026: 3 working days later skips Christmas and the
    # Boxing Day substitute
    assert working_days_after(date(2026, 12, 22), 3, EW) == date(2026, 12, 29)
    assert working_days_after(date(2027, 3, 16), 3, NI) == date(2027, 3, 22)
    assert working_days_after(date(2026, 12, 1), 0, EW) == date(2026, 12, 1)


def test_unknown_nation_and_negative_counts_are_errors():
    with pytest.raises(ValueError, match="unknown nation"):
        is_working_day(date(2026, 12, 1), "wales-only")
    with pytest.raises(ValueError):
        working_days_before(date(2026, 12, 1), -1, EW)


def test_uk_wall_clock_follows_summer_time():
    assert at_local(date(2026, 7, 7), time(10)) == datetime(2026, 7, 7, 9, tzinfo=UTC)
    assert at_local(date(2026, 12, 1), time(10)) == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert local(datetime(2026, 7, 7, 9, tzinfo=UTC)).strftime("%H:%M") == "10:00"
