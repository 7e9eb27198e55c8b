"""MARAC figures: by referral date (``referrals``) and by meeting date (``heard``).

Every figure is a grouped aggregate in SQL over plain, indexed columns (never decrypted
personal fields), so an analyst's request loads no referral into Python. Definitions:

* a referral counts in [from, to] when its referral date lies in the range (inclusive) and it
  was not withdrawn;
* ``repeat_rate`` = repeats / total; ``non_police_rate`` = referrals from agencies not marked
  police / total; rates are fractions and null when the total is 0;
* ``heard`` counts cases (referral items) on the agendas of meetings held (status held or
  closed) with a start date in [from, to];
* ``volume_per_10k`` = referrals per 10,000 adult female population per year, null when a
  panel in scope has no population set.

Speed (``bench/bench_stats.py``: a million referrals on SQLite). Referral figures and the
monthly series come from one grouped pass per (panel, day, referring agency) over the covering
index ``ix_referrals_stats`` (panel, date, agency, status, flags) in its own order, so SQLite
neither sorts nor opens the wide rows with their ciphertexts; those groups are grouped again
per month and agency, so a few hundred rows reach Python. "All panels" is the explicit list of
MARAC panels, so the index's leading column is always used. Cases heard are counted from the
agenda items alone: each keeps its case's repeat flag and number of children (copied when
listed, kept in step when a confirmed match makes the case a repeat), in the covering index
``ix_agenda_items_heard``. Joining 350,000 cases to their referrals, one index look-up each,
took SQLite (which cannot hash-join) about 0.7 s of the answer; the agenda alone takes 0.07 s.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from casework.agencies.models import Agency
from casework.db import UTC
from casework.meetings.models import AgendaItem, Meeting
from casework.panels import kinds as panel_kinds
from casework.panels.models import Panel
from casework.referrals.models import Perpetrator, Referral
from casework.stats.charts import quarter_of

CRITERIA = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat")
HELD = ("held", "closed")


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    panel_ids: tuple[uuid.UUID, ...] | None  # None: every MARAC panel of the installation


def of_marac_kind() -> Any:
    """Panels of the kinds counted in the MARAC figures (``casework.panels.kinds``)."""
    return Panel.kind.in_(panel_kinds.with_statistics("marac"))


def rate(part: int, total: int) -> float | None:
    return None if not total else round(part / total, 4)


def _counted(scope: Scope) -> list[Any]:
    panels: Any = scope.panel_ids
    if panels is None:  # every MARAC panel, named, so the index on (panel, date, ...) applies
        panels = select(Panel.id).where(of_marac_kind()).scalar_subquery()
    return [
        Referral.panel_id.in_(panels),
        Referral.referral_date >= scope.start,
        Referral.referral_date <= scope.end,
        Referral.status != "withdrawn",
    ]


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# What each (panel, day, agency) group counts, in the order _Tally adds them up.
FLAGS = (
    Referral.crit_repeat,
    *(getattr(Referral, f"crit_{c}") for c in CRITERIA[:3]),
    Referral.victim_bme,
    Referral.victim_lgbt,
    Referral.victim_disability,
    Referral.victim_male,
    Referral.victim_aged_16_17,
    Referral.idva_offered,
    Referral.idva_engaged,
)


@dataclass
class _Tally:
    """Counts added up from groups: referrals, then each of FLAGS, then children."""

    counts: list[int]

    @classmethod
    def empty(cls) -> _Tally:
        return cls([0] * (len(FLAGS) + 2))

    def add(self, values: Any) -> None:
        for i, value in enumerate(values):
            self.counts[i] += int(value)


@dataclass
class _Referrals:
    """The referral counts of a scope, by agency and by month (from one grouped query)."""

    total: _Tally
    by_agency: dict[uuid.UUID, _Tally]
    by_month: dict[str, tuple[int, int, int]]  # month -> (total, repeat, non-police)
    agencies: dict[uuid.UUID, tuple[str, str, bool]]  # id -> (code, sector, police)


def _referrals(session: Session, scope: Scope) -> _Referrals:
    """Counts per month and referring agency, in two steps: per (panel, day, agency) in the
    covering index's own order (no sort over the referrals), then those few thousand groups
    per (month, agency), so only a few hundred rows reach Python."""
    keys = (Referral.panel_id, Referral.referral_date, Referral.referring_agency_id)
    daily = (
        select(
            Referral.referral_date.label("day"),
            Referral.referring_agency_id.label("agency_id"),
            func.count().label("n"),
            # count(*) FILTER: about a third cheaper than sum(CASE ...) per row on SQLite
            *(func.count().filter(flag.is_(True)).label(f"f{i}") for i, flag in enumerate(FLAGS)),
            func.coalesce(func.sum(Referral.children_count), 0).label("children"),
        )
        .where(*_counted(scope))
        .group_by(*keys)
        .subquery()
    )
    month = _month(session, daily.c.day).label("month")
    sums = [c for c in daily.c if c.name not in ("day", "agency_id")]
    rows = session.execute(
        select(month, daily.c.agency_id, *(func.sum(c) for c in sums)).group_by(
            month, daily.c.agency_id
        )
    ).all()
    agencies = {
        row.id: (row.code, row.sector, bool(row.is_police))
        for row in session.execute(select(Agency.id, Agency.code, Agency.sector, Agency.is_police))
    }
    total, by_agency, months = _Tally.empty(), {}, {}
    for month_key, agency_id, *values in rows:
        total.add(values)
        by_agency.setdefault(agency_id, _Tally.empty()).add(values)
        n, repeat, non_police = months.get(str(month_key), (0, 0, 0))
        partner = 0 if agencies[agency_id][2] else int(values[0])
        months[str(month_key)] = (n + int(values[0]), repeat + int(values[1]), non_police + partner)
    return _Referrals(total, by_agency, months, agencies)


def _month(session: Session, column: Any) -> Any:
    """'YYYY-MM' of a date column, in the database's own dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def referral_figures(session: Session, scope: Scope) -> dict[str, Any]:
    return _referral_figures(session, scope, _referrals(session, scope))


def _referral_figures(session: Session, scope: Scope, counted: _Referrals) -> dict[str, Any]:
    (
        total,
        repeat,
        *criteria_counts,
        bme,
        lgbt,
        disability,
        male,
        young,
        offered,
        engaged,
        children,
    ) = counted.total.counts
    criteria = dict(zip(CRITERIA, [*criteria_counts, repeat], strict=True))
    police = sum(t.counts[0] for a, t in counted.by_agency.items() if counted.agencies[a][2])
    by_agency: dict[str, int] = {}
    by_sector: dict[str, int] = {}
    for agency_id, tally in counted.by_agency.items():
        code, sector, _ = counted.agencies[agency_id]
        by_agency[code] = by_agency.get(code, 0) + tally.counts[0]
        by_sector[sector] = by_sector.get(sector, 0) + tally.counts[0]
    # From the few young perpetrators (their own index) to their referrals, not the reverse.
    young_perpetrators = session.scalar(
        select(func.count(func.distinct(Perpetrator.referral_id)))
        .join(Referral, Referral.id == Perpetrator.referral_id)
        .where(Perpetrator.aged_17_or_under.is_(True), *_counted(scope))
    )
    return {
        "total": total,
        "repeat": repeat,
        "repeat_rate": rate(repeat, total),
        "police": police,
        "non_police": total - police,
        "non_police_rate": rate(total - police, total),
        "by_agency": dict(sorted(by_agency.items())),
        "by_sector": dict(sorted(by_sector.items())),
        "criteria": criteria,
        "victims": {
            "bme": bme,
            "lgbt": lgbt,
            "disability": disability,
            "male": male,
            "aged_16_17": young,
        },
        "perpetrators_17_or_under": int(young_perpetrators or 0),
        "children": children,
        # SafeLives IDVA engagement: victims engaged by an IDVA / victims offered one.
        "idva": {"offered": offered, "engaged": engaged, "engagement_rate": rate(engaged, offered)},
        "volume_per_10k": _volume(session, scope, total),
    }


def _volume(session: Session, scope: Scope, total: int) -> float | None:
    stmt = select(Panel.adult_female_population).where(of_marac_kind())
    if scope.panel_ids is not None:
        stmt = stmt.where(Panel.id.in_(scope.panel_ids))
    populations = list(session.scalars(stmt))
    if not populations or any(not p for p in populations):
        return None
    days = (scope.end - scope.start).days + 1
    return round(total / sum(populations) * 10_000 * 365.25 / days, 2)


def _bounds(scope: Scope) -> tuple[datetime, datetime]:
    start = datetime.combine(scope.start, time.min, tzinfo=UTC)
    return start, datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC)


def _held(scope: Scope) -> list[Any]:
    """Meetings held in the scope: MARAC panels only (offender panels meet too)."""
    start, stop = _bounds(scope)
    panels: Any = scope.panel_ids
    if panels is None:
        panels = select(Panel.id).where(of_marac_kind()).scalar_subquery()
    return [
        Meeting.panel_id.in_(panels),
        Meeting.status.in_(HELD),
        Meeting.starts_at >= start,
        Meeting.starts_at < stop,
    ]


def heard_figures(session: Session, scope: Scope) -> dict[str, Any]:
    meeting_where = _held(scope)
    meetings = session.scalar(select(func.count(Meeting.id)).where(*meeting_where)) or 0
    # The agenda items' own copies of the case's flags (kept in step with the referral), read
    # from the covering index ix_agenda_items_heard: no look-up per case.
    cases, repeat, children = session.execute(
        select(
            func.count(),
            func.count().filter(AgendaItem.case_repeat.is_(True)),
            func.coalesce(func.sum(AgendaItem.case_children), 0),
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(*meeting_where, AgendaItem.kind == "referral")
    ).one()
    cases, repeat = int(cases), int(repeat)
    return {
        "meetings": int(meetings),
        "cases": cases,
        "repeat": repeat,
        "repeat_rate": rate(repeat, cases),
        "children": int(children),
    }


def marac_figures(session: Session, scope: Scope) -> dict[str, Any]:
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "referrals": referral_figures(session, scope),
        "heard": heard_figures(session, scope),
    }


def marac_answer(session: Session, scope: Scope) -> dict[str, Any]:
    """``marac_figures`` with its ``series``, reading the referrals once for both."""
    counted = _referrals(session, scope)
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "referrals": _referral_figures(session, scope, counted),
        "heard": heard_figures(session, scope),
        "series": _series(scope, counted),
    }


def months_between(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def series(session: Session, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Monthly and quarterly totals and rates (repeat, non-police), empty periods included."""
    return _series(scope, _referrals(session, scope))


def _series(scope: Scope, counted: _Referrals) -> dict[str, list[dict[str, Any]]]:
    monthly = [
        (m, *counted.by_month.get(m, (0, 0, 0))) for m in months_between(scope.start, scope.end)
    ]
    quarterly: dict[str, list[int]] = {}
    for m, total, repeat, non_police in monthly:
        acc = quarterly.setdefault(quarter_of(m), [0, 0, 0])
        acc[0], acc[1], acc[2] = acc[0] + total, acc[1] + repeat, acc[2] + non_police
    return {
        "monthly": [_period(m, t, r, n) for m, t, r, n in monthly],
        "quarterly": [_period(q, *v) for q, v in quarterly.items()],
    }


def _period(period: str, total: int, repeat: int, non_police: int) -> dict[str, Any]:
    return {
        "period": period,
        "total": total,
        "repeat": repeat,
        "repeat_rate": rate(repeat, total),
        "non_police": non_police,
        "non_police_rate": rate(non_police, total),
    }


def safelives_return(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """The per-meeting table MARACs send SafeLives for a quarter: one row per meeting held."""
    where = _held(scope)
    base = (
        select(Meeting.id, Meeting.starts_at, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(*where)
        .order_by(Meeting.starts_at)
    )
    meetings = session.execute(base).all()
    figures = session.execute(
        select(
            AgendaItem.meeting_id,
            func.count(AgendaItem.id),
            _count_if(Referral.crit_repeat.is_(True)),
            func.coalesce(func.sum(Referral.children_count), 0),
            _count_if(Agency.is_police.is_(True)),
            _count_if(Referral.victim_bme.is_(True)),
            _count_if(Referral.victim_lgbt.is_(True)),
            _count_if(Referral.victim_disability.is_(True)),
            _count_if(Referral.victim_male.is_(True)),
            _count_if(Referral.victim_aged_16_17.is_(True)),
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Referral, Referral.id == AgendaItem.referral_id)
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .where(*where, AgendaItem.kind == "referral")
        .group_by(AgendaItem.meeting_id)
    ).all()
    by_meeting = {row[0]: [int(v) for v in row[1:]] for row in figures}
    agencies = session.execute(
        select(AgendaItem.meeting_id, Agency.code, func.count(AgendaItem.id))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Referral, Referral.id == AgendaItem.referral_id)
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .where(*where, AgendaItem.kind == "referral")
        .group_by(AgendaItem.meeting_id, Agency.code)
    ).all()
    referrers: dict[Any, dict[str, int]] = {}
    for meeting_id, code, n in agencies:
        referrers.setdefault(meeting_id, {})[code] = int(n)
    out = []
    for meeting_id, starts_at, panel_name in meetings:
        cases, repeat, children, police, bme, lgbt, disability, male, young = by_meeting.get(
            meeting_id, [0] * 9
        )
        out.append(
            {
                "meeting_date": starts_at.date().isoformat(),
                "panel": panel_name,
                "cases": cases,
                "repeat": repeat,
                "children": children,
                "police_referrals": police,
                "non_police_referrals": cases - police,
                "referrals_by_agency": referrers.get(meeting_id, {}),
                "bme": bme,
                "lgbt": lgbt,
                "disability": disability,
                "male": male,
                "aged_16_17": young,
            }
        )
    return out
