"""The targeting matrix: who an offender panel should consider next, and what it decided.

Every nominal with events in the last ``window_months`` (12) gets a score from the points
matrix in ``TARGETING_MATRIX`` (config/default.py). The score is worked out in one grouped SQL
query — CASE expressions built from the configured weights, summed per nominal, ordered by
score — so 50,000 nominals with a million events never pass through Python
(bench/bench_targeting.py). The matrix is advice: the panel decides at a meeting, and the
decision (with its reason and the score on the meeting day) is recorded.

Candidates for a panel are nominals *not* in that panel's cohort now, of the age the panel
takes on the day: PPO and IOM work with adults (a young person's offending is Prevent and
Deter's and the youth justice service's business), Prevent and Deter with under-18s. Dates of
birth are encrypted, so the age is checked on the few ranked rows, page by page, not in SQL.

The coordinator's ranked list shows identity, score and breakdown only through the sharing
engine, and a candidate the reader's agency may not see at all is **left out** (ranks count
only the rows shown). A placeholder line would itself disclose that a person the agency may
not know of is offending enough to rank there, and its record id invited a look-up; the
police member, who sees such records, presents them from their own list.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from marshmallow import validate
from sqlalchemy import (
    ColumnElement,
    Select,
    TableClause,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Invalid, NotVisible
from casework.meetings.agenda_view import is_member, local_start
from casework.meetings.models import AgendaItem, Meeting
from casework.offenders.actions import OFFENDER_PANELS, YOUTH_PANEL
from casework.offenders.dump import record_type_name
from casework.offenders.models import COHORTS, CohortMembership, Nominal, OffenderEvent
from casework.offenders.models import TargetingDecision as Decision
from casework.offenders.policies import current_membership
from casework.panels.models import Panel
from casework.referrals.repeat import minus_months
from casework.referrals.rows import age_on
from casework.roles import MANAGERS
from casework.schemas import PlainString, StrictSchema, Text, load
from casework.services import Services
from casework.settings import ConfigError

DECISIONS = ("selected", "rejected")
# Who each offender panel takes, by age on the day (module docstring); other kinds: anyone.
ADULT_PANELS = ("ppo", "iom")
IDENTITY = ("first_name", "last_name", "date_of_birth", "pnc_id")
LIST_LIMIT = 50


@dataclass(frozen=True)
class Matrix:
    window_months: int
    categories: Mapping[str, int]
    outcomes: Mapping[str, int]
    intelligence: int
    warrant: int
    positive_drug_test: int
    recency: tuple[tuple[int, int], ...]  # (months, multiplier), shortest band first


def _whole(value: Any, name: str, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"TARGETING_MATRIX: {name} must be a whole number of at least {least}")
    return value


def matrix(settings: Mapping[str, Any]) -> Matrix:
    """The configured matrix, checked: whole numbers only, so scores are exact everywhere."""
    raw = dict(settings.get("TARGETING_MATRIX") or {})
    weights = {}
    for part in ("categories", "outcomes"):
        table = raw.get(part) or {}
        if not isinstance(table, Mapping):
            raise ConfigError(f"TARGETING_MATRIX: {part} must map names to points")
        weights[part] = {str(k): _whole(v, f"{part}.{k}") for k, v in table.items()}
    bands = []
    for band in raw.get("recency") or ():
        months = _whole(band.get("months"), "recency.months", 1)
        bands.append((months, _whole(band.get("multiplier"), "recency.multiplier", 1)))
    return Matrix(
        window_months=_whole(raw.get("window_months", 12), "window_months", 1),
        categories=weights["categories"],
        outcomes=weights["outcomes"],
        intelligence=_whole(raw.get("intelligence", 0), "intelligence"),
        warrant=_whole(raw.get("warrant", 0), "warrant"),
        positive_drug_test=_whole(raw.get("positive_drug_test", 0), "positive_drug_test"),
        recency=tuple(sorted(bands)),
    )


def _weight(column: Any, weights: Mapping[str, int]) -> ColumnElement[int]:
    if not weights:
        return literal(0)
    return case(dict(weights), value=column, else_=0)


def points(m: Matrix, today: date, e: Any = OffenderEvent) -> ColumnElement[int]:
    """SQL: one event's points (module docstring); negative drug tests score nothing.
    ``e`` is the events table (the model, or ``EVENTS.c`` for the ranking)."""
    base = case(
        (e.kind == "offence", _weight(e.category, m.categories) + _weight(e.outcome, m.outcomes)),
        (e.kind == "intelligence", m.intelligence),
        (e.kind == "warrant", m.warrant),
        (and_(e.kind == "drug_test", e.positive.is_(True)), m.positive_drug_test),
        else_=0,
    )
    if not m.recency:
        return base
    bands = [(e.event_date >= minus_months(today, months), mult) for months, mult in m.recency]
    return base * case(*bands, else_=1)


def _window(m: Matrix, today: date, e: Any = OffenderEvent) -> ColumnElement[bool]:
    return and_(e.event_date >= minus_months(today, m.window_months), e.event_date <= today)


def in_cohort(panel_id: uuid.UUID, today: date) -> Select:
    """Nominals in the panel's cohort now: never candidates for it."""
    return select(CohortMembership.nominal_id).where(
        CohortMembership.panel_id == panel_id, current_membership(today)
    )


def is_in_cohort(svc: Services, panel_id: uuid.UUID, nominal_id: uuid.UUID, today: date) -> bool:
    stmt = in_cohort(panel_id, today).where(CohortMembership.nominal_id == nominal_id)
    return svc.session.scalar(select(exists(stmt))) or False


class _EventsRead(TableClause):
    """The events table as the ranking reads it; on SQLite, with an access path named.

    SQLite's planner picks the ``event_date`` index for the 12-month window and then opens a
    third of all rows one by one, which on a million rows is several times slower than one
    pass over the table (bench/bench_targeting.py). So SQLite is told ``NOT INDEXED``, or
    ``INDEXED BY`` a covering index when ``index`` names one (README: a covering index on
    (nominal_id, event_date, kind, category, outcome, positive) would let it group without
    sorting or touching rows). Other databases see the plain table and plan for themselves.
    """

    inherit_cache = False

    def __init__(self, table: Any, index: str | None = None) -> None:
        super().__init__(table.name, *(c._copy() for c in table.columns))
        self.index = index


@compiles(_EventsRead, "sqlite")
def _events_on_sqlite(element: _EventsRead, compiler: Any, **kw: Any) -> str:
    text = compiler.visit_table(element, **kw)
    if not kw.get("asfrom"):
        return text
    return f"{text} INDEXED BY {element.index}" if element.index else f"{text} NOT INDEXED"


EVENTS = _EventsRead(OffenderEvent.__table__, index="ix_offender_events_targeting")


@dataclass(frozen=True)
class Scored:
    nominal_id: uuid.UUID
    score: int
    events: int
    last_event: date


def ranked(
    svc: Services,
    panel_id: uuid.UUID,
    today: date,
    limit: int | None = LIST_LIMIT,
    exclude: Sequence[Select] = (),
    only: Iterable[uuid.UUID] | None = None,
) -> list[Scored]:
    """The panel's candidates, best first: one grouped query, nothing loaded per event.

    ``exclude`` adds subqueries of nominal ids to leave out (the agenda's own rules);
    ``only`` scores just these nominals (a decision's score on the meeting day). Ties go to
    the most recent event, then the id, so the order is stable.
    """
    m = matrix(svc.settings)
    # A few nominals: their own rows through the nominal_id index, not the one-pass read.
    table = EVENTS if only is None else OffenderEvent.__table__
    e = table.c
    wanted = [_window(m, today, e)]
    if only is not None:
        wanted.append(e.nominal_id.in_(list(only)))
    scores = (
        select(
            e.nominal_id.label("nominal_id"),
            func.sum(points(m, today, e)).label("score"),
            func.count().label("events"),
            func.max(e.event_date).label("last_event"),
        )
        .select_from(table)
        .where(*wanted)
        .group_by(e.nominal_id)
        .subquery("scores")
    )
    stmt = select(scores).where(scores.c.nominal_id.not_in(in_cohort(panel_id, today)))
    # An erased nominal's events stay for the figures; they are nobody's candidate any more.
    stmt = stmt.where(scores.c.nominal_id.not_in(select(Nominal.id).where(Nominal.erased)))
    for subquery in exclude:
        stmt = stmt.where(scores.c.nominal_id.not_in(subquery))
    stmt = stmt.order_by(scores.c.score.desc(), scores.c.last_event.desc(), scores.c.nominal_id)
    panel = svc.session.get(Panel, panel_id)
    kind = panel.kind if panel is not None else None
    if kind not in (*ADULT_PANELS, YOUTH_PANEL):
        return _scored_rows(svc, stmt.limit(limit))
    # Pages of ranked rows, dropping those of the wrong age, until ``limit`` are found.
    out: list[Scored] = []
    page = limit or None
    offset = 0
    while True:
        rows = _scored_rows(svc, stmt.limit(page).offset(offset))
        out.extend(of_age(svc, kind, rows, today))
        if page is None or len(rows) < page or len(out) >= page:
            return out[:limit] if limit is not None else out
        offset += page


def _scored_rows(svc: Services, stmt: Select) -> list[Scored]:
    return [
        Scored(row.nominal_id, int(row.score or 0), int(row.events), _as_date(row.last_event))
        for row in svc.session.execute(stmt)
    ]


def takes_age(kind: str, born: date | None, day: date) -> bool:
    """Whether a panel of ``kind`` takes someone born on ``born`` on ``day``: PPO and IOM
    adults only, Prevent and Deter under-18s only (unknown birth dates: adults)."""
    if kind == YOUTH_PANEL:
        return born is not None and age_on(born, day) < 18
    if kind in ADULT_PANELS:
        return born is None or age_on(born, day) >= 18
    return True


def of_age(svc: Services, kind: str, rows: list[Scored], day: date) -> list[Scored]:
    """``rows`` less those a panel of ``kind`` does not take on ``day`` (``takes_age``)."""
    if not rows:
        return rows
    ids = [r.nominal_id for r in rows]
    born = {
        n.id: n.date_of_birth
        for n in svc.session.scalars(select(Nominal).where(Nominal.id.in_(ids)))
    }
    return [r for r in rows if takes_age(kind, born.get(r.nominal_id), day)]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def breakdown(
    svc: Services, ids: Sequence[uuid.UUID], today: date
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Where each score comes from: per offence category and other kind of event, how many
    events, how many in the most recent band, and the points they add (grouped in SQL)."""
    if not ids:
        return {}
    m = matrix(svc.settings)
    e = OffenderEvent
    recent = e.event_date >= minus_months(today, m.recency[0][0]) if m.recency else literal(False)
    scoring = or_(e.kind != "drug_test", e.positive.is_(True))
    stmt = (
        select(
            e.nominal_id,
            e.kind,
            e.category,
            func.count(),
            func.sum(case((recent, 1), else_=0)),
            func.sum(points(m, today)),
        )
        .where(_window(m, today), e.nominal_id.in_(list(ids)), scoring)
        .group_by(e.nominal_id, e.kind, e.category)
    )
    out: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    for nid, kind, category, count, in_band, pts in svc.session.execute(stmt):
        what = (category or "other") if kind == "offence" else kind
        out[nid].append(
            {
                "kind": kind,
                "what": what,
                "events": int(count),
                "recent": int(in_band or 0),
                "points": int(pts or 0),
            }
        )
    for lines in out.values():
        lines.sort(key=lambda line: (-line["points"], line["what"]))
    return out


def recent_band(svc: Services) -> int | None:
    """The months of the shortest recency band (for the page's explanation)."""
    m = matrix(svc.settings)
    return m.recency[0][0] if m.recency else None


# --- who may see the list, and the decision -------------------------------------------------


def offender_panel(svc: Services, actor: Actor, panel_id: Any) -> Panel:
    """An offender panel the coordinator or chair's agency sits on: 403 for other roles, 404
    for any other panel (a MARAC panel included: it has no candidates)."""
    require_role(actor, *MANAGERS)
    pid = as_uuid(panel_id)
    panel = svc.session.get(Panel, pid) if pid is not None else None
    if panel is None or panel.kind not in OFFENDER_PANELS or not is_member(svc, actor, panel.id):
        raise NotVisible()
    return panel


def meeting_day(meeting: Meeting) -> date:
    """The meeting's date on the partnership's (UK) clock."""
    return local_start(meeting).date()


def offender_meeting(svc: Services, actor: Actor, meeting_id: Any) -> tuple[Meeting, Panel]:
    """A meeting of an offender panel the coordinator or chair's agency sits on (else 404)."""
    require_role(actor, *MANAGERS)
    mid = as_uuid(meeting_id)
    meeting = svc.session.get(Meeting, mid) if mid is not None else None
    if meeting is None:
        raise NotVisible()
    return meeting, offender_panel(svc, actor, meeting.panel_id)


def last_decisions(
    svc: Services, panel_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The panel's latest decision on each nominal (no reasons: those are in the record)."""
    if not ids:
        return {}
    stmt = (
        select(Decision.nominal_id, Decision.decision, Decision.decided_on, Decision.meeting_id)
        .where(Decision.panel_id == panel_id, Decision.nominal_id.in_(list(ids)))
        .order_by(Decision.decided_on)
    )
    return {
        nid: {"decision": d, "date": on.isoformat(), "meeting_id": str(mid) if mid else None}
        for nid, d, on, mid in svc.session.execute(stmt)
    }


def disclose(
    svc: Services, actor: Actor, rows: list[Scored], today: date, panel_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Ranked rows as ``actor`` may see them; rows it may see nothing of are left out and
    the rest ranked among themselves (module docstring). Every disclosure is audited with
    the field names shown."""
    nominals = {
        n.id: n
        for n in svc.session.scalars(
            select(Nominal).where(Nominal.id.in_([r.nominal_id for r in rows]))
        )
    }
    # Scores are broken down only for rows whose score the reader is granted.
    granted = svc.sharing.fields_for(svc.session, actor, "list", list(nominals.values()))
    shown_score = [
        r.nominal_id
        for r in rows
        if {"targeting_score", "offences"} & granted.get(r.nominal_id, frozenset())
    ]
    parts = breakdown(svc, shown_score, today)
    decided = last_decisions(svc, panel_id, [r.nominal_id for r in rows])
    by_id = {r.nominal_id: r for r in rows}

    def shows(nominal: Nominal, fields: frozenset[str]) -> list[str]:
        scored = ["targeting_score"] if nominal.id in parts else []
        return [k for k in IDENTITY if k in fields] + scored

    def shape(nominal: Nominal, fields: frozenset[str]) -> dict[str, Any]:
        row = by_id[nominal.id]
        entry: dict[str, Any] = {
            "nominal_id": str(nominal.id),
            "last_decision": decided.get(nominal.id),
        }
        for key in (k for k in IDENTITY if k in fields):
            value = getattr(nominal, key)
            entry[key] = value.isoformat() if isinstance(value, date) else value
        if nominal.id in parts:
            entry.update(score=row.score, events=row.events, breakdown=parts[nominal.id])
        return entry

    ordered = [nominals[r.nominal_id] for r in rows]
    shown = svc.sharing.disclose(
        svc.session, actor, Nominal, ordered, verb="list", only=shows, shape=shape
    )
    # ranked among the rows shown only: never counted or ranked for a reader who may see
    # nothing of them (module docstring)
    out = [{"rank": n, **entry} for n, entry in enumerate(shown, 1)]
    return out


@action(reads=("nominal", "youth_record"))
def candidate_list(
    svc: Services, actor: Actor, panel_id: Any, today: date | None = None
) -> dict[str, Any]:
    """The ranked candidates for a panel's coordinator or chair (module docstring)."""
    panel = offender_panel(svc, actor, panel_id)
    today = today or clock.today()
    rows = ranked(svc, panel.id, today)
    m = matrix(svc.settings)
    return {
        "panel": panel,
        "as_of": today,
        "since": minus_months(today, m.window_months),
        "recent_months": recent_band(svc),
        "candidates": disclose(svc, actor, rows, today, panel.id),
    }


class DecisionIn(StrictSchema):
    decision = PlainString(
        required=True,
        validate=validate.OneOf(DECISIONS, error="Choose select or reject"),
        error_messages={"required": "Choose select or reject"},
    )
    reason = Text(
        max_length=5000,
        multiline=True,
        error_messages={"required": "Give the reason for the panel's decision"},
    )
    cohort = PlainString(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(COHORTS, error="Choose the IOM cohort: fixed, flex or free"),
    )


def _enter(
    svc: Services, nominal: Nominal, panel: Panel, meeting: Meeting, day: date, cohort: str | None
) -> CohortMembership:
    """Selection puts the person in the panel's cohort from the meeting date."""
    if panel.kind == "iom" and not cohort:
        raise Invalid({"cohort": ["Choose the IOM cohort: fixed, flex or free"]})
    if panel.kind != "iom" and cohort:
        raise Invalid({"cohort": ["Only IOM panels have fixed, flex and free cohorts"]})
    if panel.kind == YOUTH_PANEL:
        born = nominal.date_of_birth
        if born is None or age_on(born, day) >= 18:
            raise Invalid(
                {"decision": ["Prevent and Deter is for young people under 18 on the entry date"]},
                code="over_18",
            )
        nominal.is_youth = True  # from now on shared only as a youth record
    elif not takes_age(panel.kind, nominal.date_of_birth, day):
        raise Invalid(
            {"decision": ["This panel is for adults: the person is under 18 on the entry date"]},
            code="under_18",
        )
    spell = CohortMembership(
        nominal_id=nominal.id,
        panel_id=panel.id,
        entry_date=day,
        cohort=cohort,
        meeting_id=meeting.id,
    )
    svc.session.add(spell)
    return spell


@action(changes=("nominal", "youth_record"))
def decide_candidate(
    svc: Services, actor: Actor, meeting_id: Any, nominal_id: Any, data: Any
) -> Decision:
    """Record the panel's selection or rejection of a candidate at a meeting.

    The coordinator or chair of the meeting's panel records it, at or after the meeting
    (entry dates are never in the future). The reason is required and encrypted; the score
    kept is the matrix score on the meeting day. Selecting enters the person in the cohort
    from the meeting date (IOM: the cohort is required). A nominal the recorder may not see
    and that is neither a candidate on this meeting's agenda nor scored by the matrix
    answers 404, like one that does not exist.
    """
    meeting, panel = offender_meeting(svc, actor, meeting_id)
    values = load(DecisionIn(), data)
    day = meeting_day(meeting)
    if meeting.status == "cancelled":
        raise Invalid({"decision": ["The meeting was cancelled"]}, code="meeting_cancelled")
    if day > clock.today():
        raise Invalid(
            {"decision": ["Record the decision on or after the day of the meeting"]},
            code="meeting_not_held",
        )
    nid = as_uuid(nominal_id)
    nominal = svc.session.get(Nominal, nid) if nid is not None else None
    if nominal is None:
        raise NotVisible()
    scored = ranked(svc, panel.id, day, limit=None, only=[nominal.id])
    listed = svc.session.scalar(
        select(
            exists().where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.nominal_id == nominal.id,
                AgendaItem.kind == "candidate",
            )
        )
    )
    # the engine is always asked; the panel also decides on its own candidates (docstring)
    visible = svc.sharing.may(svc.session, actor, "view", nominal)
    if not (scored or listed or visible):
        raise NotVisible()
    if is_in_cohort(svc, panel.id, nominal.id, clock.today()):
        raise Invalid(
            {"decision": ["This person is already in the panel's cohort"]}, code="in_cohort"
        )
    earlier = svc.session.scalar(
        select(exists().where(Decision.meeting_id == meeting.id, Decision.nominal_id == nominal.id))
    )
    if earlier:
        raise Invalid(
            {"decision": ["The panel's decision on this person at this meeting is recorded"]},
            code="already_decided",
        )
    if values["decision"] == "selected":
        _enter(svc, nominal, panel, meeting, day, values["cohort"])
    elif values["cohort"]:
        raise Invalid({"cohort": ["A cohort is chosen only when selecting"]})
    decision = Decision(
        nominal_id=nominal.id,
        panel_id=panel.id,
        meeting_id=meeting.id,
        decision=values["decision"],
        score=scored[0].score if scored else 0,
        decided_by_id=actor.user_id,
        decided_on=day,
    )
    decision.reason = values["reason"]
    svc.session.add(decision)
    svc.session.flush()
    written = ["targeting_decision", "targeting_decision.reason"]
    if values["decision"] == "selected":
        written.append("cohort")
    audit.record(svc.session, actor, "update", record_type_name(nominal), nominal.id, written)
    return decision


def quiet_since(svc: Services, today: date) -> date:
    days = int(svc.settings.get("TARGETING_REJECTED_QUIET_DAYS", 90))
    return today - timedelta(days=days)
