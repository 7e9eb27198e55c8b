"""Retention of offender panel nominals and ASB cases: what is due is listed (a nominal still in
a cohort, an open case, a case with a recent incident and a held record are not), erasure
leaves the cohort and ASB figures of the period as they were, takes subject access copies
with it, and leaves nothing of the record in the database file or a dump."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Table, select

from casework import clock
from casework.asb.models import AsbCase, AsbIncident, AsbIntervention
from casework.crypto import Sealed
from casework.db import Base
from casework.offenders.models import Nominal, OffenderEvent
from casework.offenders.outcomes import Scope, cohort_figures
from casework.offenders.targeting import ranked
from casework.retention import actions as retention
from casework.retention.models import RetentionDue
from casework.scheduler.jobs import review_retention
from casework.search.models import SearchToken
from casework.services import Services
from casework.stats.asb import AsbScope, asb_figures
from casework.subject_access.models import SubjectAccessItem
from tests.conftest import Factory, sign_in
from tests.retention_cases_world import (
    ASB_TEXTS,
    ASB_VICTIM,
    NOMINAL,
    NOMINAL_TEXTS,
    OLD,
    AsbCases,
    NominalWorld,
    build_asb,
    build_nominals,
)
from tests.test_retention import _dump

pytestmark = pytest.mark.dates


@pytest.fixture()
def nominals(svc: Services, factory: Factory) -> NominalWorld:
    return build_nominals(svc, factory)


@pytest.fixture()
def asb(svc: Services, factory: Factory) -> AsbCases:
    return build_asb(svc, factory)


def _listed(svc: Services, dpo: Any) -> set:
    now = clock.now()
    review_retention(svc, now, now)
    svc.session.commit()
    view = retention.review(svc, dpo)
    svc.session.commit()
    return {item.record_id for item in view.items}


def _erase(svc: Services, dpo: Any, record_id: Any) -> None:
    _listed(svc, dpo)
    due = svc.session.scalar(select(RetentionDue.id).where(RetentionDue.record_id == record_id))
    retention.erase(svc, dpo, {"records": [str(due)], "reason": "Period ended", "confirm": True})
    svc.session.commit()


def _stored(svc: Services, rows: dict[str, Any], record_id: Any) -> tuple[set, set]:
    """Every sealed value and blind index stored in the rows ``rows`` selects per table (the
    record's) and everywhere else, with search tokens and subject access copies."""
    mine: set[bytes] = set()
    others: set[bytes] = set()
    for table in Base.metadata.sorted_tables:
        personal = [
            c.name for c in table.columns if isinstance(c.type, Sealed) or c.name.endswith("_ix")
        ]
        where = rows.get(table.name, lambda t: None)(table)
        if table.name == "subject_access_items":
            where = table.c.source_key.contains(str(record_id))
        if table.name == "search_tokens":
            personal, where = ["token"], table.c.record_id == record_id
        for name in personal if where is not None else ():
            for cond, found in ((where, mine), (~where, others)):
                stmt = select(table.c[name]).where(table.c[name].is_not(None), cond)
                for value in svc.session.scalars(stmt):
                    found.add(value if isinstance(value, bytes) else value.encode())
    return mine, others


def _scan(svc: Services, database_url: str, stored: tuple[set, set], words: list[str]) -> None:
    mine, others = stored
    only_mine = mine - others
    assert len(only_mine) > 8  # the record was there to find
    for name, blob in _dump(database_url).items():
        for value in only_mine:
            assert value not in blob, f"a stored value of the erased record is still in {name}"
        for word in words:
            assert word.encode() not in blob, f"{word} is still in {name}"


def _nominal_rows(nominal_id: Any) -> dict[str, Any]:
    rows: dict[str, Any] = {"nominals": lambda t: t.c.id == nominal_id}
    for table in Base.metadata.sorted_tables:
        if "nominal_id" in table.c:
            rows[table.name] = lambda t: t.c.nominal_id == nominal_id
    return rows


def _cohort(svc: Services, n: NominalWorld) -> dict:
    scope = Scope(
        (n.w.panels["ppo"].id,), OLD - timedelta(days=30), OLD + timedelta(days=30), clock.today()
    )
    return cohort_figures(svc.session, scope)


def test_a_nominal_is_due_six_years_after_leaving_the_last_cohort(
    svc: Services, nominals: NominalWorld, client: FlaskClient
) -> None:
    n, dpo = nominals, nominals.w.dpo
    listed = _listed(svc, dpo)
    assert n.erased.id in listed
    assert n.in_cohort.id not in listed and n.recent.id not in listed
    sign_in(client, "dpo@csp.example")
    page = client.get("/retention").text
    assert f"Nominal {n.erased.id}" in page and NOMINAL["last_name"] not in page
    # A hold by the nominal's record id takes them off the list; lifting puts them back
    hold = retention.place_hold(svc, dpo, {"reference": str(n.erased.id), "reason": "Inquiry"})
    svc.session.commit()
    assert n.erased.id not in _listed(svc, dpo)
    retention.lift_hold(svc, dpo, hold.id)
    svc.session.commit()
    assert n.erased.id in _listed(svc, dpo)


def test_erasing_a_nominal_keeps_the_cohort_figures_and_leaves_nothing_on_disk(
    svc: Services, nominals: NominalWorld, database_url: str
) -> None:
    n = nominals
    before = _cohort(svc, n)
    assert before["nominals"] == 3 and before["offences_before"] == 6
    assert before["classification"]["cc"] == 1 and before["pathways"]["accommodation"]["count"]
    stored = _stored(svc, _nominal_rows(n.erased.id), n.erased.id)
    copy = n.disclosure.id
    _erase(svc, n.w.dpo, n.erased.id)
    assert _cohort(svc, n) == before
    tomb = svc.session.get(Nominal, n.erased.id)
    assert tomb.erased and tomb.last_name is None and tomb.pnc_ix is None
    assert not svc.sharing.may(svc.session, n.w.actor("coordinator"), "view", tomb)
    assert svc.sharing.may(svc.session, n.w.actor("coordinator"), "view", n.in_cohort)
    assert svc.session.get(SubjectAccessItem, copy) is None
    assert not svc.session.scalars(
        select(SearchToken).where(SearchToken.record_id == n.erased.id)
    ).all()
    _scan(svc, database_url, stored, [*NOMINAL.values(), *NOMINAL_TEXTS])


def _asb_rows(case_id: Any) -> dict[str, Any]:
    interventions = select(AsbIntervention.id).where(AsbIntervention.case_id == case_id)
    rows: dict[str, Any] = {
        "asb_cases": lambda t: t.c.id == case_id,
        "asb_breaches": lambda t: t.c.intervention_id.in_(interventions),
    }
    for table in Base.metadata.sorted_tables:
        if "case_type" in table.c:
            rows[table.name] = lambda t: (t.c.case_type == "asb_case") & (t.c.case_id == case_id)
        elif table.name.startswith(("asb_", "community_")) and "case_id" in table.c:
            rows[table.name] = _by_case(case_id)
    return rows


def _by_case(case_id: Any) -> Any:
    def where(table: Table) -> Any:
        return table.c.case_id == case_id

    return where


def _asb_figures(svc: Services, a: AsbCases) -> dict:
    scope = AsbScope(
        OLD - timedelta(days=31), OLD + timedelta(days=62), ((a.w.panel.id, a.w.panel.name),)
    )
    return asb_figures(svc.session, scope)


def test_an_asb_case_is_due_six_years_after_closing_or_its_last_incident(
    svc: Services, asb: AsbCases, client: FlaskClient
) -> None:
    listed = _listed(svc, asb.w.dpo)
    assert asb.erased.id in listed
    assert asb.open_case.id not in listed and asb.late_incident.id not in listed
    reference = asb.erased.reference
    sign_in(client, "dpo@csp.example")
    page = client.get("/retention").text
    assert f"ASB case {reference}" in page and ASB_VICTIM["victim_last_name"] not in page
    erased_id = svc.session.scalar(select(AsbCase.id).where(AsbCase.reference == reference))
    retention.place_hold(svc, asb.w.dpo, {"reference": reference.lower(), "reason": "Claim"})
    svc.session.commit()
    assert erased_id not in _listed(svc, asb.w.dpo)


def test_erasing_an_asb_case_keeps_the_asb_figures_and_leaves_nothing_on_disk(
    svc: Services, asb: AsbCases, database_url: str
) -> None:
    a = asb
    before = _asb_figures(svc, a)
    total = before["total"]
    assert total["cases"]["referred"] == 3 and total["community_triggers"]["received"] == 1
    assert total["interventions"]["issued"] == 1 and total["interventions"]["breaches"] == 1
    stored = _stored(svc, _asb_rows(a.erased.id), a.erased.id)
    copy = a.disclosure.id
    _erase(svc, a.w.dpo, a.erased.id)
    assert _asb_figures(svc, a) == before
    tomb = svc.session.get(AsbCase, a.erased.id)
    assert tomb.erased and tomb.victim_last_name is None and tomb.victim_ix is None
    assert not svc.session.scalars(select(AsbIncident).where(AsbIncident.case_id == tomb.id)).all()
    assert [p.first_name for p in tomb.perpetrators] == [None]  # the one acted against stays
    assert not svc.sharing.may(svc.session, a.w.actor("coordinator"), "view", tomb)
    assert svc.session.get(SubjectAccessItem, copy) is None
    _scan(svc, database_url, stored, [*ASB_VICTIM.values(), *ASB_TEXTS, "INC-CANARY-77"])


def test_an_erased_nominal_is_no_longer_a_candidate_for_any_panel(
    svc: Services, nominals: NominalWorld
) -> None:
    """Their events stay for the cohort figures, but the targeting matrix must not rank them
    again: an offence recorded in the window would otherwise put them on a draft agenda."""
    n = nominals
    today = clock.today()
    svc.session.add(
        OffenderEvent(
            nominal_id=n.erased.id,
            event_date=today - timedelta(days=10),
            category="burglary",
            outcome="charge",
        )
    )
    svc.session.commit()
    panel = n.w.panels["ppo"].id
    assert n.erased.id in {row.nominal_id for row in ranked(svc, panel, today)}
    _erase(svc, n.w.dpo, n.erased.id)
    assert n.erased.id not in {row.nominal_id for row in ranked(svc, panel, today)}
