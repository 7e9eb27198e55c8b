"""PPO classification reviews: R&R or C&C, with who, when, why and the meeting that decided.

A nominal in a PPO cohort is reviewed ``CLASSIFICATION_REVIEW_WEEKS`` (4) weeks after their
last classification; one never classified is due from their entry date. The *current*
classification is the latest-dated (latest entered on a tie), the same rule the offender
statistics count by. A review is **overdue** when its due date is before today and nothing
newer has been recorded. Due reviews go onto the next agenda (casework/offenders/agenda.py)
and are decided from the meeting: ``reclassify`` records the decision through the same
``record_classification`` action as the API, so one write path checks and audits it;
confirming the same classification at a review is a decision too, and restarts the clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from casework import clock
from casework.accounts.models import User
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.clock import UK
from casework.errors import Invalid
from casework.meetings.models import Meeting
from casework.offenders.actions import readable
from casework.offenders.dump import current, record_type_name
from casework.offenders.models import CLASSIFICATIONS, Classification, CohortMembership, Nominal
from casework.offenders.policies import current_membership
from casework.offenders.records import record_classification
from casework.offenders.targeting import IDENTITY, meeting_day, offender_meeting, offender_panel
from casework.panels.models import Panel
from casework.services import Services

REVIEW_PANELS = ("ppo",)


def review_weeks(svc: Services) -> int:
    return int(svc.settings.get("CLASSIFICATION_REVIEW_WEEKS", 4))


def latest_classifications() -> Select:
    """SQL: each nominal's current classification (one row per nominal, ``rn`` = 1)."""
    c = Classification
    rank = func.row_number().over(
        partition_by=c.nominal_id, order_by=(c.decided_on.desc(), c.created_at.desc(), c.id)
    )
    ranked = select(c.nominal_id, c.classification, c.decided_on, rank.label("rn")).subquery(
        "ranked"
    )
    return select(ranked.c.nominal_id, ranked.c.classification, ranked.c.decided_on).where(
        ranked.c.rn == 1
    )


@dataclass(frozen=True)
class Review:
    nominal_id: uuid.UUID
    entry_date: date
    classification: str | None
    classified_on: date | None
    due_on: date

    def overdue(self, today: date) -> bool:
        return self.due_on < today


def reviews(svc: Services, panel: Panel, on: date, due_only: bool = False) -> list[Review]:
    """The review dates of a PPO panel's cohort on ``on`` (``due_only``: those due by then),
    soonest first. Other panel kinds have no classification reviews."""
    if panel.kind not in REVIEW_PANELS:
        return []
    m = CohortMembership
    spells = (
        select(m.nominal_id, func.min(m.entry_date).label("entry"))
        .where(m.panel_id == panel.id, current_membership(on))
        .group_by(m.nominal_id)
        .subquery("spells")
    )
    latest = latest_classifications().subquery("latest")
    stmt = select(
        spells.c.nominal_id, spells.c.entry, latest.c.classification, latest.c.decided_on
    ).outerjoin(latest, latest.c.nominal_id == spells.c.nominal_id)
    weeks = timedelta(weeks=review_weeks(svc))
    if due_only:
        stmt = stmt.where(
            or_(latest.c.decided_on.is_(None), latest.c.decided_on <= on - weeks),
            spells.c.entry <= on,
        )
    out = [
        Review(nid, entry, value, last, last + weeks if last else entry)
        for nid, entry, value, last in svc.session.execute(stmt)
    ]
    return sorted(out, key=lambda r: (r.due_on, str(r.nominal_id)))


def disclose_reviews(
    svc: Services,
    actor: Actor,
    ids: list[uuid.UUID],
    schedule: list[Review],
    today: date,
    decided_here: dict[uuid.UUID, str] | None = None,
) -> list[dict[str, Any]]:
    """Review rows as ``actor`` may see them: identity and classification only where the
    protocol grants them, each disclosure audited; someone the reader may see nothing of is
    left out (a placeholder would itself disclose that they are on the panel).
    ``decided_here``: classifications recorded at the meeting shown."""
    decided_here = decided_here or {}
    nominals = {n.id: n for n in svc.session.scalars(select(Nominal).where(Nominal.id.in_(ids)))}
    by_id = {r.nominal_id: r for r in schedule}

    def shows(nominal: Nominal, fields: frozenset[str]) -> list[str]:
        reviewed = ["classification"] if "classification" in fields and nominal.id in by_id else []
        return [k for k in IDENTITY if k in fields] + reviewed

    def shape(nominal: Nominal, shown: frozenset[str]) -> dict[str, Any]:
        nid = nominal.id
        review = by_id.get(nid)
        entry: dict[str, Any] = {"nominal_id": str(nid), "in_cohort": review is not None}
        for key in (k for k in IDENTITY if k in shown):
            value = getattr(nominal, key)
            entry[key] = value.isoformat() if isinstance(value, date) else value
        if "classification" in shown and review is not None:
            entry.update(
                classification=review.classification,
                classified_on=review.classified_on,
                due_on=review.due_on,
                overdue=review.overdue(today) and nid not in decided_here,
                decided_here=decided_here.get(nid),
            )
        return entry

    ordered = [nominals[nid] for nid in ids]
    return svc.sharing.disclose(
        svc.session, actor, Nominal, ordered, verb="list", only=shows, shape=shape
    )


@action(reads=("nominal", "youth_record"))
def review_list(
    svc: Services, actor: Actor, panel_id: Any, today: date | None = None
) -> dict[str, Any]:
    """A PPO panel's classification reviews, soonest due first, overdue ones flagged, for its
    coordinator or chair (other offender panels have none)."""
    panel = offender_panel(svc, actor, panel_id)
    today = today or clock.today()
    schedule = reviews(svc, panel, today)
    rows = disclose_reviews(svc, actor, [r.nominal_id for r in schedule], schedule, today)
    return {"panel": panel, "today": today, "weeks": review_weeks(svc), "reviews": rows}


@action(changes=("nominal", "youth_record"))
def reclassify(
    svc: Services,
    actor: Actor,
    nominal_id: Any,
    meeting_id: Any,
    classification: str | None,
    reason: str | None,
) -> Classification:
    """The panel's decision at a meeting: R&R or C&C, dated the meeting day, with the reason.

    The coordinator or chair of the meeting's panel records it (403 for other roles, 404 for
    a meeting of another panel); the nominal must be in that panel's cohort.
    """
    meeting, panel = offender_meeting(svc, actor, meeting_id)
    if meeting.status == "cancelled":
        raise Invalid({"classification": ["The meeting was cancelled"]}, code="meeting_cancelled")
    missing: dict[str, list[str]] = {}
    if classification not in CLASSIFICATIONS:
        missing["classification"] = ["Choose R&R or C&C"]
    if not (reason or "").strip():
        missing["reason"] = ["Give the reason for the panel's decision"]
    if missing:
        raise Invalid(missing)
    day = meeting_day(meeting)
    if day > clock.today():
        raise Invalid(
            {"classification": ["Record the decision on or after the day of the meeting"]},
            code="meeting_not_held",
        )
    return record_classification(
        svc,
        actor,
        nominal_id,
        {
            "classification": classification,
            "date": day.isoformat(),
            "reason": reason,
            "panel_id": str(panel.id),
            "meeting_id": str(meeting.id),
        },
    )


@action(reads=("nominal", "youth_record"))
def history(svc: Services, actor: Actor, nominal_id: Any, today: date | None = None) -> dict:
    """A nominal's classifications with who decided, when, why and at which meeting, and the
    next review on each PPO panel of theirs; reasons only where the protocol grants the
    ``classification`` field (the whole history is hidden otherwise)."""
    nominal, fields = readable(svc, actor, nominal_id)
    today = today or clock.today()
    if "classification" not in fields:
        return {"nominal": nominal, "granted": False, "decisions": [], "reviews": []}
    c = Classification
    rows = svc.session.execute(
        select(c, User.name, Meeting.starts_at, Panel.name)
        .outerjoin(User, User.id == c.decided_by_id)
        .outerjoin(Meeting, Meeting.id == c.meeting_id)
        .join(Panel, Panel.id == c.panel_id)
        .where(c.nominal_id == nominal.id)
        .order_by(c.decided_on.desc(), c.created_at.desc())
    ).all()
    decisions = [
        {
            "classification": row.classification,
            "date": row.decided_on,
            "reason": row.reason,
            "decided_by": who,
            "meeting_id": str(row.meeting_id) if row.meeting_id else None,
            "meeting_date": meeting_day_of(starts) if starts else None,
            "panel": panel_name,
        }
        for row, who, starts, panel_name in rows
    ]
    next_reviews = []
    for spell in nominal.memberships:
        panel = svc.session.get(Panel, spell.panel_id)
        if panel is None or panel.kind not in REVIEW_PANELS or not current(spell, today):
            continue
        for review in reviews(svc, panel, today):
            if review.nominal_id == nominal.id:
                next_reviews.append(
                    {"panel": panel.name, "due_on": review.due_on, "overdue": review.overdue(today)}
                )
    audit.record(
        svc.session,
        actor,
        "view",
        record_type_name(nominal),
        nominal.id,
        ["classification", "classification.reason"],
    )
    return {"nominal": nominal, "granted": True, "decisions": decisions, "reviews": next_reviews}


def meeting_day_of(starts_at: datetime) -> date:
    return starts_at.astimezone(UK).date()
