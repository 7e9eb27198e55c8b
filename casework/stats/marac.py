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
from casework.panels.models import Panel
from casework.referrals.models import Perpetrator, Referral

CRITERIA = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat")
HELD = ("held", "closed")


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    panel_ids: tuple[uuid.UUID, ...] | None  # None: every panel of the installation


def rate(part: int, total: int) -> float | None:
    return None if not total else round(part / total, 4)


def _counted(scope: Scope) -> list[Any]:
    conditions = [
        Referral.referral_date >= scope.start,
        Referral.referral_date <= scope.end,
        Referral.status != "withdrawn",
    ]
    if scope.panel_ids is not None:
        conditions.append(Referral.panel_id.in_(scope.panel_ids))
    return conditions


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def referral_figures(session: Session, scope: Scope) -> dict[str, Any]:
    where = _counted(scope)
    totals = session.execute(
        select(
            func.count(Referral.id),
            _count_if(Referral.crit_repeat.is_(True)),
            _count_if(Agency.is_police.is_(True)),
            *(_count_if(getattr(Referral, f"crit_{c}").is_(True)) for c in CRITERIA),
            _count_if(Referral.victim_bme.is_(True)),
            _count_if(Referral.victim_lgbt.is_(True)),
            _count_if(Referral.victim_disability.is_(True)),
            _count_if(Referral.victim_male.is_(True)),
            _count_if(Referral.victim_aged_16_17.is_(True)),
            func.coalesce(func.sum(Referral.children_count), 0),
        )
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .where(*where)
    ).one()
    total, repeat, police = (int(v) for v in totals[:3])
    criteria = dict(zip(CRITERIA, (int(v) for v in totals[3:7]), strict=True))
    bme, lgbt, disability, male, young, children = (int(v) for v in totals[7:])
    by_agency = _grouped(session, Agency.code, where)
    by_sector = _grouped(session, Agency.sector, where)
    young_perpetrators = session.scalar(
        select(func.count(func.distinct(Perpetrator.referral_id)))
        .join(Referral, Referral.id == Perpetrator.referral_id)
        .where(*where, Perpetrator.aged_17_or_under.is_(True))
    )
    return {
        "total": total,
        "repeat": repeat,
        "repeat_rate": rate(repeat, total),
        "police": police,
        "non_police": total - police,
        "non_police_rate": rate(total - police, total),
        "by_agency": by_agency,
        "by_sector": by_sector,
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
        "volume_per_10k": _volume(session, scope, total),
    }


def _grouped(session: Session, key: Any, where: list[Any]) -> dict[str, int]:
    rows = session.execute(
        select(key, func.count(Referral.id))
        .select_from(Referral)
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .where(*where)
        .group_by(key)
        .order_by(key)
    ).all()
    return {str(k): int(n) for k, n in rows}


def _volume(session: Session, scope: Scope, total: int) -> float | None:
    stmt = select(Panel.adult_female_population).where(Panel.kind == "marac")
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


def heard_figures(session: Session, scope: Scope) -> dict[str, Any]:
    start, stop = _bounds(scope)
    meeting_where = [Meeting.status.in_(HELD), Meeting.starts_at >= start, Meeting.starts_at < stop]
    if scope.panel_ids is not None:
        meeting_where.append(Meeting.panel_id.in_(scope.panel_ids))
    meetings = session.scalar(select(func.count(Meeting.id)).where(*meeting_where)) or 0
    cases, repeat, children = session.execute(
        select(
            func.count(AgendaItem.id),
            _count_if(Referral.crit_repeat.is_(True)),
            func.coalesce(func.sum(Referral.children_count), 0),
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Referral, Referral.id == AgendaItem.referral_id)
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


def _month(session: Session, column: Any) -> Any:
    """'YYYY-MM' of a date column, in the database's own dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def months_between(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def quarter_of(month_key: str) -> str:
    year, month = month_key.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def series(session: Session, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Monthly and quarterly totals and rates (repeat, non-police), empty periods included."""
    month = _month(session, Referral.referral_date).label("month")
    rows = session.execute(
        select(
            month,
            func.count(Referral.id),
            _count_if(Referral.crit_repeat.is_(True)),
            _count_if(Agency.is_police.is_(False)),
        )
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .where(*_counted(scope))
        .group_by(month)
    ).all()
    found = {str(m): (int(t), int(r), int(n)) for m, t, r, n in rows}
    monthly = [(m, *found.get(m, (0, 0, 0))) for m in months_between(scope.start, scope.end)]
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
    start, stop = _bounds(scope)
    where = [Meeting.status.in_(HELD), Meeting.starts_at >= start, Meeting.starts_at < stop]
    if scope.panel_ids is not None:
        where.append(Meeting.panel_id.in_(scope.panel_ids))
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
