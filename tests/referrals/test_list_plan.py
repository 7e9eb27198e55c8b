"""A panel's month as a list is filtered and sorted on one covering index, whoever asks.

A month of a busy panel is filtered by sharing and sorted before it is cut to a page. Reading
the wide rows (about 3 KB of ciphertexts each) or running a subquery per row to do so made a
month of 28,000 referrals take 107 ms for an agency that sees none of it (bench_http
--million). SQLite's plan is checked: it is the embedded default, and its planner keeps to what
the statement allows; PostgreSQL chooses by its statistics.
"""

from __future__ import annotations

from datetime import date

import pytest

from casework.accounts.auth import actor_for
from casework.referrals.actions import list_statement
from casework.services import Services
from tests.conftest import Factory

MONTH = {"status": None, "from_": date(2027, 1, 1), "to": date(2027, 1, 31)}


@pytest.mark.parametrize("email,agency", [("pc@example.org", "POL"), ("ho@example.org", "HOU")])
def test_the_month_is_filtered_and_sorted_on_the_list_index_alone(
    svc: Services, factory: Factory, email: str, agency: str
) -> None:
    if not svc.db.is_sqlite:
        pytest.skip("SQLite's query plan: PostgreSQL plans by its statistics")
    actor = actor_for(factory.user(email, agency=agency))
    if agency != "POL":
        factory.agency("POL")
    panel = factory.panel(("POL",))  # the police are its members; housing is not
    stmt = list_statement(svc, actor, {**MONTH, "panel_id": panel.id}).limit(51)
    plan = _plan(svc, stmt)
    referrals = [step for step in plan if "referrals" in step.split(" USING")[0]]
    assert referrals == [
        "SEARCH referrals USING COVERING INDEX ix_referrals_list "
        "(panel_id=? AND referral_date>? AND referral_date<?)"
    ], plan
    # per row, only the panel's protocol is looked up (by primary key): no subquery per row of
    # the agenda, the attendance or the membership
    per_row = [plan[n + 1] for n, step in enumerate(plan) if step.startswith("CORRELATED")]
    assert all(step.startswith("SEARCH panels USING") for step in per_row), plan


def _plan(svc: Services, stmt) -> list[str]:
    sql = str(stmt.compile(svc.db.engine, compile_kwargs={"literal_binds": True}))
    rows = svc.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
    return [str(row[-1]) for row in rows]
