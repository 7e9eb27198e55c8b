"""Panel cadence rules."""

from __future__ import annotations

from datetime import datetime

import pytest

from casework.panels.cadence import Cadence, CadenceError


def test_first_tuesday_monthly():
    cadence = Cadence.parse("day=1st tue; hour=10")
    assert cadence.next_after(datetime(2026, 11, 23), 3) == [
        datetime(2026, 12, 1, 10),
        datetime(2027, 1, 5, 10),
        datetime(2027, 2, 2, 10),
    ]


def test_rules_read_in_words():
    assert (
        Cadence.parse("day=1st tue; hour=10").describe() == "First Tuesday of each month at 10:00"
    )
    assert Cadence.parse("day=wed; every=2 weeks; from=2026-01-07; hour=9").describe() == (
        "Every 2 weeks on Wednesday at 09:00"
    )


def test_same_day_after_the_meeting_time_moves_on():
    cadence = Cadence.parse("day=1st tue; hour=10")
    assert cadence.next_after(datetime(2026, 12, 1, 11))[0] == datetime(2027, 1, 5, 10)


def test_last_thursday_with_minutes():
    cadence = Cadence.parse("day=last thu; hour=13; minute=30")
    assert cadence.next_after(datetime(2026, 11, 1))[0] == datetime(2026, 11, 26, 13, 30)


def test_fortnightly_from_an_anchor():
    cadence = Cadence.parse("day=wed; every=2 weeks; from=2026-01-07; hour=9")
    assert cadence.next_after(datetime(2026, 1, 8), 2) == [
        datetime(2026, 1, 21, 9),
        datetime(2026, 2, 4, 9),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "day=9th tue",
        "day=funday",
        "day=tue; hour=25",
        "day=tue; colour=red",
        "day=wed; every=2 weeks",
        "day=wed; from=2026-01-08",
        "day=1st tue; every=2 weeks",
    ],
)
def test_bad_rules_are_refused(text):
    with pytest.raises(CadenceError):
        Cadence.parse(text)
