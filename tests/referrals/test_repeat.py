"""The SafeLives repeat rule, exactly as DOMAIN.md states it, and identity matching."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casework.referrals.models import PossibleMatch, Referral
from casework.referrals.repeat import minus_months
from casework.services import Services
from tests.conftest import Factory


@pytest.fixture()
def ctx(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    other_panel = factory.panel(("POL",), name="Second MARAC")
    user = factory.user("idva@pol.example", "POL", ("idva",))
    return {"factory": factory, "panel": panel, "other": other_panel, "user": user}


def refer(ctx: dict, day: str, panel: Any = None, **changes: Any) -> Referral:
    return ctx["factory"].referral(ctx["user"], panel or ctx["panel"], referral_date=day, **changes)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 2), 12, date(2025, 11, 2)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 2, date(2025, 11, 15)),
    ],
)
def test_calendar_months(day: date, months: int, expected: date) -> None:
    assert minus_months(day, months) == expected


def test_within_twelve_months_is_a_repeat(ctx: dict) -> None:
    refer(ctx, "2026-03-01")
    second = refer(ctx, "2026-11-02")
    assert second.crit_repeat and second.previous_referral_date == date(2026, 3, 1)


def test_exactly_twelve_calendar_months_is_still_a_repeat(ctx: dict) -> None:
    refer(ctx, "2025-11-02")
    assert refer(ctx, "2026-11-02").crit_repeat


def test_a_day_past_twelve_months_is_a_new_case(ctx: dict) -> None:
    refer(ctx, "2025-11-01")
    second = refer(ctx, "2026-11-02")
    assert not second.crit_repeat and second.previous_referral_date is None


def test_the_clock_restarts_at_every_referral(ctx: dict) -> None:
    refer(ctx, "2024-06-01")
    refer(ctx, "2025-05-01")  # repeat of the first
    third = refer(ctx, "2026-04-15")  # 22 months after the first, 11.5 after the second
    assert third.crit_repeat and third.previous_referral_date == date(2025, 5, 1)


def test_repeats_count_across_panels(ctx: dict) -> None:
    refer(ctx, "2026-03-01", panel=ctx["other"])
    assert refer(ctx, "2026-11-02").crit_repeat


def test_a_different_perpetrator_is_not_a_repeat(ctx: dict) -> None:
    refer(ctx, "2026-03-01")
    other = [{"first_name": "Max", "last_name": "Payne", "date_of_birth": "1980-01-01"}]
    assert not refer(ctx, "2026-11-02", perpetrators=other).crit_repeat


def test_one_perpetrator_in_common_is_enough(ctx: dict) -> None:
    refer(ctx, "2026-03-01")
    both = [
        {"first_name": "Max", "last_name": "Payne"},
        {"first_name": "john", "last_name": "ROE", "date_of_birth": "1988-01-01"},
    ]
    assert refer(ctx, "2026-11-02", perpetrators=both).crit_repeat


def test_victim_only_matching_is_a_configuration_switch(ctx: dict, svc: Services) -> None:
    refer(ctx, "2026-03-01")
    other = [{"first_name": "Max", "last_name": "Payne"}]
    svc.settings["REPEAT_VICTIM_ONLY"] = True  # type: ignore[index]
    try:
        assert refer(ctx, "2026-11-02", perpetrators=other).crit_repeat
    finally:
        svc.settings["REPEAT_VICTIM_ONLY"] = False  # type: ignore[index]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("JANE", "doe"),
        ("  Jane ", "Doe  "),
        ("Jane", "D'oe"),
        ("Jane", "D\u2019oe"),
        ("Jane", "Do-e"),
        ("Jáne", "Döe"),
    ],
)
def test_names_typed_differently_match(ctx: dict, first: str, last: str) -> None:
    refer(ctx, "2026-03-01")
    assert refer(ctx, "2026-11-02", victim__first_name=first, victim__last_name=last).crit_repeat


def test_a_withdrawn_referral_does_not_count(ctx: dict, svc: Services) -> None:
    first = refer(ctx, "2026-03-01")
    svc.session.execute(
        Referral.__table__.update().where(Referral.id == first.id).values(status="withdrawn")
    )
    svc.session.commit()
    assert not refer(ctx, "2026-11-02").crit_repeat


def test_a_different_first_name_goes_to_review_not_the_flag(ctx: dict, svc: Services) -> None:
    first = refer(ctx, "2026-03-01")
    second = refer(ctx, "2026-11-02", victim__first_name="Janet")
    assert not second.crit_repeat
    match = svc.session.query(PossibleMatch).one()
    assert (match.referral_id, match.other_referral_id) == (second.id, first.id)
    assert match.reason == "different_first_name" and match.status == "pending"


def test_day_and_month_swapped_goes_to_review(ctx: dict, svc: Services) -> None:
    refer(ctx, "2026-03-01")
    second = refer(ctx, "2026-11-02", victim__date_of_birth="1990-01-04")
    assert not second.crit_repeat
    assert svc.session.query(PossibleMatch).one().reason == "day_month_swapped"


def test_a_repeat_is_heard_whatever_its_score(ctx: dict) -> None:
    from tests.referral_data import dash

    refer(ctx, "2026-03-01")
    low = refer(ctx, "2026-11-02", risk__dash=dash(3), risk__police_incidents_12m=0)
    assert low.criteria == ["repeat"]
