"""The demo partnership has a year behind it: on first start the analyst's dashboard and the
SafeLives quarterly return show figures, the year was made through the real actions (the audit
chain verifies), and the diary still holds the meetings ahead.

Figures are checked for being there and agreeing with each other, not against numbers: the
history is laid out relative to the service's today, whatever day the suite runs on.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.audit.chain import verify
from casework.audit.models import AuditEntry
from casework.demo import load_demo
from casework.demo_cases import demo_actor
from casework.meetings.models import CaseAction, Meeting
from casework.meetings.tracking import my_actions
from casework.panels.models import Panel
from casework.referrals.models import PossibleMatch, Referral
from casework.stats.actions import marac_stats, quarterly_return
from casework.web.stats_filters import period_dates


@pytest.fixture()
def demo(svc):
    assert load_demo(svc) is not None
    svc.session.commit()
    return svc


def _dashboard(svc):
    """What the analyst's first screen asks for: the last 12 months, and the last complete
    quarter's SafeLives return (``casework.web.stats``)."""
    analyst = demo_actor(svc, "analyst@csp.demo")
    start, end = period_dates("last_12_months", clock.today())
    _, figures = marac_stats(svc, analyst, {"from": start.isoformat(), "to": end.isoformat()})
    first, _ = period_dates("last_quarter", clock.today())
    quarter = {"year": first.year, "quarter": (first.month - 1) // 3 + 1}
    _, rows = quarterly_return(svc, analyst, quarter)
    return figures, rows


def test_the_dashboard_and_the_quarterly_return_have_a_year_of_figures(demo):
    figures, rows = _dashboard(demo)
    referrals, heard = figures["referrals"], figures["heard"]
    assert heard["meetings"] >= 10 and heard["cases"] >= 5 * heard["meetings"]
    assert 0 < heard["repeat"] < heard["cases"]
    assert 0 < referrals["repeat"] < referrals["total"]
    assert referrals["police"] + referrals["non_police"] == referrals["total"]
    assert 0 < referrals["non_police"] < referrals["police"]  # police refer most, not all
    assert 0.15 < referrals["repeat_rate"] < 0.4 and 0.25 < referrals["non_police_rate"] < 0.5
    assert set(referrals["by_agency"]) >= {"POL", "IDVA", "HEALTH", "CSC"}
    assert referrals["children"] > 0 and referrals["victims"]["bme"] > 0

    assert len(rows) >= 2, "a quarter holds about three monthly meetings"
    for row in rows:
        assert 5 <= row["cases"] <= 10
        assert row["repeat"] <= row["cases"]
        assert row["police_referrals"] + row["non_police_referrals"] == row["cases"]
        assert sum(row["referrals_by_agency"].values()) == row["cases"]


def test_the_year_was_made_through_the_actions_and_leaves_work_for_today(demo):
    svc = demo
    assert verify(svc).ok
    today = clock.today()
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    meetings = list(svc.session.scalars(select(Meeting).where(Meeting.panel_id == panel.id)))
    past = [m for m in meetings if m.starts_at <= clock.now()]
    assert past and all(m.status in ("closed", "cancelled") for m in past)
    assert min(m.starts_at for m in past) < clock.now() - timedelta(days=300)
    ahead = [m for m in meetings if m.starts_at > clock.now() and m.status == "scheduled"]
    assert len(ahead) >= 3 and all(m.agenda_status == "none" for m in ahead)

    statuses = dict(
        svc.session.execute(
            select(CaseAction.status, func.count()).group_by(CaseAction.status)
        ).all()
    )
    assert statuses["done"] > statuses["not_done"] > 0
    reasons = set(svc.session.scalars(select(CaseAction.not_done_reason).distinct()))
    assert {"circumstances_changed", "agency_did_not_act"} <= reasons
    overdue = select(func.count()).where(CaseAction.status == "open", CaseAction.due_on < today)
    assert svc.session.scalar(overdue) > 0

    # IDVA transfers: some cases given to one IDVA and later to the other
    updates = select(AuditEntry.record_id, AuditEntry.fields).where(
        AuditEntry.record_type == "referral", AuditEntry.action == "update"
    )
    given = Counter(
        rid for rid, fields in svc.session.execute(updates) if "assigned_idva" in fields
    )
    assert any(n >= 2 for n in given.values())

    # what the journeys start from: referrals waiting, no match to review, housing's list clear
    waiting = select(func.count()).where(Referral.status == "submitted")
    assert svc.session.scalar(waiting) == 4
    assert svc.session.scalar(select(func.count()).select_from(PossibleMatch)) == 0
    assert my_actions(svc, demo_actor(svc, "rep@housing.demo")) == []


def test_without_history_the_partnership_starts_today(svc):
    assert load_demo(svc, history=False) is not None
    svc.session.commit()
    assert svc.session.scalar(select(func.count()).select_from(CaseAction)) == 0
    held = select(func.count()).where(Meeting.status != "scheduled")
    assert svc.session.scalar(held) == 0
    assert svc.session.scalar(select(func.count()).select_from(Referral)) == 5
    analyst = demo_actor(svc, "analyst@csp.demo")
    iom = svc.session.scalar(select(Panel).where(Panel.kind == "iom"))
    assert iom is not None and iom.name == "Northshire IOM"
    _, figures = marac_stats(
        svc,
        analyst,
        {"from": (clock.today() - timedelta(days=365)).isoformat(), "to": "2100-01-01"},
    )
    assert figures["heard"]["cases"] == 0


def test_the_demo_has_an_asb_panel_whose_cases_members_see(svc):
    """An ASB panel with a high-risk repeat victim whose Community Trigger is under review, a
    warning letter that was breached, and a new case; housing (on the panel) sees them, the
    youth offending service (not on it) sees none."""
    from casework.asb.cases import list_cases

    assert load_demo(svc, history=False) is not None
    svc.session.commit()
    housing = list_cases(svc, demo_actor(svc, "rep@housing.demo"), {})
    assert len(housing) == 3
    by_band = Counter(c["risk"]["band"] for c in housing)
    assert by_band == Counter({"high": 1, "medium": 1, "standard": 1})
    high = next(c for c in housing if c["risk"]["band"] == "high")
    assert high["repeat_victim"] is True
    assert [t["status"] for t in high["community_triggers"]] == ["review"]
    medium = next(c for c in housing if c["risk"]["band"] == "medium")
    [letter] = medium["interventions"]
    assert letter["kind"] == "warning_letter" and len(letter["breaches"]) == 1
    assert list_cases(svc, demo_actor(svc, "rep@yos.demo"), {}) == []
    assert verify(svc).ok
