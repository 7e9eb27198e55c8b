"""Running the jobs: the tick (what is due now, claimed and run once) and APScheduler around it.

APScheduler 3 keeps its timetable in the ``apscheduler_jobs`` table (made by Alembic) and
wakes each job every ``SCHEDULER_POLL_SECONDS``; what actually happens is decided by the tick,
from the ``job_runs`` table alone. So a second scheduler process, a restart, or a scheduler
that was stopped for a day neither repeats nor skips work (see ``runs`` and ``jobs``).

Tests call ``tick(svc, now)`` with the clock moved forward instead of waiting.
"""

from __future__ import annotations

import atexit
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from casework.crypto.fields import reload_keyring_if_changed
from casework.db import utcnow, write_intent
from casework.meetings.models import Meeting
from casework.scheduler import runs
from casework.scheduler.jobs import JOB_NAMES, PER_MEETING, PERIODIC, Periodic, PerMeeting
from casework.scheduler.models import JobRun
from casework.services import Services

log = logging.getLogger("casework.scheduler")

# The order of one tick: the diary first, then what it makes due, then the mail it queued.
ORDER = (
    "keep_meetings",
    "agenda_draft",
    "publish_reminder",
    "minutes_reminder",
    "overdue_actions",
    "safety_plan_reviews",
    "retention_review",
    "send_outbox",
    "seal_audit",
)
_JOBS: dict[str, Periodic | PerMeeting] = {j.name: j for j in (*PERIODIC, *PER_MEETING)}
assert set(ORDER) == set(JOB_NAMES)


@dataclass(frozen=True)
class Outcome:
    job: str
    due_at: datetime
    status: str  # done or failed
    detail: str | None = None


def tick(svc: Services, now: datetime | None = None, only: tuple[str, ...] = ()) -> list[Outcome]:
    """Run every job (or ``only`` these) for what is due at ``now``."""
    now = now or utcnow()
    out: list[Outcome] = []
    for name in ORDER:
        if not only or name in only:
            out += run_job_now(svc, name, now)
    return out


def run_job_now(svc: Services, name: str, now: datetime) -> list[Outcome]:
    job = _JOBS[name]
    if isinstance(job, Periodic):
        return _periodic(svc, job, now)
    return _per_meeting(svc, job, now)


def _periodic(svc: Services, job: Periodic, now: datetime) -> list[Outcome]:
    grid = job.grid(svc.settings)
    last = runs.last_due(svc.db, job.name)
    if last is None:
        slots = [grid.latest(now)]  # a new installation starts now; it has no past to catch up
    else:
        slots = grid.between(last, now)
        if job.coalesce:
            slots = slots[-1:]
    if not job.coalesce:  # a coalescing job's next run does what a failed one would have
        slots += [due for _, due in runs.reclaimable(svc.db, svc.settings, job.name, now)]
    out = []
    for due in sorted(set(slots)):
        run_id = runs.claim(svc.db, svc.settings, job.name, due, now)
        if run_id is not None:
            work = _bind_periodic(svc, job, due, now)
            out.append(_execute(svc, job.name, run_id, due, now, work, job.own_transactions))
    return out


def _bind_periodic(svc: Services, job: Periodic, due: datetime, now: datetime) -> Callable[[], Any]:
    return lambda: job.run(svc, due, now)


def _per_meeting(svc: Services, job: PerMeeting, now: datetime) -> list[Outcome]:
    try:
        due = {(job.key(mid), at): mid for mid, at in job.due(svc, now)}
    finally:
        svc.db.session.remove()
    seen = runs.known(svc.db, list(due))
    retry = {
        key for key in runs.reclaimable(svc.db, svc.settings, f"{job.name}:", now) if key in due
    }
    out = []
    for key in sorted((set(due) - seen) | retry, key=lambda k: (k[1], k[0])):
        run_id = runs.claim(svc.db, svc.settings, key[0], key[1], now)
        if run_id is not None:
            work = _bind_meeting(svc, job, due[key], key[1], now)
            out.append(_execute(svc, key[0], run_id, key[1], now, work, False))
    return out


def _bind_meeting(
    svc: Services, job: PerMeeting, meeting_id: uuid.UUID, due: datetime, now: datetime
) -> Callable[[], Any]:
    def work() -> Any:
        meeting = svc.session.get(Meeting, meeting_id)
        if meeting is None:
            return "skipped: meeting removed"
        return job.run(svc, meeting, due, now)

    return work


def _execute(
    svc: Services,
    name: str,
    run_id: uuid.UUID,
    due: datetime,
    now: datetime,
    work: Callable[[], Any],
    own_transactions: bool,
) -> Outcome:
    """One claimed run: the work and its ``done`` mark in one transaction (unless the job
    commits piecemeal itself), or a ``failed`` mark naming only the exception's class."""
    reload_keyring_if_changed()  # follow a key rotation made by another process
    svc.db.session.remove()  # a fresh session, so the run's transaction begins here
    session = svc.session
    try:
        if own_transactions:
            detail = work()
            with write_intent(), svc.db.transaction() as own:
                own.execute(
                    update(JobRun)
                    .where(JobRun.id == run_id)
                    .values(**runs.done_values(now, detail))
                )
        else:
            with write_intent():
                detail = work()
                session.execute(
                    update(JobRun)
                    .where(JobRun.id == run_id)
                    .values(**runs.done_values(now, detail))
                )
                session.commit()
    except Exception as exc:
        session.rollback()
        runs.mark_failed(svc.db, run_id, now, exc)
        log.error("job failed: %s", type(exc).__name__, extra={"job": name})
        return Outcome(name, due, "failed", type(exc).__name__)
    finally:
        svc.db.session.remove()
    # Counts only, never case data; a run that found nothing to do is not worth a line.
    log.log(logging.INFO if detail else logging.DEBUG, "job done: %s", detail, extra={"job": name})
    return Outcome(name, due, "done", detail)


# --- APScheduler ----------------------------------------------------------------------------

_services: Services | None = None


def run_job(name: str) -> None:
    """APScheduler's entry point (stored in the job table by reference, so it takes only the
    job's name): run that job for what is due now."""
    if _services is None:
        raise RuntimeError("the scheduler's services are not set up")
    run_job_now(_services, name, utcnow())


def build_scheduler(svc: Services, *, blocking: bool) -> Any:
    """A Blocking (the `casework scheduler` process) or Background (inside `casework serve`)
    scheduler with its jobs in the database."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    global _services
    _services = svc
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={
            "default": SQLAlchemyJobStore(engine=svc.db.engine, tablename="apscheduler_jobs")
        },
        executors={"default": ThreadPoolExecutor(3)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    every = int(svc.settings.get("SCHEDULER_POLL_SECONDS") or 30)
    for name in ORDER:
        scheduler.add_job(
            "casework.scheduler.service:run_job",
            trigger="interval",
            seconds=every,
            args=[name],
            id=f"casework.{name}",
            name=name,
            replace_existing=True,
        )
    return scheduler


def in_process_enabled(settings: Any) -> bool:
    """SCHEDULER_IN_PROCESS: None (the default) means in development only."""
    value = settings.get("SCHEDULER_IN_PROCESS")
    if value is None:
        return settings.get("ENV") == "development"
    return bool(value)


def start_in_process(app: Any, *, use_reloader: bool) -> Any:
    """Start a background scheduler inside the development server, once.

    Werkzeug's reloader runs the app in a child process (``WERKZEUG_RUN_MAIN=true``) under a
    watching parent: only the child starts the scheduler, so it never runs twice. Without the
    reloader the one process starts it. Returns the scheduler, or None when not started.
    """
    if not in_process_enabled(app.config):
        return None
    if use_reloader and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    scheduler = build_scheduler(app.extensions["casework"], blocking=False)
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)
    log.info("scheduler started inside the web process", extra={"count": len(ORDER)})
    return scheduler
