"""Offending outcomes per nominal and per cohort (DOMAIN.md, Measures; CONTRACT.md, Statistics).

**Windows.** For a spell entered on date E, *before* is [E − 12 months, E) and *after* is
[E, E + 12 months): the same day and month a year earlier or later (for 29 February, the
window runs to 28 February and starts on 1 March). In SQL a date is compared as the integer
``year * 10000 + month * 100 + day`` (``day_key``), so "a year later" is ``+ 10000`` on both
SQLite and PostgreSQL with no dialect date arithmetic; ``year_after`` is the same rule in
Python, used only for what pages print.

**Custody.** Time in custody is excluded from the *after* window where it is known: an
offence dated on or between a custody period's start and end (an open period: from its start
on) is not counted after entry, and the per-nominal page shows the days at liberty (days of
the after window so far, less the days in custody). The *before* window is counted as
recorded. The statistics API counts by the same rule as the pages, so they never disagree.

**Cohort figures** (``cohort_figures``; the API answers the contract's subset):
``nominals`` the distinct nominals with a spell on the panel(s) overlapping [from, to];
``classification`` those nominals by their current (latest-dated) classification;
``followed_up`` nominals whose entry date (their first spell entered in [from, to]) is a
full 12 months before today; ``offences_before``/``offences_after`` sum those nominals'
offences (events of kind ``offence``) in the two windows; ``reduction_rate`` =
1 − after/before, null when before is 0. Beyond the contract: moves between R&R and C&C
dated in [from, to] (a classification differing from that nominal's previous one), and the
share of ``nominals`` with an *achieved* need on the drug and alcohol (referred to
treatment), accommodation (stable) and ETE pathways, for a need whose dates overlap the
period (no dates: counted). Everything is grouped SQL: no person is loaded to count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
)

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.errors import NotVisible
from casework.offenders.actions import OFFENDER_PANELS, readable
from casework.offenders.classification import latest_classifications
from casework.offenders.dump import record_type_name
from casework.offenders.models import (
    Classification,
    CohortMembership,
    CustodyPeriod,
    OffenderEvent,
    PathwayNeed,
)
from casework.offenders.schemas import ACHIEVABLE
from casework.panels.models import Panel, PanelMember
from casework.roles import STATS_ROLES
from casework.schemas import load
from casework.services import Services
from casework.stats.schemas import PeriodQuery

YEAR = 10000  # one year in day_key units
CONTRACT_KEYS = (
    "nominals",
    "classification",
    "followed_up",
    "offences_before",
    "offences_after",
    "reduction_rate",
)


def day_key(column: Any) -> ColumnElement[int]:
    """SQL: a date as ``year * 10000 + month * 100 + day`` (module docstring)."""
    part = [cast(extract(p, column), Integer) for p in ("year", "month", "day")]
    return part[0] * 10000 + part[1] * 100 + part[2]


def key_of(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the window edge falls between 28 February and 1 March
        return date(day.year + years, 3, 1)


def year_after(day: date) -> date:
    """The first day after the 12-month window starting on ``day``."""
    return _shift(day, 1)


def year_before(day: date) -> date:
    """The first day of the 12-month window ending the day before ``day``."""
    return _shift(day, -1)


def rate(part: int, total: int) -> float | None:
    return None if not total else round(part / total, 4)


def in_custody() -> ColumnElement[bool]:
    """SQL: the offence is dated inside a known custody period of its nominal."""
    e, c = OffenderEvent, CustodyPeriod
    return exists().where(
        c.nominal_id == e.nominal_id,
        c.start_date <= e.event_date,
        or_(c.end_date.is_(None), c.end_date >= e.event_date),
    )


def before_window(entry: Any) -> ColumnElement[bool]:
    e = OffenderEvent
    return and_(
        e.kind == "offence",
        e.event_date < entry,
        day_key(e.event_date) >= day_key(entry) - YEAR,
    )


def after_window(entry: Any) -> ColumnElement[bool]:
    e = OffenderEvent
    return and_(
        e.kind == "offence",
        e.event_date >= entry,
        day_key(e.event_date) < day_key(entry) + YEAR,
    )


@dataclass(frozen=True)
class Scope:
    panels: tuple[uuid.UUID, ...]
    start: date
    end: date
    today: date


def _members(scope: Scope) -> Select:
    m = CohortMembership
    return (
        select(m.nominal_id)
        .where(
            m.panel_id.in_(scope.panels),
            m.entry_date <= scope.end,
            or_(m.exit_date.is_(None), m.exit_date >= scope.start),
        )
        .distinct()
    )


def _followed(scope: Scope) -> Any:
    m = CohortMembership
    return (
        select(m.nominal_id.label("nominal_id"), func.min(m.entry_date).label("entry"))
        .where(
            m.panel_id.in_(scope.panels),
            m.entry_date.between(scope.start, scope.end),
            day_key(m.entry_date) <= key_of(scope.today) - YEAR,
        )
        .group_by(m.nominal_id)
        .subquery("followed")
    )


def _offences(session: Any, followed: Any, window: ColumnElement[bool]) -> int:
    e = OffenderEvent
    stmt = (
        select(func.count())
        .select_from(followed)
        .join(e, and_(e.nominal_id == followed.c.nominal_id, window))
    )
    return int(session.scalar(stmt) or 0)


def _movements(session: Any, scope: Scope, members: Select) -> dict[str, int]:
    c = Classification
    previous = func.lag(c.classification).over(
        partition_by=c.nominal_id, order_by=(c.decided_on, c.created_at, c.id)
    )
    seq = (
        select(c.classification.label("now"), previous.label("before"), c.decided_on)
        .where(c.nominal_id.in_(members))
        .subquery("seq")
    )
    rows = session.execute(
        select(seq.c.before, seq.c.now, func.count())
        .where(
            seq.c.before.is_not(None),
            seq.c.before != seq.c.now,
            seq.c.decided_on.between(scope.start, scope.end),
        )
        .group_by(seq.c.before, seq.c.now)
    )
    moved = {f"{b}_to_{n}": int(k) for b, n, k in rows}
    return {"rr_to_cc": moved.get("rr_to_cc", 0), "cc_to_rr": moved.get("cc_to_rr", 0)}


def _pathways(session: Any, scope: Scope, members: Select, total: int) -> dict[str, Any]:
    p = PathwayNeed
    rows = dict(
        session.execute(
            select(p.pathway, func.count(func.distinct(p.nominal_id)))
            .where(
                p.nominal_id.in_(members),
                p.pathway.in_(ACHIEVABLE),
                p.achieved.is_(True),
                or_(p.start_date.is_(None), p.start_date <= scope.end),
                or_(p.end_date.is_(None), p.end_date >= scope.start),
            )
            .group_by(p.pathway)
        ).all()
    )
    return {
        name: {"count": int(rows.get(name, 0)), "share": rate(int(rows.get(name, 0)), total)}
        for name in ACHIEVABLE
    }


def cohort_figures(session: Any, scope: Scope) -> dict[str, Any]:
    """Every cohort figure for the panels and period (module docstring)."""
    members = _members(scope)
    nominals = int(session.scalar(select(func.count()).select_from(members.subquery())) or 0)
    latest = latest_classifications().subquery("latest")
    by_class = dict(
        session.execute(
            select(latest.c.classification, func.count())
            .where(latest.c.nominal_id.in_(members))
            .group_by(latest.c.classification)
        ).all()
    )
    followed = _followed(scope)
    followed_up = int(session.scalar(select(func.count()).select_from(followed)) or 0)
    before = _offences(session, followed, before_window(followed.c.entry))
    after = _offences(session, followed, and_(after_window(followed.c.entry), ~in_custody()))
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "nominals": nominals,
        "classification": {"rr": int(by_class.get("rr", 0)), "cc": int(by_class.get("cc", 0))},
        "followed_up": followed_up,
        "offences_before": before,
        "offences_after": after,
        "reduction_rate": None if before == 0 else round(1 - after / before, 4),
        "movements": _movements(session, scope, members),
        "pathways": _pathways(session, scope, members, nominals),
    }


def contract_view(figures: dict[str, Any]) -> dict[str, Any]:
    """Exactly the keys CONTRACT.md lists for ``GET /api/v1/stats/offenders``."""
    return {key: figures[key] for key in CONTRACT_KEYS}


def figure_rows(figures: dict[str, Any]) -> list[list[Any]]:
    """(section, measure, value) rows of the cohort figures, for CSV and XLSX."""
    rows: list[list[Any]] = [
        ["cohort", "nominals", figures["nominals"]],
        ["cohort", "classification.rr", figures["classification"]["rr"]],
        ["cohort", "classification.cc", figures["classification"]["cc"]],
        ["cohort", "movements.rr_to_cc", figures["movements"]["rr_to_cc"]],
        ["cohort", "movements.cc_to_rr", figures["movements"]["cc_to_rr"]],
    ]
    for name, value in figures["pathways"].items():
        rows.append(["pathways", f"{name}.achieved", value["count"]])
        rows.append(["pathways", f"{name}.achieved_rate", value["share"]])
    rows += [
        ["offending", "followed_up", figures["followed_up"]],
        ["offending", "offences_before", figures["offences_before"]],
        ["offending", "offences_after", figures["offences_after"]],
        ["offending", "reduction_rate", figures["reduction_rate"]],
    ]
    return rows


# --- who may count which panels --------------------------------------------------------------


def _countable(svc: Services, actor: Actor) -> list[Panel]:
    stmt = select(Panel).where(Panel.kind.in_(OFFENDER_PANELS))
    if not actor.has_any("analyst"):
        if actor.agency_id is None:
            return []
        stmt = stmt.join(PanelMember, PanelMember.panel_id == Panel.id).where(
            PanelMember.agency_id == actor.agency_id
        )
    return list(svc.session.scalars(stmt.order_by(Panel.name)))


@action
def countable_panels(svc: Services, actor: Actor) -> list[Panel]:
    """Offender panels whose figures the caller may see: analysts every one, coordinators and
    chairs those of their agency. Figures are counts, never a personal field."""
    require_role(actor, *STATS_ROLES)
    return _countable(svc, actor)


@action
def offender_stats(
    svc: Services, actor: Actor, query: Any, today: date | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(query, figures) for one panel, or every panel the caller may count; a panel they may
    not count (another partnership's, a MARAC panel, none) is 404."""
    require_role(actor, *STATS_ROLES)
    q = load(PeriodQuery(), query)
    allowed = [p.id for p in _countable(svc, actor)]
    if q["panel_id"] is not None:
        if q["panel_id"] not in allowed:
            raise NotVisible()
        allowed = [q["panel_id"]]
    scope = Scope(tuple(allowed), q["from_"], q["to"], today or clock.today())
    return q, cohort_figures(svc.session, scope)


# --- one nominal -----------------------------------------------------------------------------


def _liberty(start: date, end: date, custody: list[tuple[date, date | None]], today: date) -> int:
    """Days in [start, end) up to today, less the days in custody (periods merged)."""
    stop = min(end, today + timedelta(days=1))
    if stop <= start:
        return 0
    spans = sorted((max(s, start), min((e or today) + timedelta(days=1), stop)) for s, e in custody)
    held, cursor = 0, start
    for s, e in spans:
        s = max(s, cursor)
        if e > s:
            held += (e - s).days
            cursor = e
    return (stop - start).days - held


def _tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def spell_outcomes(session: Any, nominal_id: uuid.UUID, today: date) -> list[dict[str, Any]]:
    """Per cohort spell of one nominal: offences before and after entry (after: those in
    custody counted apart), days at liberty, and whether the 12 months after are complete."""
    m, e = CohortMembership, OffenderEvent
    after = after_window(m.entry_date)
    stmt = (
        select(
            m.id,
            m.panel_id,
            m.entry_date,
            m.exit_date,
            Panel.name,
            _tally(before_window(m.entry_date)),
            _tally(and_(after, ~in_custody())),
            _tally(and_(after, in_custody())),
        )
        .join(Panel, Panel.id == m.panel_id)
        .outerjoin(e, e.nominal_id == m.nominal_id)
        .where(m.nominal_id == nominal_id)
        .group_by(m.id, m.panel_id, m.entry_date, m.exit_date, Panel.name)
        .order_by(m.entry_date)
    )
    custody = [
        (s, end)
        for s, end in session.execute(
            select(CustodyPeriod.start_date, CustodyPeriod.end_date).where(
                CustodyPeriod.nominal_id == nominal_id
            )
        )
    ]
    out = []
    for _, panel_id, entry, exit_date, panel_name, before, after_n, held in session.execute(stmt):
        window_end = year_after(entry)
        before, after_n = int(before or 0), int(after_n or 0)
        out.append(
            {
                "panel_id": str(panel_id),
                "panel": panel_name,
                "entry_date": entry,
                "exit_date": exit_date,
                "before_from": year_before(entry),
                "after_to": window_end - timedelta(days=1),
                "complete": today >= window_end,
                "offences_before": before,
                "offences_after": after_n,
                "offences_in_custody": int(held or 0),
                "reduction_rate": None if before == 0 else round(1 - after_n / before, 4),
                "days_at_liberty": _liberty(entry, window_end, custody, today),
                "days_elapsed": max(0, (min(window_end, today + timedelta(days=1)) - entry).days),
            }
        )
    return out


@action(reads=("nominal", "youth_record"))
def nominal_outcomes(
    svc: Services, actor: Actor, nominal_id: Any, today: date | None = None
) -> dict[str, Any]:
    """One nominal's outcomes for a reader the protocol lets see their offending and cohort
    spells (404 if they may not see the person; ``granted`` False if not those parts)."""
    nominal, fields = readable(svc, actor, nominal_id)
    today = today or clock.today()
    shown = [k for k in ("first_name", "last_name") if k in fields]
    out: dict[str, Any] = {
        "id": str(nominal.id),
        "name": " ".join(v for k in shown if (v := getattr(nominal, k))),
        "granted": {"offences", "cohort"} <= fields,
        "spells": [],
        "pathways": None,
    }
    if out["granted"]:
        out["spells"] = spell_outcomes(svc.session, nominal.id, today)
        shown += ["offences", "cohort"]
    if out["granted"] and "pathways" in fields:
        achieved = set(
            svc.session.scalars(
                select(PathwayNeed.pathway).where(
                    PathwayNeed.nominal_id == nominal.id, PathwayNeed.achieved.is_(True)
                )
            )
        )
        out["pathways"] = {name: name in achieved for name in ACHIEVABLE}
        shown.append("pathways")
    audit.record(svc.session, actor, "view", record_type_name(nominal), nominal.id, shown)
    return out
