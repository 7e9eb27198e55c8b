"""The statutory due date: one calendar month after the day received (ICO guidance)."""

from __future__ import annotations

from datetime import date

import pytest

from casework.subject_access.defaults import due_date, proposed


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2027, 1, 31), date(2027, 2, 28)),  # February is shorter: its last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 12, 31), date(2027, 1, 31)),  # across the year end
        (date(2026, 8, 31), date(2026, 9, 30)),
    ],
)
def test_the_response_is_due_one_calendar_month_after_receipt(received: date, due: date) -> None:
    assert due_date(received) == due


def test_a_perpetrator_named_in_a_record_is_withheld_whoever_asks() -> None:
    # A victim who is named as a perpetrator in another referral: s.45(4) still applies there
    assert proposed("victim", "perpetrator", "referral", "own_details")[0] == "withhold"
    assert proposed("perpetrator", "nominal", "nominal", "own_details") == ("release", "")
    assert proposed("other", "child", "referral", "risk")[0] == "redact"
