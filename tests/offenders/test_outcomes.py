"""Outcome measures on fixed, hand-worked data: the 12-month windows' edges, custody,
classification counts and moves, pathway shares, and a null reduction."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casework.offenders.models import (
    Classification,
    CustodyPeriod,
    Nominal,
    OffenderEvent,
    PathwayNeed,
)
from casework.offenders.outcomes import (
    Scope,
    cohort_figures,
    contract_view,
    nominal_outcomes,
    spell_outcomes,
    year_after,
    year_before,
)
from casework.services import Services
from tests.offenders.conftest import World

TODAY = date(2026, 11, 23)
D = date.fromisoformat


def person(world: World, n: int, entry: str, panel: str = "ppo", **kw: Any) -> Nominal:
    return world.nominal(
        panel,
        first_name=f"Person{chr(65 + n)}",
        last_name=f"Surname{chr(65 + n)}",
        pnc_id=f"09/{100000 + n}X",
        entry_date=entry,
        **kw,
    )


def offences(svc: Services, nominal: Nominal, *days: str, kind: str = "offence") -> None:
    for day in days:
        svc.session.add(
            OffenderEvent(
                nominal_id=nominal.id,
                kind=kind,
                event_date=D(day),
                category="burglary" if kind == "offence" else None,
                outcome="arrest" if kind == "offence" else None,
            )
        )
    svc.session.commit()


def classify(svc: Services, world: World, nominal: Nominal, *steps: tuple[str, str]) -> None:
    for value, day in steps:
        row = Classification(
            nominal_id=nominal.id,
            panel_id=world.panels["ppo"].id,
            classification=value,
            decided_on=D(day),
        )
        row.reason = "Reviewed"
        svc.session.add(row)
        svc.session.commit()


@pytest.fixture()
def cohort(svc: Services, world: World) -> dict[str, Nominal]:
    a = person(world, 0, "2025-03-01")
    offences(
        svc,
        a,
        "2024-02-29",  # a day before the before-window: not counted
        "2024-03-01",  # first day of [entry - 12 months, entry)
        "2024-06-01",
        "2024-09-01",
        "2025-02-28",  # last day before entry
        "2025-03-01",  # the entry day is "after"
        "2025-06-10",  # inside custody: not counted after
        "2025-07-01",  # the day after custody ended
        "2026-02-28",  # last day of [entry, entry + 12 months)
        "2026-03-01",  # first day after the window: not counted
    )
    offences(svc, a, "2025-04-01", kind="intelligence")  # not an offence
    svc.session.add(
        CustodyPeriod(nominal_id=a.id, start_date=D("2025-06-01"), end_date=D("2025-06-30"))
    )
    b = person(world, 1, "2025-06-15")
    offences(svc, b, "2025-01-01", "2025-08-01")
    c = person(world, 2, "2025-12-01")  # in the period, not yet followed for 12 months
    offences(svc, c, "2025-11-01", "2025-12-02")
    f = person(world, 5, "2025-11-23")  # exactly 12 months before TODAY: followed up
    e = person(world, 4, "2023-01-01")  # left before the period
    world.svc.session.get(Nominal, e.id).memberships[0].exit_date = D("2024-12-31")
    iom = person(world, 3, "2025-03-01", panel="iom")  # another panel's cohort
    offences(svc, iom, "2024-05-05", "2025-05-05")
    classify(svc, world, a, ("cc", "2025-03-01"), ("rr", "2025-05-01"))
    classify(svc, world, b, ("rr", "2025-06-15"), ("cc", "2026-01-05"))
    classify(svc, world, f, ("rr", "2025-11-23"))
    svc.session.add_all(
        [
            PathwayNeed(nominal_id=a.id, pathway="drugs_alcohol", achieved=True),
            PathwayNeed(
                nominal_id=b.id,
                pathway="accommodation",
                achieved=True,
                start_date=D("2024-01-01"),
                end_date=D("2024-12-01"),
            ),
            PathwayNeed(
                nominal_id=c.id,
                pathway="education_training_employment",
                achieved=True,
                start_date=D("2025-12-05"),
            ),
            PathwayNeed(nominal_id=f.id, pathway="health", achieved=True),
        ]
    )
    svc.session.commit()
    return {"a": a, "b": b, "c": c, "e": e, "f": f, "iom": iom}


def _scope(world: World, start: str = "2025-01-01", end: str = "2025-12-31") -> Scope:
    return Scope((world.panels["ppo"].id,), D(start), D(end), TODAY)


def test_cohort_figures_are_counted_by_hand(svc: Services, world: World, cohort) -> None:
    figures = cohort_figures(svc.session, _scope(world))
    # A, B, C and F overlap 2025; E left in 2024; the IOM nominal is another panel's.
    assert figures["nominals"] == 4
    # Current classification: A rr (after cc), B cc (after rr, in 2026), F rr; C none.
    assert figures["classification"] == {"rr": 2, "cc": 1}
    # A and B entered in 2025 with 12 months behind them; F's twelfth month ends today.
    assert figures["followed_up"] == 3
    # Before: A 4 (2024-03-01, 06-01, 09-01, 2025-02-28) + B 1 (2025-01-01).
    assert figures["offences_before"] == 5
    # After: A 3 (2025-03-01, 07-01, 2026-02-28; 06-10 was in custody) + B 1 (2025-08-01).
    assert figures["offences_after"] == 4
    assert figures["reduction_rate"] == pytest.approx(0.2)
    # Only A's move (cc -> rr on 2025-05-01) is dated in the period.
    assert figures["movements"] == {"rr_to_cc": 0, "cc_to_rr": 1}
    assert figures["pathways"]["drugs_alcohol"] == {"count": 1, "share": 0.25}
    assert figures["pathways"]["accommodation"] == {"count": 0, "share": 0.0}
    assert figures["pathways"]["education_training_employment"] == {"count": 1, "share": 0.25}
    assert list(contract_view(figures)) == [
        "nominals",
        "classification",
        "followed_up",
        "offences_before",
        "offences_after",
        "reduction_rate",
    ]


def test_the_reduction_is_null_when_nothing_was_recorded_before(
    svc: Services, world: World, cohort
) -> None:
    figures = cohort_figures(svc.session, _scope(world, "2025-11-01", "2025-11-30"))
    assert figures["followed_up"] == 1  # F only
    assert figures["offences_before"] == 0
    assert figures["offences_after"] == 0
    assert figures["reduction_rate"] is None


def test_a_day_short_of_twelve_months_is_not_followed_up(
    svc: Services, world: World, cohort
) -> None:
    early = Scope((world.panels["ppo"].id,), D("2025-11-01"), D("2025-11-30"), D("2026-11-22"))
    assert cohort_figures(svc.session, early)["followed_up"] == 0


def test_an_empty_period_counts_nothing(svc: Services, world: World, cohort) -> None:
    figures = cohort_figures(svc.session, _scope(world, "2020-01-01", "2020-12-31"))
    assert contract_view(figures) == {
        "nominals": 0,
        "classification": {"rr": 0, "cc": 0},
        "followed_up": 0,
        "offences_before": 0,
        "offences_after": 0,
        "reduction_rate": None,
    }
    assert figures["pathways"]["drugs_alcohol"]["share"] is None


def test_one_nominal_shows_custody_apart_and_days_at_liberty(
    svc: Services, world: World, cohort
) -> None:
    (spell,) = spell_outcomes(svc.session, cohort["a"].id, TODAY)
    assert spell["offences_before"] == 4
    assert spell["offences_after"] == 3
    assert spell["offences_in_custody"] == 1
    assert spell["before_from"] == D("2024-03-01")
    assert spell["after_to"] == D("2026-02-28")
    assert spell["complete"] is True
    # 365 days from 1 March 2025 to 28 February 2026, less 30 days in custody in June.
    assert spell["days_elapsed"] == 365
    assert spell["days_at_liberty"] == 335
    assert spell["reduction_rate"] == pytest.approx(0.25)


def test_an_unfinished_window_counts_days_so_far(svc: Services, world: World, cohort) -> None:
    (spell,) = spell_outcomes(svc.session, cohort["c"].id, D("2025-12-10"))
    assert spell["complete"] is False
    assert spell["days_elapsed"] == 10  # 1 to 10 December
    assert spell["offences_before"] == 1
    assert spell["offences_after"] == 1


def test_an_open_custody_period_excludes_everything_after_its_start(
    svc: Services, world: World
) -> None:
    n = person(world, 7, "2025-01-10")
    offences(svc, n, "2025-02-01", "2025-05-02", "2025-09-09")
    svc.session.add(CustodyPeriod(nominal_id=n.id, start_date=D("2025-05-01"), end_date=None))
    svc.session.commit()
    (spell,) = spell_outcomes(svc.session, n.id, D("2025-05-10"))
    assert (spell["offences_after"], spell["offences_in_custody"]) == (1, 2)
    assert spell["days_elapsed"] == 121  # 10 January to 10 May
    assert spell["days_at_liberty"] == 111  # less 1 to 10 May


def test_29_february_windows_run_from_1_march_to_28_february(svc: Services, world: World) -> None:
    assert year_before(D("2024-02-29")) == D("2023-03-01")
    assert year_after(D("2024-02-29")) == D("2025-03-01")
    n = person(world, 8, "2024-02-29")
    offences(svc, n, "2023-02-28", "2023-03-01", "2025-02-28", "2025-03-01")
    (spell,) = spell_outcomes(svc.session, n.id, TODAY)
    assert (spell["offences_before"], spell["offences_after"]) == (1, 1)
    figures = cohort_figures(
        svc.session, Scope((world.panels["ppo"].id,), D("2024-02-01"), D("2024-03-31"), TODAY)
    )
    assert (figures["offences_before"], figures["offences_after"]) == (1, 1)


def test_the_nominal_page_needs_offending_and_cohort_granted(
    svc: Services, world: World, cohort
) -> None:
    seen = nominal_outcomes(svc, world.actor("housing"), cohort["a"].id, TODAY)
    assert seen["granted"] is True
    assert seen["name"] == "PersonA SurnameA"
    assert seen["spells"][0]["offences_after"] == 3
    assert seen["pathways"]["drugs_alcohol"] is True
    young = world.nominal("pd")
    hidden = nominal_outcomes(svc, world.actor("yot"), young.id, TODAY)
    assert hidden["granted"] is True  # youth offending sees a young person's offending
    from casework.errors import NotVisible

    with pytest.raises(NotVisible):
        nominal_outcomes(svc, world.actor("housing"), young.id, TODAY)
    with pytest.raises(NotVisible):
        nominal_outcomes(svc, world.actor("outsider"), cohort["a"].id, TODAY)
