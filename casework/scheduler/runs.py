"""Claiming and finishing job runs: how every job happens once per due time.

A run is claimed by inserting its ``JobRun`` row (unique on job and due time) in a
transaction of its own. Whoever commits the row owns the run; everyone else gets an
IntegrityError and moves on, whether they are another scheduler process, a thread, or the
same process after a restart. The job's work and the row's ``done`` mark then commit in one
transaction, so a run either happened completely and is marked, or did not happen at all.

A claimed run whose process died stays ``running``; after ``SCHEDULER_RUN_LEASE_MINUTES`` it
may be claimed again. A run that failed is claimed again ``SCHEDULER_RETRY_MINUTES`` later.
Both re-claims are a single conditional UPDATE, so only one process wins them too.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from casework.db import Database, write_intent
from casework.scheduler.models import JobRun


def _stale(settings: Any, now: datetime) -> Any:
    """The condition for a run that may be claimed again."""
    lease = timedelta(minutes=int(settings.get("SCHEDULER_RUN_LEASE_MINUTES", 30)))
    retry = timedelta(minutes=int(settings.get("SCHEDULER_RETRY_MINUTES", 5)))
    return or_(
        and_(JobRun.status == "failed", JobRun.finished_at <= now - retry),
        and_(JobRun.status == "running", JobRun.started_at <= now - lease),
    )


def claim(
    db: Database, settings: Any, job: str, due_at: datetime, now: datetime
) -> uuid.UUID | None:
    """The run's id if this caller now owns (job, due_at); None if someone else does or it
    is done."""
    run_id = uuid.uuid4()
    try:
        with write_intent(), db.transaction() as session:
            session.add(JobRun(id=run_id, job=job, due_at=due_at, started_at=now))
        return run_id
    except IntegrityError:
        pass
    with write_intent(), db.transaction() as session:
        existing = session.scalar(
            select(JobRun.id).where(
                JobRun.job == job, JobRun.due_at == due_at, _stale(settings, now)
            )
        )
        if existing is None:
            return None
        taken = session.execute(
            update(JobRun)
            .where(JobRun.id == existing, _stale(settings, now))
            .values(status="running", started_at=now, finished_at=None)
        )
        return existing if taken.rowcount == 1 else None


def reclaimable(
    db: Database, settings: Any, jobs: list[str] | str, now: datetime
) -> list[tuple[str, datetime]]:
    """Failed or abandoned runs of these jobs (a name, or a prefix ending in ':')."""
    if isinstance(jobs, str):
        match = JobRun.job.startswith(jobs) if jobs.endswith(":") else JobRun.job == jobs
    else:
        match = JobRun.job.in_(jobs)
    with db.transaction() as session:
        rows = session.execute(
            select(JobRun.job, JobRun.due_at)
            .where(match, _stale(settings, now))
            .order_by(JobRun.due_at)
            .limit(100)
        )
        return [(job, due) for job, due in rows]


def known(db: Database, keys: list[tuple[str, datetime]]) -> set[tuple[str, datetime]]:
    """Which of these (job, due time) pairs already have a run row, in any state."""
    if not keys:
        return set()
    names = sorted({job for job, _ in keys})
    found: set[tuple[str, datetime]] = set()
    with db.transaction() as session:
        for start in range(0, len(names), 500):
            rows = session.execute(
                select(JobRun.job, JobRun.due_at).where(JobRun.job.in_(names[start : start + 500]))
            )
            found.update((job, due) for job, due in rows)
    return found & set(keys)


def last_due(db: Database, job: str) -> datetime | None:
    from sqlalchemy import func

    with db.transaction() as session:
        return session.scalar(select(func.max(JobRun.due_at)).where(JobRun.job == job))


def mark_failed(db: Database, run_id: uuid.UUID, now: datetime, error: BaseException) -> None:
    """Record the failure by the exception's class only: messages can quote personal data."""
    with write_intent(), db.transaction() as session:
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(status="failed", finished_at=now, detail=type(error).__name__[:500])
        )


def done_values(now: datetime, detail: str | None) -> dict[str, Any]:
    return {"status": "done", "finished_at": now, "detail": (detail or None) and detail[:500]}
