"""The statutory due date: one calendar month after the day received (ICO guidance)."""

from __future__ import annotations

from datetime import date

import pytest

from casework.accounts.auth import actor_for
from casework.services import Services
from casework.settings import ConfigError, load_settings
from casework.subject_access.actions import open_request
from casework.subject_access.defaults import due_date, proposed
from tests.conftest import Factory


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # February is shorter: its last day (leap year)
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2027, 1, 31), date(2027, 3, 1)),  # 28 February 2027 is a Sunday: the Monday
        (date(2026, 12, 31), date(2027, 2, 1)),  # across the year end, 31 January a Sunday
        # Christmas Day, then a weekend, then Boxing Day's substitute on the Monday
        (date(2026, 11, 25), date(2026, 12, 29)),
    ],
)
def test_the_response_is_due_one_calendar_month_after_receipt_on_a_working_day(
    received: date, due: date
) -> None:
    assert due_date(received) == due


def test_the_controllers_nation_says_which_bank_holidays_count() -> None:
    # 2 January is a bank holiday in Scotland only
    assert due_date(date(2024, 12, 2)) == date(2025, 1, 2)
    assert due_date(date(2024, 12, 2), "scotland") == date(2025, 1, 3)


def test_a_request_opened_is_due_by_the_configured_nations_calendar(
    svc: Services, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(svc.settings, "SUBJECT_ACCESS_NATION", "scotland")
    dpo = actor_for(factory.user("dpo@council.example", roles=("dpo",)))
    body = {"requester_type": "victim", "reference": "SAR-1", "received_on": "2024-12-02"}
    assert open_request(svc, dpo, body).due_on == date(2025, 1, 3)


def test_an_unknown_nation_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="SUBJECT_ACCESS_NATION"):
        load_settings({"ENV": "testing", "SUBJECT_ACCESS_NATION": "wales"})


def test_a_perpetrator_named_in_a_record_is_withheld_whoever_asks() -> None:
    # A victim who is named as a perpetrator in another referral: s.45(4) still applies there
    assert proposed("victim", "perpetrator", "referral", "own_details")[0] == "withhold"
    assert proposed("perpetrator", "nominal", "nominal", "own_details") == ("release", "")
    assert proposed("other", "child", "referral", "risk")[0] == "redact"
